#[plux::plugin(namespace = "ui.requires", requires = "database")]
fn cache() {}

fn main() {}
