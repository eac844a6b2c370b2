trait Greeter {}

#[derive(Default)]
struct English;

#[plux::plugin]
impl Greeter for English {}

fn main() {}
