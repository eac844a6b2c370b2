//! Half of a plugin library's plugins, in a crate of their own; `adds-bundle` exports them with
//! `export_plugins!(also = [adds_bundle_core])`.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

/// Greets from the core crate.
#[derive(Default)]
pub struct Core;

#[plugin(name = "adds_bundle_core")]
impl Greeter for Core {
    fn greet(&self, who: &str) -> String {
        format!("core, {who}")
    }
}
