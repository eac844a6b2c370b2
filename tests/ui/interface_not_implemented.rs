#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {
    fn greet(&self) -> String;
}

#[plux::plugin(interface = Greeter)]
#[derive(Default)]
struct English;

fn main() {}
