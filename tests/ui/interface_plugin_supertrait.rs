#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter: plux::Plugin<Args = (), Output = ()> {
    fn greet(&self) -> String;
}

fn main() {}
