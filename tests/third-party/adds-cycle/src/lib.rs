//! A plugin library whose greeter must come both after and before the program's `program_kept`: an
//! ordering cycle through a plugin that a manager may have loaded already.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// Contradicts itself.
#[derive(Default)]
pub struct Contrary;

#[plugin(name = "adds_contrary", after = ["program_kept"], before = ["program_kept"])]
impl Greeter for Contrary {
    fn greet(&self, who: &str) -> String {
        format!("contrary, {who}")
    }
}
