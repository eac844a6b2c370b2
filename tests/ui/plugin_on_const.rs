#[plux::plugin(namespace = "my.plugins")]
const LIMIT: u32 = 3;

fn main() {}
