use plux::{BoxError, Plugin};

#[plux::plugin(namespace = "my.plugins", factory = Service::new)]
struct Service;

impl Service {
    fn new() -> Result<Self, ()> {
        Ok(Service)
    }
}

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
