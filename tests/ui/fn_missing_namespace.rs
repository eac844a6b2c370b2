#[plux::plugin]
fn configure() {}

fn main() {}
