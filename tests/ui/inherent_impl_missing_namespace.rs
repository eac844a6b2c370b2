use plux::{BoxError, Plugin};

#[derive(Default)]
struct Counter;

impl Plugin for Counter {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[plux::plugin(name = "counter")]
impl Counter {
    fn count(&self) -> u32 {
        1
    }
}

fn main() {}
