//! A plugin library whose plugins are in two crates of its own: it names the second.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!(also = [adds_bundle_core]);

/// Greets from the library's own crate.
#[derive(Default)]
pub struct Main;

#[plugin(name = "adds_bundle_main")]
impl Greeter for Main {
    fn greet(&self, who: &str) -> String {
        format!("main, {who}")
    }
}
