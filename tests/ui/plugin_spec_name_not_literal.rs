struct Service;

const NAME: &str = "s3";

plux::plugin_spec!("my.plugins", NAME, || Service);

fn main() {}
