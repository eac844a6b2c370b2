//! A plugin of `Measured`, whose `Measure` has one more field in builds with debug assertions.

use plux::plugin;
use plux_fixture_dynamic_api::{Measure, Measured};

plux::export_plugins!();

/// Measures 42.
#[derive(Default)]
pub struct FortyTwo;

#[plugin(name = "fp_forty_two")]
impl Measured for FortyTwo {
    fn measure(&self) -> Measure {
        Measure {
            value: 42,
            ..Measure::default()
        }
    }
}
