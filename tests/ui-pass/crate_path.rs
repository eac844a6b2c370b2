//! `crate = path` for code that reaches plux under another path.
#![deny(warnings)]

use plux::{BoxError, Plugin, PluginManager};

mod reexport {
    pub use plux as framework;
}

#[plux::plugin(namespace = "ui.crate", crate = ::plux)]
#[derive(Default)]
struct Absolute;

#[reexport::framework::plugin(namespace = "ui.crate", crate = reexport::framework)]
#[derive(Default)]
struct Reexported;

#[plux::plugin_interface(namespace = "ui.crate.hooks", crate = reexport::framework)]
trait Hook: Plugin<Args = (), Output = ()> {}

#[plux::plugin(namespace = "ui.crate.fns", crate = reexport::framework)]
fn via_reexport() {}

macro_rules! plugin_impl {
    ($($ty:ty),*) => {$(
        impl Plugin for $ty {
            type Args = ();
            type Output = ();
            fn load(&mut self, _: &()) -> Result<(), BoxError> {
                Ok(())
            }
        }
    )*};
}

plugin_impl!(Absolute, Reexported);

fn main() {
    assert_eq!(
        PluginManager::<Absolute>::new("ui.crate").list_names(),
        ["absolute", "reexported"]
    );
    assert!(PluginManager::<Absolute>::new("ui.crate")
        .load("absolute")
        .is_ok());
    assert!(PluginManager::<Reexported>::new("ui.crate")
        .load("reexported")
        .is_ok());
    assert_eq!(
        PluginManager::<dyn Hook>::for_interface().namespace(),
        "ui.crate.hooks"
    );
    let fns = PluginManager::<plux::FunctionPlugin<fn()>>::new("ui.crate.fns");
    fns.load("via_reexport").unwrap()();
}
