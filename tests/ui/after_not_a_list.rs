#[plux::plugin(namespace = "my.hooks", after = "logging")]
fn configure() {}

fn main() {}
