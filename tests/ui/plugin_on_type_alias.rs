struct Counter;

#[plux::plugin(namespace = "my.plugins")]
type MyCounter = Counter;

fn main() {}
