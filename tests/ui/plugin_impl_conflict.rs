use plux::{BoxError, Plugin};

#[plux::plugin(namespace = "my.plugins")]
#[derive(Default)]
struct Counter;

impl Plugin for Counter {
    type Args = u32;
    type Output = ();
    fn load(&mut self, _: &u32) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
