//! Values forwarded by `macro_rules!` (`$name:literal`, `$ns:literal`, `$prio:expr`,
//! `$factory:expr`, `$hook:ty`), which arrive as invisible groups, for every key of `#[plugin]`
//! and `plugin_spec!`.
#![deny(warnings)]

use plux::{hook_point, plugin, plugin_interface, plugin_spec, BoxError, Plugin, PluginManager};

#[plugin_interface(namespace = "ui.macro.greeters")]
pub trait Greeter {
    fn greet(&self) -> String;
}

#[hook_point(namespace = "ui.macro.hooks")]
pub struct Step(fn() -> &'static str);

macro_rules! greeter {
    ($ty:ident, $name:literal, $prio:expr, $after:literal, $factory:expr) => {
        #[plugin(interface = Greeter, name = $name, priority = $prio, after = [$after], factory = $factory)]
        struct $ty(&'static str);

        impl Greeter for $ty {
            fn greet(&self) -> String {
                self.0.to_string()
            }
        }
    };
}

greeter!(English, "en", 10, "fr", || English("hello"));
greeter!(French, "fr", -1, "de", || French("bonjour"));

macro_rules! thing {
    ($ty:ident, $ns:literal, $name:literal, $prio:expr, $factory:expr, $should_load:expr) => {
        #[plugin(namespace = $ns, name = $name, priority = $prio, factory = $factory, should_load = $should_load)]
        struct $ty(u8);
    };
}

thing!(Seven, "ui.macro.things", "seven", 3, || Seven(7), || true);

macro_rules! step {
    ($f:ident, $hook:ty, $name:literal, $prio:expr $(, $before:literal)?) => {
        #[plugin(hook = $hook, name = $name, priority = $prio, before = [$($before)?])]
        fn $f() -> &'static str {
            $name
        }
    };
}

step!(first, Step, "first", 0, "second");
step!(second, Step, "second", 5, "third");
step!(third, Step, "third", 9);

macro_rules! function {
    ($f:ident, $ns:literal, $name:literal) => {
        #[plugin(namespace = $ns, name = $name)]
        fn $f() -> u8 {
            42
        }
    };
}

function!(answer, "ui.macro.fns", "the-answer");

pub struct Service(&'static str);

impl Plugin for Service {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

macro_rules! service {
    ($ns:literal, $name:literal, $factory:expr, $prio:expr $(, $after:literal)?) => {
        plugin_spec!($ns, $name, $factory, priority = $prio, after = [$($after)?]);
    };
    (dyn $iface:path, $name:literal, $factory:expr) => {
        plugin_spec!(dyn $iface, $name, $factory);
    };
}

service!("ui.macro.services", "sqs", || Service("sqs"), -7);
service!("ui.macro.services", "s3", || Service("s3"), 7, "sqs");
service!(dyn Greeter, "de", || English("hallo"));

fn main() {
    let greeters = PluginManager::<dyn Greeter>::new();
    assert_eq!(greeters.list_names(), ["de", "fr", "en"]);
    let greetings: Vec<String> = greeters.load_all().iter().map(|g| g.greet()).collect();
    assert_eq!(greetings, ["hallo", "bonjour", "hello"]);

    assert_eq!(PluginManager::<Seven>::new().load("seven").unwrap().0, 7);
    assert_eq!(
        PluginManager::<Step>::new().call_all(|step| step()),
        ["first", "second", "third"]
    );
    let fns = PluginManager::<plux::FunctionPlugin<fn() -> u8>>::in_namespace("ui.macro.fns");
    assert_eq!(fns.load("the-answer").unwrap()(), 42);

    let services = PluginManager::<Service>::in_namespace("ui.macro.services");
    assert_eq!(services.list_names(), ["sqs", "s3"]);
    let priorities: Vec<i32> = services.list_specs().iter().map(|s| s.priority()).collect();
    assert_eq!(priorities, [-7, 7]);
    assert_eq!(services.load("s3").unwrap().0, "s3");
}
