#[derive(Default)]
struct Counter;

#[plux::plugin(name = "counter")]
impl Counter {
    fn count(&self) -> u32 {
        1
    }
}

fn main() {}
