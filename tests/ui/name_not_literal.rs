const NAME: &str = "configure";

#[plux::plugin(namespace = "my.hooks", name = NAME)]
fn configure() {}

fn main() {}
