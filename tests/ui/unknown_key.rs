#[plux::plugin(namespace = "my.hooks", nmae = "configure")]
fn configure() {}

fn main() {}
