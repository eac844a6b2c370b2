#[plux::plugin(namespace = "1abc")]
fn configure() {}

fn main() {}
