struct Service;

impl plux::Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), plux::BoxError> {
        Ok(())
    }
}

const NAME: &str = "s3";

plux::plugin_spec!("my.plugins", NAME, || Service);

fn main() {}
