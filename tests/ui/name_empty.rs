#[plux::plugin(namespace = "my.hooks", name = "")]
fn configure() {}

fn main() {}
