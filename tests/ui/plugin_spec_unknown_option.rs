struct Service;

plux::plugin_spec!("my.services", "s3", || Service, prority = 1);

fn main() {}
