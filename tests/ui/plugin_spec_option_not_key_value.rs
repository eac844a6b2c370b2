use plux::{plugin_spec, BoxError, Plugin};

pub struct Service;

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

plugin_spec!("my.services", "s3", || Service, 10);

fn main() {}
