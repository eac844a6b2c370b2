#[plux::plugin_interface(namespace = "my.greeters")]
struct Greeter;

fn main() {}
