#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter: plux::Plugin<Args = (), Output = ()> {}

struct English;

plux::plugin_spec!(dyn Greeter, "english", || English);

fn main() {}
