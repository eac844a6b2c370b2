struct Service;

plux::plugin_spec!("my.services", "s3", || Service, 10);

fn main() {}
