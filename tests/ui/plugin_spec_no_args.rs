plux::plugin_spec!();

fn main() {}
