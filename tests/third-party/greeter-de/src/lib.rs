//! A third party's plugin library: one greeter, built in a workspace of its own.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// Greets in German.
#[derive(Default)]
pub struct German;

#[plugin(name = "third_party_de")]
impl Greeter for German {
    fn greet(&self, who: &str) -> String {
        format!("hallo, {who}")
    }
}
