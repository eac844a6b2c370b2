#[plux::plugin(namespace = "my.hooks", priority = "high")]
fn configure() {}

fn main() {}
