#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter<T> {
    fn greet(&self, who: T) -> String;
}

fn main() {}
