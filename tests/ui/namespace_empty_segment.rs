#[plux::plugin(namespace = "a..b")]
fn configure() {}

fn main() {}
