use plux::{BoxError, Plugin};

trait Greeter: Plugin<Args = (), Output = ()> {}

#[derive(Default)]
struct English;

impl Plugin for English {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[plux::plugin]
impl Greeter for English {}

fn main() {}
