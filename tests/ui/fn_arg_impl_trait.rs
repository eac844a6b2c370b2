#[plux::plugin(namespace = "my.hooks")]
fn greet(out: impl std::fmt::Write) {
    drop(out);
}

fn main() {}
