//! A greeter of a `Greeter` with one more method (`farewell`, first in its vtable): the feature
//! `fp-farewell` of the interface crate, which the program does not enable.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// Greets, and would say farewell.
#[derive(Default)]
pub struct Farewell;

#[plugin(name = "fp_farewell")]
impl Greeter for Farewell {
    fn greet(&self, who: &str) -> String {
        format!("hello from the farewell library, {who}")
    }
}
