fn enabled(level: u8) -> bool {
    level > 2
}

#[plux::plugin(namespace = "my.hooks", should_load = enabled)]
fn configure() {}

fn main() {}
