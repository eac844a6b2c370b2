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

const NAMESPACE: &str = "my.plugins";

plux::plugin_spec!(NAMESPACE, "s3", Service::default);

fn main() {}
