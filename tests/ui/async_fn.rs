#[plux::plugin(namespace = "my.hooks")]
async fn start() {}

fn main() {}
