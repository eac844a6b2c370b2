#[plux::plugin(namespace = "my.hooks", name = "a/b")]
fn configure() {}

fn main() {}
