use plux::{BoxError, Plugin};

#[plux::plugin]
#[derive(Default)]
struct Counter;

impl Plugin for Counter {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
