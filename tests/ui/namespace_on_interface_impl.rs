#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {}

#[derive(Default)]
struct English;

#[plux::plugin(namespace = "my.plugins")]
impl Greeter for English {}

fn main() {}
