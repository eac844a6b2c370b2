//! The macro forms in a crate without the prelude: the expansions name `::core`/`::std` paths
//! only.
//!
//! Not `#[plugin_interface]`: the `#[diagnostic::on_unimplemented]` it puts on the trait cannot
//! resolve here (`no_implicit_prelude` removes the tool prelude too), so an interface is declared
//! outside such a module; plugins of it may then live in one.
#![no_implicit_prelude]
#![deny(warnings)]

extern crate plux;
extern crate std;

use plux::{hook_point, plugin, plugin_spec, BoxError, Plugin, PluginManager};
use std::result::Result::{self, Ok};
use std::{assert, assert_eq};

fn enabled() -> bool {
    true
}

#[plugin(namespace = "ui.bare.things", should_load = enabled, priority = 1)]
#[derive(::core::default::Default)]
struct Thing;

#[plugin(namespace = "ui.bare.enums", factory = || Mode::On)]
enum Mode {
    On,
}

#[plugin(namespace = "ui.bare.counters", factory = Counter::new)]
impl Counter {
    fn new() -> Result<Self, std::io::Error> {
        Ok(Counter(1))
    }
}

struct Counter(u32);

#[derive(::core::default::Default)]
struct Own;

#[plugin(namespace = "ui.bare.own", after = ["spec"])]
impl Plugin for Own {
    type Args = u8;
    type Output = u8;
    fn load(&mut self, args: &u8) -> Result<u8, BoxError> {
        Ok(*args)
    }
}

#[hook_point(namespace = "ui.bare.hooks")]
pub struct Step(fn() -> u8);

#[plugin(hook = Step, name = "one", should_load = enabled)]
fn one() -> u8 {
    1
}

#[plugin(namespace = "ui.bare.fns")]
fn two() -> u8 {
    2
}

plugin_spec!("ui.bare.own", "spec", || Own, priority = -1, crate = ::plux);

fn main() {
    assert!(PluginManager::<Thing>::new().load("thing").is_ok());
    assert!(PluginManager::<Mode>::new().load("mode").is_ok());
    assert_eq!(
        PluginManager::<Counter>::new().load("counter").unwrap().0,
        1
    );
    let own = PluginManager::<Own>::with_args(3);
    assert_eq!(own.list_names(), ["spec", "own"]);
    assert_eq!(own.load_all().len(), 2);
    assert_eq!(
        PluginManager::<Step>::new()
            .try_call_all(|step| step())
            .unwrap(),
        [1]
    );
    let fns = PluginManager::<plux::FunctionPlugin<fn() -> u8>>::in_namespace("ui.bare.fns");
    assert_eq!(fns.load("two").unwrap()(), 2);
}
