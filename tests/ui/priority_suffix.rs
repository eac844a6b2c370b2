#[plux::plugin(namespace = "my.hooks", priority = 300u8)]
fn configure() {}

fn main() {}
