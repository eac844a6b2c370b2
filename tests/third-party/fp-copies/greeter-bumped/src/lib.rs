//! A greeter built against `fp-copies/api-bumped`, a copy of the program's interface crate.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// Greets.
#[derive(Default)]
pub struct Copied;

#[plugin(name = "fp_bumped")]
impl Greeter for Copied {
    fn greet(&self, who: &str) -> String {
        format!("hello from fp_bumped, {who}")
    }
}
