#[plux::plugin(namespace = "my.plugins")]
trait Greeter: plux::Plugin<Args = (), Output = ()> {}

fn main() {}
