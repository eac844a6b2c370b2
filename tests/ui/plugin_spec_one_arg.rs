plux::plugin_spec!("my.plugins");

fn main() {}
