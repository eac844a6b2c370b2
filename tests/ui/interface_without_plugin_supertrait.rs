#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {
    fn greet(&self) -> String;
}

fn main() {}
