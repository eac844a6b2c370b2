#[plux::plugin(namespace = "my.plugins")]
#[derive(Default)]
struct Counter;

fn main() {}
