#[plux::plugin(namespace = "my.hooks", name = "-x")]
fn configure() {}

fn main() {}
