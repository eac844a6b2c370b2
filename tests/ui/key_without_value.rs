#[plux::plugin(namespace)]
fn configure() {}

fn main() {}
