#[plux::plugin(namespace = "my.plugins")]
static GREETING: &str = "hello";

fn main() {}
