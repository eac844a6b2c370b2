#[plux::plugin(namespace = "my.plugins")]
#[derive(Default)]
struct Holder<T> {
    value: T,
}

fn main() {}
