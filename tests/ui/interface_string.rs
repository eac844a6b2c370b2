#[plux::plugin(interface = "Greeter")]
#[derive(Default)]
struct English;

fn main() {}
