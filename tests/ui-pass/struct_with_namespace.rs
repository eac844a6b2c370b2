//! A struct managed as its own type, made by `Default`; its name derives from the type.
#![deny(warnings)]

use plux::{plugin, BoxError, Plugin, PluginManager, Registry};

#[plugin(namespace = "ui.counters")]
#[derive(Default)]
struct HTTPCounter {
    loads: u32,
}

impl Plugin for HTTPCounter {
    type Args = u32;
    type Output = ();
    fn load(&mut self, start: &u32) -> Result<(), BoxError> {
        self.loads = start + 1;
        Ok(())
    }
}

/// A renamed one, with a fallible factory.
#[plugin(namespace = "ui.counters", name = "from-env", factory = EnvCounter::from_env)]
struct EnvCounter(u32);

impl EnvCounter {
    fn from_env() -> Result<Self, std::num::ParseIntError> {
        "7".parse().map(EnvCounter)
    }
}

impl Plugin for EnvCounter {
    type Args = u32;
    type Output = ();
    fn load(&mut self, _: &u32) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {
    let names: Vec<&str> = Registry::specs("ui.counters").map(|s| s.name()).collect();
    assert_eq!(names, ["from-env", "http_counter"]);
    assert!(Registry::all()
        .iter()
        .any(|s| s.to_string() == "ui.counters/http_counter"));

    let counters = PluginManager::<HTTPCounter>::with_load_args("ui.counters", 41);
    assert_eq!(counters.load("http_counter").unwrap().loads, 42);
    let env = PluginManager::<EnvCounter>::with_load_args("ui.counters", 0);
    assert_eq!(env.load("from-env").unwrap().0, 7);
}
