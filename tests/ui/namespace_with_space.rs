#[plux::plugin(namespace = "my plugins")]
fn configure() {}

fn main() {}
