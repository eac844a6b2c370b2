use plux::{BoxError, Plugin};

struct Service(&'static str);

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

plux::plugin_spec!("my.plugins", "s3", Service("s3"));

fn main() {}
