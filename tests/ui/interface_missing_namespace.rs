#[plux::plugin_interface]
trait Greeter {
    fn greet(&self) -> String;
}

fn main() {}
