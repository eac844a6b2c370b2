#[plux::plugin]
#[derive(Default)]
struct Counter;

fn main() {}
