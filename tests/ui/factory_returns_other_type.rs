use plux::{BoxError, Plugin};

#[derive(Default)]
struct Other;

impl Plugin for Other {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[plux::plugin(namespace = "my.plugins", factory = Other::default)]
struct Service;

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
