#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter: Send + Sync {
    fn greet(&self) -> String;
}

fn main() {}
