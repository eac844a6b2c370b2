#[plux::plugin("my.hooks")]
fn configure() {}

fn main() {}
