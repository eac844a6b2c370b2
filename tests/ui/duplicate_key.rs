#[plux::plugin(namespace = "my.hooks", name = "a", name = "b")]
fn configure() {}

fn main() {}
