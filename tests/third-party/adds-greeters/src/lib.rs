//! A crate of plugins that a program links, and that a plugin library (`adds-dependent`)
//! depends on for one type: its plugins are the program's, never the library's to export.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

/// What the library uses of this crate.
pub fn salutation() -> &'static str {
    "ahoy"
}

/// Greets like a sailor.
#[derive(Default)]
pub struct Sailor;

#[plugin(name = "adds_sailor")]
impl Greeter for Sailor {
    fn greet(&self, who: &str) -> String {
        format!("{}, {who}", salutation())
    }
}
