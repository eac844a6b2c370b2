plux::plugin_spec!("my.plugins", "s3");

fn main() {}
