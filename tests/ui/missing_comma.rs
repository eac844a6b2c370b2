#[plux::plugin(namespace = "my.hooks" name = "configure")]
fn configure() {}

fn main() {}
