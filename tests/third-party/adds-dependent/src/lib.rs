//! A plugin library with one greeter of its own, which uses a function of `adds-greeters`, a
//! crate of plugins that the program links too. It exports its own greeter only.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// Greets with the sailor's word.
#[derive(Default)]
pub struct Dependent;

#[plugin(name = "adds_dependent")]
impl Greeter for Dependent {
    fn greet(&self, who: &str) -> String {
        format!("{} from the library, {who}", adds_greeters::salutation())
    }
}
