//! A plugin library whose greeter has the name of a greeter the program links (`program`,
//! in `tests/dynamic_adds.rs`): the program must refuse it, and keep its own.

use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

plux::export_plugins!();

/// A new greeter, free to load.
#[derive(Default)]
pub struct Fresh;

#[plugin(name = "adds_fresh")]
impl Greeter for Fresh {
    fn greet(&self, who: &str) -> String {
        format!("fresh, {who}")
    }
}

/// Named like the program's.
#[derive(Default)]
pub struct Impostor;

#[plugin(name = "program")]
impl Greeter for Impostor {
    fn greet(&self, who: &str) -> String {
        format!("impostor, {who}")
    }
}
