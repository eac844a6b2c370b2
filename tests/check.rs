//! The health check of a program that links by hand (here: no crate to link, only plugins of its
//! own) and has two mistakes no manager reports until run time: a plugin of the wrong type in an
//! interface's namespace, and quick fn plugins in a near miss of a hook point's namespace.

use plux::inspect::Problem;
use plux::{hook_point, plugin, plugin_interface, BoxError, PluginErrorKind, PluginManager};

#[plugin_interface(namespace = "check.greeters")]
pub trait Greeter {
    fn greet(&self) -> String;
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[derive(Default)]
struct Hello;

#[plugin]
impl Greeter for Hello {
    fn greet(&self) -> String {
        "hello".into()
    }
}

/// Declared in the interface's namespace by name: a `FunctionPlugin`, not a `dyn Greeter`.
#[plugin(namespace = "check.greeters")]
fn stray() {}

#[hook_point(namespace = "check.startup")]
struct Startup(fn());

#[plugin(hook = Startup)]
fn warm_up() {}

/// A typo of `check.startup`: no manager asks for it.
#[plugin(namespace = "check.statrup")]
fn open_ports() {}

#[test]
fn the_check_sees_a_wrong_type_and_a_near_miss_and_no_missing_link() {
    let problems = plux::inspect::check().expect_err("two problems");
    let listed: Vec<String> = problems
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();

    assert_eq!(listed.len(), 2, "{listed:#?}");
    assert!(
        matches!(
            &problems.problems()[0],
            Problem::WrongType { namespace, name, expected, found: None }
                if namespace == "check.greeters" && name == "stray" && expected.contains("Greeter")
        ),
        "{listed:#?}"
    );
    assert!(
        matches!(
            &problems.problems()[1],
            Problem::NearMiss { namespace, plugins: 1, like }
                if namespace == "check.statrup" && like == "check.startup"
        ),
        "{listed:#?}"
    );
    // What the check said is what the manager does.
    let greeters = PluginManager::<dyn Greeter>::new();
    assert!(matches!(
        greeters
            .load("stray")
            .map(drop)
            .expect_err("refused")
            .kind(),
        PluginErrorKind::WrongType { .. }
    ));
    assert_eq!(greeters.load("hello").expect("loads").greet(), "hello");
}
