//! `crate = path` for code that reaches plux under another path: an absolute path, a
//! re-export, and a renamed crate, for every macro.
#![deny(warnings)]

extern crate plux as renamed;

use plux::{BoxError, FunctionPlugin, Plugin, PluginManager};

mod reexport {
    pub use plux as framework;
}

#[plux::plugin(namespace = "ui.crate", crate = ::plux)]
#[derive(Default)]
struct Absolute;

#[reexport::framework::plugin(namespace = "ui.crate.reexported", crate = reexport::framework)]
#[derive(Default)]
struct Reexported;

#[renamed::plugin_interface(namespace = "ui.crate.greeters", crate = renamed)]
trait Greeter {
    fn greet(&self) -> &'static str;
}

#[derive(Default)]
struct Hello;

#[renamed::plugin(crate = renamed)]
impl Greeter for Hello {
    fn greet(&self) -> &'static str {
        "hello"
    }
}

#[renamed::hook_point(namespace = "ui.crate.hooks", crate = renamed)]
struct Startup(fn() -> u32);

#[renamed::plugin(hook = Startup, crate = renamed)]
fn start() -> u32 {
    1
}

#[plux::plugin(namespace = "ui.crate.fns", crate = reexport::framework)]
fn via_reexport() {}

struct Service(&'static str);

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[renamed::plugin(namespace = "ui.crate.own", crate = renamed)]
impl Plugin for Own {
    type Args = ();
    type Output = u8;
    fn load(&mut self, _: &()) -> Result<u8, BoxError> {
        Ok(7)
    }
}

#[derive(Default)]
struct Own;

plux::plugin_spec!(
    "ui.crate.specs",
    "absolute",
    || Service("absolute"),
    crate = ::plux
);
renamed::plugin_spec!(
    "ui.crate.specs",
    "renamed",
    || Service("renamed"),
    crate = renamed
);
reexport::framework::plugin_spec!(
    dyn Greeter,
    "reexported",
    || Hello,
    priority = 1,
    crate = reexport::framework
);

fn main() {
    assert_eq!(PluginManager::<Absolute>::new().list_names(), ["absolute"]);
    assert!(PluginManager::<Absolute>::new().load("absolute").is_ok());
    assert!(PluginManager::<Reexported>::new()
        .load("reexported")
        .is_ok());

    let greeters = PluginManager::<dyn Greeter>::new();
    assert_eq!(greeters.namespace(), "ui.crate.greeters");
    assert_eq!(greeters.list_names(), ["reexported", "hello"]);
    assert_eq!(greeters.load("hello").unwrap().greet(), "hello");

    assert_eq!(PluginManager::<Startup>::new().call_all(|hook| hook()), [1]);
    assert!(PluginManager::<Own>::new().load("own").is_ok());

    let fns = PluginManager::<FunctionPlugin<fn()>>::in_namespace("ui.crate.fns");
    fns.load("via_reexport").unwrap()();

    let specs = PluginManager::<Service>::in_namespace("ui.crate.specs");
    assert_eq!(specs.list_names(), ["absolute", "renamed"]);
    assert_eq!(specs.load("renamed").unwrap().0, "renamed");
}
