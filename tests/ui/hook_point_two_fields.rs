#[plux::hook_point(namespace = "my.startup")]
pub struct Startup(fn(&mut Vec<String>), u32);

fn main() {}
