#[plux::hook_point(namespace = "my.startup")]
pub trait Startup {
    fn start(&self, log: &mut Vec<String>);
}

fn main() {}
