#[plux::plugin(namespace = "my.hooks", priority = 3000000000)]
fn configure() {}

fn main() {}
