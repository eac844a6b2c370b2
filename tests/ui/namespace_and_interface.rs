#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {}

#[plux::plugin(namespace = "my.plugins", interface = Greeter)]
#[derive(Default)]
struct English;

impl Greeter for English {}

fn main() {}
