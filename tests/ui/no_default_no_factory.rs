use plux::{BoxError, Plugin};

#[plux::plugin(namespace = "my.plugins")]
struct Service {
    port: u16,
}

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        let _ = self.port;
        Ok(())
    }
}

fn main() {}
