#[derive(Default)]
struct Other;

#[plux::plugin(namespace = "my.plugins", factory = Other::default)]
struct Service;

fn main() {}
