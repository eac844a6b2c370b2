#[plux::plugin(namespace = "my.hooks")]
unsafe fn start() {}

fn main() {}
