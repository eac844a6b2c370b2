#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {}

fn enabled() -> bool {
    true
}

#[plux::plugin(interface = Greeter, should_load = enabled)]
#[derive(Default)]
struct English;

impl Greeter for English {}

fn main() {}
