#[plux::plugin(namespace = "my.hooks", before = ["logging", "cors setup"])]
fn configure() {}

fn main() {}
