#[plux::plugin(namespace = "my.hooks")]
fn leak<'a>() -> &'a str {
    "leaked"
}

fn main() {}
