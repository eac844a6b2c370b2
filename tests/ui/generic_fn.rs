#[plux::plugin(namespace = "my.hooks")]
fn hook<T: Default>() -> T {
    T::default()
}

fn main() {}
