#[plux::plugin(namespace = "my.plugins", factory = "Counter::new")]
struct Counter;

fn main() {}
