#[plux::hook_point(namespace = "my.startup")]
pub struct Startup(Box<dyn Fn(&mut Vec<String>) + Send + Sync>);

fn main() {}
