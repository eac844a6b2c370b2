//! A hook of `Startup`, of an interface crate built with a feature the program does not enable.

use plux::plugin;
use plux_fixture_dynamic_api::Startup;

plux::export_plugins!();

/// Says it started.
#[plugin(hook = Startup)]
fn fp_started(log: &mut Vec<String>) {
    log.push("started by fp-hook".to_owned());
}
