// An async `load` must be `Send`: a manager awaits it from any executor, on any thread.
use std::rc::Rc;

use plux::{plugin, plugin_interface, BoxError};

#[plugin_interface(namespace = "ui.async")]
pub trait Service {
    async fn load(&mut self) -> Result<(), BoxError>;
}

#[derive(Default)]
struct Local;

async fn pause() {}

#[plugin]
impl Service for Local {
    async fn load(&mut self) -> Result<(), BoxError> {
        let shared = Rc::new(1);
        pause().await;
        drop(shared);
        Ok(())
    }
}

fn main() {}
