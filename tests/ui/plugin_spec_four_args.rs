#[derive(Default)]
struct Service;

plux::plugin_spec!("my.plugins", "s3", Service::default, "extra");

fn main() {}
