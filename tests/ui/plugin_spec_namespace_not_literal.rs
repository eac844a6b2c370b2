#[derive(Default)]
struct Service;

const NAMESPACE: &str = "my.plugins";

plux::plugin_spec!(NAMESPACE, "s3", Service::default);

fn main() {}
