fn enabled() -> bool {
    true
}

#[plux::plugin(namespace = "my.hooks", should_load = "enabled")]
fn configure() {}

fn main() {}
