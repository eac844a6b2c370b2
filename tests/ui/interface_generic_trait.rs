#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter<T>: plux::Plugin<Args = T, Output = ()> {}

fn main() {}
