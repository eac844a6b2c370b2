use plux::{BoxError, Plugin};

#[derive(Default)]
struct Service;

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

plux::plugin_spec!("my.plugins", "s3", Service::default, "extra");

fn main() {}
