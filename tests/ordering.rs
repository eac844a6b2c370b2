//! Ordering of a namespace: priorities, `after`/`before` constraints, their errors, and ordered
//! function hooks.

use std::sync::{Arc, Mutex};

use plux::{
    BoxError, FunctionPlugin, Plugin, PluginErrorKind, PluginLifecycleListener, PluginManager,
    PluginSpec, PluginState,
};

/// Records the order in which plugins load.
#[derive(Debug)]
struct Recorder {
    name: &'static str,
    log: Arc<Mutex<Vec<&'static str>>>,
}

impl Plugin for Recorder {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        self.log.lock().unwrap().push(self.name);
        Ok(())
    }
}

type Log = Arc<Mutex<Vec<&'static str>>>;

fn recorder(log: &Log, name: &'static str) -> PluginSpec {
    let log = log.clone();
    PluginSpec::new("test.ordering", name, move || {
        Ok(Box::new(Recorder {
            name,
            log: log.clone(),
        }))
    })
    .unwrap()
}

fn manager(specs: Vec<PluginSpec>) -> PluginManager<Recorder> {
    PluginManager::in_namespace("test.ordering").finder(specs)
}

#[test]
fn default_order_is_by_name() {
    let log = Log::default();
    let m = manager(vec![
        recorder(&log, "c"),
        recorder(&log, "a"),
        recorder(&log, "b"),
    ]);
    assert_eq!(m.list_names(), ["a", "b", "c"]);
    m.load_all();
    assert_eq!(*log.lock().unwrap(), ["a", "b", "c"]);
}

#[test]
fn higher_priority_first_ties_by_name() {
    let log = Log::default();
    let m = manager(vec![
        recorder(&log, "low").with_priority(-5),
        recorder(&log, "b"),
        recorder(&log, "a"),
        recorder(&log, "high").with_priority(10),
    ]);
    assert_eq!(PluginSpec::DEFAULT_PRIORITY, 0);
    assert_eq!(m.list_names(), ["high", "a", "b", "low"]);
    let loaded: Vec<_> = m.load_all().iter().map(|p| p.name).collect();
    assert_eq!(loaded, ["high", "a", "b", "low"]);
    assert_eq!(*log.lock().unwrap(), ["high", "a", "b", "low"]);
    let specs: Vec<_> = m.list_specs().iter().map(|s| s.name()).collect();
    assert_eq!(specs, ["high", "a", "b", "low"]);
}

#[test]
fn after_and_before_override_priority() {
    let log = Log::default();
    let m = manager(vec![
        recorder(&log, "app").with_after(["db", "cache"]).unwrap(),
        recorder(&log, "cache").with_priority(100),
        recorder(&log, "db").with_priority(-100),
        recorder(&log, "metrics")
            .with_before(["db"])
            .unwrap()
            .with_priority(-200),
    ]);
    // metrics < db (constraint) even though metrics has the lowest priority; cache first by priority.
    assert_eq!(m.list_names(), ["cache", "metrics", "db", "app"]);
    m.load_all();
    assert_eq!(*log.lock().unwrap(), ["cache", "metrics", "db", "app"]);
}

/// Hears resolve exceptions.
#[derive(Default)]
struct ResolveErrors(Mutex<Vec<String>>);

impl PluginLifecycleListener<Recorder> for ResolveErrors {
    fn on_resolve_exception(&self, _namespace: &str, error: &plux::PluginError) {
        self.0.lock().unwrap().push(error.to_string());
    }
}

#[test]
fn a_misspelled_requirement_suggests_the_plugin_it_meant() {
    let log = Log::default();
    let m = manager(vec![
        recorder(&log, "cache").with_requires(["databse"]).unwrap(),
        recorder(&log, "database"),
        recorder(&log, "metrics"),
    ]);
    let err = m.load("cache").unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin `test.ordering/cache`: `requires = [\"databse\"]` names no plugin of this \
         namespace; did you mean `database`?"
    );
    assert!(matches!(
        err.kind(),
        PluginErrorKind::OrderUnknown { suggestion: Some(s), .. } if s == "database"
    ));
}

#[test]
fn unknown_constraint_fails_that_plugin_only() {
    let log = Log::default();
    let heard = Arc::new(ResolveErrors::default());
    let m = manager(vec![
        recorder(&log, "a").with_after(["nope"]).unwrap(),
        recorder(&log, "b"),
    ])
    .listener(heard.clone());
    let err = m.load("a").unwrap_err();
    assert!(
        matches!(err.kind(), PluginErrorKind::OrderUnknown { relation: "after", missing, suggestion: None } if missing == "nope"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "plugin `test.ordering/a`: `after = [\"nope\"]` names no plugin of this namespace"
    );
    let loaded: Vec<_> = m.load_all().iter().map(|p| p.name).collect();
    assert_eq!(loaded, ["b"]);
    assert_eq!(*heard.0.lock().unwrap(), [err.to_string()]);
    // Not fixable at run time: retry gives the same error and runs nothing.
    assert!(matches!(
        m.retry("a").unwrap_err().kind(),
        PluginErrorKind::OrderUnknown { .. }
    ));
    assert_eq!(*log.lock().unwrap(), ["b"]);
}

#[test]
fn cycle_fails_its_members_and_the_rest_loads_in_order() {
    let log = Log::default();
    let m = manager(vec![
        recorder(&log, "a").with_after(["c"]).unwrap(),
        recorder(&log, "b").with_after(["a"]).unwrap(),
        recorder(&log, "c").with_after(["b"]).unwrap(),
        recorder(&log, "d").with_after(["a"]).unwrap(), // downstream of the cycle, not on it
        recorder(&log, "e").with_before(["e"]).unwrap(), // a cycle of one
        recorder(&log, "f"),
    ]);
    for name in ["a", "b", "c"] {
        let err = m.load(name).unwrap_err();
        match err.kind() {
            PluginErrorKind::OrderCycle(members) => assert_eq!(**members, ["a", "b", "c"]),
            other => panic!("{name}: {other}"),
        }
    }
    assert!(matches!(
        m.load("e").unwrap_err().kind(),
        PluginErrorKind::OrderCycle(members) if **members == ["e"]
    ));
    let loaded: Vec<_> = m.load_all().iter().map(|p| p.name).collect();
    assert_eq!(loaded, ["d", "f"]);
    assert!(matches!(m.state("a"), Some(PluginState::Failed(_))));
    // Every plugin is still listed, in a stable order.
    assert_eq!(m.list_names(), ["a", "b", "c", "d", "e", "f"]);
}

#[test]
fn order_is_stable_whatever_the_finder_order() {
    let names = ["p3", "p1", "p4", "p0", "p2"];
    let build = |names: &[&'static str]| {
        let log = Log::default();
        let specs = names
            .iter()
            .map(|&n| {
                let spec = recorder(&log, n);
                match n {
                    "p4" => spec.with_before(["p0"]).unwrap(),
                    "p1" => spec.with_priority(3),
                    _ => spec,
                }
            })
            .collect();
        manager(specs)
            .list_names()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let forward = build(&names);
    let mut reversed = names;
    reversed.reverse();
    assert_eq!(forward, build(&reversed));
    // Greedy: among the plugins whose predecessors are placed, highest priority then name.
    // p0 must wait for p4, so p2 and p3 (ready, smaller names than p4) go first.
    assert_eq!(forward, ["p1", "p2", "p3", "p4", "p0"]);
}

fn first(trace: &mut Vec<&'static str>) -> usize {
    trace.push("first");
    trace.len()
}

fn second(trace: &mut Vec<&'static str>) -> usize {
    trace.push("second");
    trace.len()
}

fn last(trace: &mut Vec<&'static str>) -> usize {
    trace.push("last");
    trace.len()
}

type Hook = fn(&mut Vec<&'static str>) -> usize;

fn hook(name: &'static str, f: Hook) -> PluginSpec {
    PluginSpec::new("test.hooks", name, move || {
        Ok(Box::new(FunctionPlugin::new(f)))
    })
    .unwrap()
}

#[test]
fn call_all_runs_function_hooks_in_order_and_collects_results() {
    let hooks = PluginManager::<FunctionPlugin<Hook>>::in_namespace("test.hooks").finder(vec![
        hook("z-last", last).with_priority(-10),
        hook("b-second", second).with_after(["a-first"]).unwrap(),
        hook("a-first", first)
            .with_priority(-5)
            .with_before(["b-second"])
            .unwrap(),
    ]);
    let mut trace = Vec::new();
    let results = hooks.call_all(|hook| hook(&mut trace));
    // a-first has a lower priority than b-second, yet must precede it.
    assert_eq!(trace, ["a-first", "b-second", "z-last"].map(|n| &n[2..]));
    assert_eq!(results, [1, 2, 3]);
}

// The same rules through the macros: `priority`, `after` and `before` on `#[plugin]` and
// `plugin_spec!`.

mod declared {
    use plux::{plugin, plugin_spec};

    /// A plugin type registered several times below; `#[plugin]` on its inherent impl (at the
    /// end) makes it a plugin with nothing to load, whose namespace is `test.macro_order`.
    #[derive(Debug)]
    pub struct Step(pub &'static str);

    plugin_spec!(
        "test.macro_order",
        "migrate",
        || Step("migrate"),
        priority = 10
    );
    plugin_spec!(
        "test.macro_order",
        "serve",
        || Step("serve"),
        after = ["warm-cache", "migrate"]
    );
    plugin_spec!(
        "test.macro_order",
        "warm-cache",
        || Step("warm-cache"),
        priority = -3,
        before = ["serve"],
    );
    plugin_spec!("test.macro_order", "audit", || Step("audit"));

    fn first() -> Step {
        Step("zz-first")
    }

    /// The highest priority wins over names: `zz-first` loads first.
    #[plugin(namespace = "test.macro_order", name = "zz-first", priority = 20, factory = first)]
    impl Step {}

    #[plugin(namespace = "test.macro_hooks", priority = -1)]
    pub fn late(trace: &mut Vec<&'static str>) {
        trace.push("late");
    }

    #[plugin(namespace = "test.macro_hooks", after = ["late"])]
    pub fn later(trace: &mut Vec<&'static str>) {
        trace.push("later");
    }

    #[plugin(namespace = "test.macro_hooks", priority = 5)]
    pub fn early(trace: &mut Vec<&'static str>) {
        trace.push("early");
    }
}

#[test]
fn macro_declared_priorities_and_constraints_order_the_registry() {
    let steps = PluginManager::<declared::Step>::new();
    assert_eq!(steps.namespace(), "test.macro_order");
    assert_eq!(
        steps.list_names(),
        ["zz-first", "migrate", "audit", "warm-cache", "serve"]
    );
    let loaded: Vec<_> = steps.load_all().iter().map(|step| step.0).collect();
    assert_eq!(
        loaded,
        ["zz-first", "migrate", "audit", "warm-cache", "serve"]
    );
    let serve = steps.list_specs()[4];
    assert_eq!(serve.after().collect::<Vec<_>>(), ["warm-cache", "migrate"]);
    assert_eq!(serve.priority(), PluginSpec::DEFAULT_PRIORITY);

    let hooks = PluginManager::<FunctionPlugin<fn(&mut Vec<&'static str>)>>::in_namespace(
        "test.macro_hooks",
    );
    let mut trace = Vec::new();
    hooks.call_all(|hook| hook(&mut trace));
    assert_eq!(trace, ["early", "late", "later"]);
}
