#[plux::plugin(namespace = "my.plugins")]
mod plugins {}

fn main() {}
