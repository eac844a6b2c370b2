#[plux::plugin(namespace = 42)]
fn configure() {}

fn main() {}
