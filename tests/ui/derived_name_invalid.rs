#[plux::plugin(namespace = "my.hooks")]
fn grüße() {}

fn main() {}
