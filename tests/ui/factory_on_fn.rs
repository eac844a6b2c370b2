fn make() -> fn() {
    configure
}

#[plux::plugin(namespace = "my.hooks", factory = make)]
fn configure() {}

fn main() {}
