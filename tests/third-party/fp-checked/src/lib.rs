//! A plugin of `Checked`, whose vtable has `audit` only in builds with debug assertions.

use plux::plugin;
use plux_fixture_dynamic_api::Checked;

plux::export_plugins!();

/// Always 7.
#[derive(Default)]
pub struct Seven;

#[plugin(name = "fp_seven")]
impl Checked for Seven {
    fn value(&self) -> u32 {
        7
    }
}
