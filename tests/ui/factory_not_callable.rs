#[plux::plugin(namespace = "my.plugins", factory = Service)]
struct Service;

fn main() {}
