#[plux::plugin_interface]
trait Greeter: plux::Plugin<Args = (), Output = ()> {}

fn main() {}
