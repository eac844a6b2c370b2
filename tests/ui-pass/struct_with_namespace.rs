//! Types managed as themselves: with nothing to load (made by `Default` or a factory, with
//! `should_load`), and with a lifecycle of their own; names derive from the type.
#![deny(warnings)]

use plux::{plugin, BoxError, Plugin, PluginManager, PluginState, Registry};

#[derive(Default)]
struct HTTPCounter {
    loads: u32,
}

#[plugin(namespace = "ui.counters")]
impl Plugin for HTTPCounter {
    type Args = u32;
    type Output = ();
    fn load(&mut self, start: &u32) -> Result<(), BoxError> {
        self.loads = start + 1;
        Ok(())
    }
}

/// A renamed one, with a fallible factory.
#[plugin(namespace = "ui.env", name = "from-env", factory = EnvCounter::from_env)]
struct EnvCounter(u32);

impl EnvCounter {
    fn from_env() -> Result<Self, std::num::ParseIntError> {
        "7".parse().map(EnvCounter)
    }
}

fn disabled() -> bool {
    false
}

/// An enum with nothing to load, switched off by `should_load`.
#[plugin(namespace = "ui.modes", should_load = disabled)]
#[derive(Debug, Default)]
enum Mode {
    #[default]
    Off,
}

fn main() {
    let names: Vec<&str> = Registry::specs("ui.counters").map(|s| s.name()).collect();
    assert_eq!(names, ["http_counter"]);
    assert!(Registry::all()
        .iter()
        .any(|s| s.to_string() == "ui.counters/http_counter"));

    let counters = PluginManager::<HTTPCounter>::with_args(41);
    assert_eq!(counters.load("http_counter").unwrap().loads, 42);

    let env = PluginManager::<EnvCounter>::new();
    assert_eq!(env.load("from-env").unwrap().0, 7);
    let modes = PluginManager::<Mode>::new();
    assert!(modes.load("mode").unwrap_err().is_disabled());
    assert!(matches!(
        modes.state("mode"),
        Some(PluginState::Disabled(_))
    ));
}
