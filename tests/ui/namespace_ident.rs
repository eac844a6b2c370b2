#[plux::plugin(namespace = my_plugins)]
fn configure() {}

fn main() {}
