#[plux::plugin(namespace = "my.plugins")]
trait Greeter {
    fn greet(&self) -> String;
}

fn main() {}
