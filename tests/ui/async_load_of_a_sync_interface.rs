// The plugin's `load` is async, the interface's is not.
use plux::{plugin, plugin_interface, BoxError};

#[plugin_interface(namespace = "ui.async.sync")]
pub trait Service {
    fn load(&mut self) -> Result<(), BoxError>;
}

#[derive(Default)]
struct Eager;

#[plugin]
impl Service for Eager {
    async fn load(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
