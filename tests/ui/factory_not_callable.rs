#[plux::plugin(namespace = "my.plugins", factory = Service)]
struct Service;

impl plux::Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), plux::BoxError> {
        Ok(())
    }
}

fn main() {}
