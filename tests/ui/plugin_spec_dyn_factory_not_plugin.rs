#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {}

struct English;

plux::plugin_spec!(dyn Greeter, "english", || English);

fn main() {}
