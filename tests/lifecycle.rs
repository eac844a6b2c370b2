//! The lifecycle of the manager, step by step, through the public API: the order of the steps and
//! of the listener hooks, disabling (should_load, filters, the global filter), load arguments and
//! output, caching and sticky outcomes, `retry`, lookups of names that are not there, duplicates.
//!
//! Each test uses namespaces of its own: the global filter is process-wide and tests run in
//! parallel.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use plux::{
    global_filter, plugin, BoxError, DisabledReason, FunctionPlugin, IdentKind, Plugin,
    PluginErrorKind, PluginFinder, PluginInterface, PluginLifecycleListener, PluginManager,
    PluginPattern, PluginSpec, PluginState,
};
use plux_fixture_probe::{kind_name, probe, Calls, Journal, Probe};

type Manager = PluginManager<Probe>;

/// Adds a global filter pattern for the life of the guard, so that a failing test does not leave
/// it behind for the other tests of this process.
struct GlobalPattern(PluginPattern);

impl GlobalPattern {
    fn add(pattern: PluginPattern) -> Self {
        global_filter().add_pattern(pattern.clone());
        GlobalPattern(pattern)
    }
}

impl Drop for GlobalPattern {
    fn drop(&mut self) {
        global_filter().remove_pattern(&self.0);
    }
}

fn loaded_output(manager: &Manager, name: &str) -> Option<String> {
    match manager.state(name)? {
        PluginState::Loaded { output, .. } => Some(output.clone()),
        _ => None,
    }
}

#[test]
fn success_runs_every_step_once_and_notifies_in_lifecycle_order() {
    let (spec, calls) = probe("lc.success", "a").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.success")
        .finder(vec![spec])
        .listener(journal.clone());

    let plugin = manager.load("a").expect("a loads");

    assert_eq!(plugin.name(), "a");
    assert_eq!(calls.all(), (1, 1, 1));
    assert_eq!(
        journal.events(),
        [
            "resolve_after a",
            "init_after a",
            "load_before a ()",
            "load_after a \"a loaded with \"",
        ]
    );
    assert!(manager.is_loaded("a"));
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Loaded { plugin: state_plugin, .. }) if Arc::ptr_eq(state_plugin, &plugin)
    ));
}

#[test]
fn every_listener_hears_every_hook_in_the_order_they_were_added() {
    /// Writes its tag to a shared record on every hook it hears.
    struct Tagged(&'static str, Arc<Mutex<Vec<&'static str>>>);
    impl PluginLifecycleListener<Probe> for Tagged {
        fn on_init_after(&self, _: &PluginSpec, _: &Probe) {
            self.1.lock().expect("not poisoned").push(self.0);
        }
        fn on_load_after(&self, _: &PluginSpec, _: &Probe, _: &String) {
            self.1.lock().expect("not poisoned").push(self.0);
        }
    }

    let (spec, _) = probe("lc.two_listeners", "a").build();
    let record = Arc::new(Mutex::new(Vec::new()));
    let (first, second) = (Journal::new(), Journal::new());
    let manager = Manager::in_namespace("lc.two_listeners")
        .finder(vec![spec])
        .listener(first.clone())
        .listener(Tagged("first", record.clone()))
        .listener(second.clone())
        .listener(Tagged("second", record.clone()));

    manager.load("a").expect("a loads");

    assert_eq!(first.events().len(), 4);
    assert_eq!(first.events(), second.events());
    assert_eq!(
        *record.lock().expect("not poisoned"),
        ["first", "second", "first", "second"]
    );
}

#[test]
fn a_listener_shared_through_an_arc_is_a_listener() {
    /// Counts the plugins it heard loaded; not `Clone`, so the test shares it through an `Arc`.
    #[derive(Default)]
    struct Counting(AtomicUsize);
    impl PluginLifecycleListener<Probe> for Counting {
        fn on_load_after(&self, _: &PluginSpec, _: &Probe, _: &String) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    let (a, _) = probe("lc.arc_listener", "a").build();
    let (b, _) = probe("lc.arc_listener", "b").build();
    let counting = Arc::new(Counting::default());
    let manager = Manager::in_namespace("lc.arc_listener")
        .finder(vec![a, b])
        .listener(counting.clone());

    manager.load("a").expect("a loads");
    assert_eq!(counting.0.load(SeqCst), 1);

    // The same listener, added again at run time: it hears b twice.
    manager.add_listener(counting.clone());
    manager.load("b").expect("b loads");
    assert_eq!(counting.0.load(SeqCst), 3);
}

#[test]
fn the_state_moves_from_resolved_to_loaded() {
    let (spec, calls) = probe("lc.states", "a").build();
    let manager = Manager::in_namespace("lc.states").finder(vec![spec]);

    assert!(matches!(manager.state("a"), Some(PluginState::Resolved)));
    assert!(!manager.is_loaded("a"));
    assert!(manager.loaded().is_empty());
    // Listing and asking about plugins loads nothing.
    assert_eq!(manager.list_names(), ["a"]);
    assert_eq!(manager.list_specs().len(), 1);
    assert!(manager.exists("a"));
    assert_eq!(manager.states().len(), 1);
    assert_eq!(calls.all(), (0, 0, 0));

    let plugin = manager.load("a").expect("a loads");
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Loaded { .. })
    ));
    assert!(manager.is_loaded("a"));
    let loaded = manager.loaded();
    assert_eq!(loaded.len(), 1);
    assert!(Arc::ptr_eq(&loaded[0], &plugin));
}

#[test]
fn should_load_false_disables_the_plugin_without_an_error_and_load_never_runs() {
    let (off, off_calls) = probe("lc.should_load", "off").disabled().build();
    let (on, on_calls) = probe("lc.should_load", "on").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.should_load")
        .finder(vec![off, on])
        .listener(journal.clone());

    let error = manager
        .load("off")
        .expect_err("a disabled plugin is not returned");
    assert!(error.is_disabled());
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Disabled(DisabledReason::ShouldLoad)
    ));
    assert_eq!(
        error.to_string(),
        "plugin `lc.should_load/off`: disabled: should_load() returned false"
    );
    assert_eq!(off_calls.all(), (1, 1, 0));
    assert_eq!(
        journal.of("off"),
        [
            "resolve_after off",
            "init_after off",
            "disabled off: ShouldLoad"
        ]
    );
    assert!(matches!(
        manager.state("off"),
        Some(PluginState::Disabled(DisabledReason::ShouldLoad))
    ));

    // Disabled is an outcome, not a failure: try_load_all goes past it.
    let all = manager
        .try_load_all()
        .expect("a disabled plugin is no failure");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name(), "on");
    assert_eq!(on_calls.all(), (1, 1, 1));
    assert_eq!(off_calls.all(), (1, 1, 0), "nothing of `off` ran again");
}

#[test]
fn a_function_plugin_with_should_load_false_is_disabled() {
    fn never() -> bool {
        false
    }
    #[plugin(namespace = "lc.fn_should_load", should_load = never)]
    fn switched_off() {}
    #[plugin(namespace = "lc.fn_should_load")]
    fn switched_on() {}

    let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("lc.fn_should_load");
    let error = manager.load("switched_off").expect_err("disabled");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Disabled(DisabledReason::ShouldLoad)
    ));
    let all = manager.load_all();
    assert_eq!(all.len(), 1);
    all[0]();
}

#[test]
fn a_spec_should_load_false_disables_the_plugin_before_its_factory_runs() {
    let (off, off_calls) = probe("lc.spec_should_load", "off").build();
    let (on, on_calls) = probe("lc.spec_should_load", "on").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.spec_should_load")
        .finder(vec![
            off.with_should_load(|| false),
            on.with_should_load(|| true),
        ])
        .listener(journal.clone());

    let error = manager.load("off").expect_err("disabled");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Disabled(DisabledReason::ShouldLoad)
    ));
    assert_eq!(off_calls.all(), (0, 0, 0), "the factory of off never ran");
    assert_eq!(
        journal.of("off"),
        ["resolve_after off", "disabled off: ShouldLoad"]
    );
    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(on_calls.all(), (1, 1, 1));

    // Sticky like any outcome; a retry asks again.
    assert!(manager.retry("off").expect_err("still off").is_disabled());
    assert_eq!(off_calls.all(), (0, 0, 0));
}

/// A plugin type that owns its namespace and loads with a `String`: what a manager made with
/// `with_args` hands to every `load`.
#[derive(Default)]
struct Configured {
    loaded_with: Option<String>,
}

impl PluginInterface for Configured {
    const NAMESPACE: &'static str = "lc.args";
}

impl Plugin for Configured {
    type Args = String;
    type Output = String;

    fn load(&mut self, args: &String) -> Result<String, BoxError> {
        self.loaded_with = Some(args.clone());
        Ok(format!("loaded with {args}"))
    }
}

#[test]
fn load_args_reach_load_and_the_listener() {
    let spec = PluginSpec::new("lc.args", "a", || Ok(Box::new(Configured::default())))
        .expect("valid spec");
    let journal = Journal::new();
    let manager = PluginManager::<Configured>::with_args("the args".to_owned())
        .finder(vec![spec])
        .listener(journal.clone());

    let plugin = manager.load("a").expect("a loads");

    assert_eq!(plugin.loaded_with.as_deref(), Some("the args"));
    assert!(journal
        .events()
        .contains(&"load_before a \"the args\"".to_owned()));
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Loaded { output, .. }) if output == "loaded with the args"
    ));
}

#[test]
fn the_load_output_is_kept_in_the_state_and_given_to_on_load_after() {
    let (spec, _) = probe("lc.output", "a")
        .input("x")
        .on_load(|name, input| Ok(format!("output of {name} for {input:?}")))
        .build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.output")
        .finder(vec![spec])
        .listener(journal.clone());

    let plugin = manager.load("a").expect("a loads");

    let Some(PluginState::Loaded {
        plugin: kept,
        output,
    }) = manager.state("a")
    else {
        panic!("a is loaded");
    };
    assert!(Arc::ptr_eq(kept, &plugin));
    assert_eq!(output, "output of a for \"x\"");
    assert_eq!(
        journal.events().last().map(String::as_str),
        Some("load_after a \"output of a for \\\"x\\\"\"")
    );
    // states() reports the same.
    let states = manager.states();
    assert!(matches!(
        &states[..],
        [(spec, PluginState::Loaded { output, .. })]
            if spec.name() == "a" && output.as_str() == "output of a for \"x\""
    ));
}

#[test]
fn a_manager_filter_disables_the_plugin_before_its_factory_runs() {
    let (a, a_calls) = probe("lc.filter", "a").build();
    let (b, b_calls) = probe("lc.filter", "b").build();
    let seen = Arc::new(AtomicUsize::new(0));
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.filter")
        .finder(vec![a, b])
        .filter({
            let seen = seen.clone();
            move |_| {
                seen.fetch_add(1, SeqCst);
                true
            }
        })
        .filter(|spec| spec.name() != "b")
        .listener(journal.clone());

    let error = manager.load("b").expect_err("b is filtered out");
    assert!(error.is_disabled());
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Disabled(DisabledReason::Filter { index: 1 })
    ));
    assert_eq!(b_calls.all(), (0, 0, 0), "the factory of b never ran");
    assert_eq!(
        journal.of("b"),
        ["resolve_after b", "disabled b: Filter { index: 1 }"]
    );

    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(a_calls.all(), (1, 1, 1));
    assert_eq!(seen.load(SeqCst), 2, "each filter runs once per plugin");
    assert!(matches!(
        manager.state("b"),
        Some(PluginState::Disabled(DisabledReason::Filter { index: 1 }))
    ));
}

#[test]
fn filters_given_at_construction_apply_to_the_very_first_load() {
    // plux (Python) applied filters only from the second load on; here the first call of every
    // entry point respects them, whichever order the builder methods came in.
    type EntryPoint = fn(&Manager) -> usize;
    let entry_points: [(&str, EntryPoint); 4] = [
        ("load", |m| m.load("a").map_or(0, |_| 1)),
        ("retry", |m| m.retry("a").map_or(0, |_| 1)),
        ("load_all", |m| m.load_all().len()),
        ("try_load_all", |m| {
            m.try_load_all().map_or(0, |all| all.len())
        }),
    ];
    for (entry_point, call) in entry_points {
        for filter_first in [true, false] {
            let (spec, calls) = probe("lc.filter_first", "a").build();
            let manager = if filter_first {
                Manager::in_namespace("lc.filter_first")
                    .filter(|_| false)
                    .finder(vec![spec])
            } else {
                Manager::in_namespace("lc.filter_first")
                    .finder(vec![spec])
                    .filter(|_| false)
            };
            assert_eq!(
                call(&manager),
                0,
                "{entry_point}, filter first: {filter_first}"
            );
            assert_eq!(
                calls.factory(),
                0,
                "{entry_point}, filter first: {filter_first}"
            );
            assert!(matches!(
                manager.state("a"),
                Some(PluginState::Disabled(DisabledReason::Filter { index: 0 }))
            ));
        }
    }
}

#[test]
fn a_global_namespace_pattern_disables_every_plugin_of_the_namespace() {
    let (a, a_calls) = probe("lc.global.ns", "a").build();
    let (b, b_calls) = probe("lc.global.ns", "b").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.global.ns")
        .finder(vec![a, b])
        .listener(journal.clone());
    let pattern = PluginPattern::new()
        .namespace("lc.global.n?")
        .expect("glob");
    let guard = GlobalPattern::add(pattern);

    assert!(manager.load_all().is_empty());
    let error = manager.load("a").expect_err("disabled");
    let PluginErrorKind::Disabled(DisabledReason::GlobalFilter { pattern }) = error.kind() else {
        panic!("disabled by the global filter, not {error}");
    };
    assert_eq!(pattern, "namespace=lc.global.n?");
    assert_eq!((a_calls.factory(), b_calls.factory()), (0, 0));
    assert_eq!(
        journal.of("a"),
        [
            "resolve_after a",
            "disabled a: GlobalFilter { pattern: \"namespace=lc.global.n?\" }"
        ]
    );

    // Once the pattern is gone, a retry loads the plugin.
    drop(guard);
    assert!(manager.retry("a").is_ok());
    assert_eq!(a_calls.all(), (1, 1, 1));
}

#[test]
fn a_global_name_pattern_disables_only_that_name() {
    let (a, _) = probe("lc.global.name", "a").build();
    let (ab, _) = probe("lc.global.name", "ab").build();
    let (b, _) = probe("lc.global.name", "b").build();
    let manager = Manager::in_namespace("lc.global.name").finder(vec![a, ab, b]);
    let _guard = GlobalPattern::add(
        PluginPattern::new()
            .namespace("lc.global.name")
            .and_then(|p| p.name("a*"))
            .expect("glob"),
    );

    let names: Vec<String> = manager
        .load_all()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    assert_eq!(names, ["b"]);
    assert!(manager.load("ab").expect_err("disabled").is_disabled());
}

/// A plugin declared in a module of its own, for the module pattern.
mod module_filtered {
    #[plux::plugin(namespace = "lc.global.module")]
    fn in_filtered_module() {}
}

#[plugin(namespace = "lc.global.module")]
fn in_test_root() {}

#[test]
fn a_global_module_pattern_disables_the_plugins_declared_in_that_module() {
    let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("lc.global.module");
    let _guard = GlobalPattern::add(
        PluginPattern::new()
            .module("*::module_filtered")
            .expect("glob"),
    );

    let error = manager.load("in_filtered_module").expect_err("disabled");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::Disabled(DisabledReason::GlobalFilter { pattern })
            if pattern == "module=*::module_filtered"
    ));
    assert!(manager.load("in_test_root").is_ok());
}

#[test]
fn a_global_module_pattern_never_matches_a_spec_made_at_run_time() {
    let (a, calls) = probe("lc.global.module_rt", "a").build();
    let manager = Manager::in_namespace("lc.global.module_rt").finder(vec![a]);
    let _guard = GlobalPattern::add(
        PluginPattern::new()
            .namespace("lc.global.module_rt")
            .and_then(|p| p.module("*"))
            .expect("glob"),
    );

    assert!(manager.load("a").is_ok(), "run-time specs have no module");
    assert_eq!(calls.all(), (1, 1, 1));
}

#[test]
fn the_global_filter_leaves_loaded_plugins_loaded() {
    let (a, calls) = probe("lc.global.late", "a").build();
    let manager = Manager::in_namespace("lc.global.late").finder(vec![a]);
    let first = manager.load("a").expect("a loads");

    let _guard = GlobalPattern::add(
        PluginPattern::new()
            .namespace("lc.global.late")
            .expect("glob"),
    );

    let again = manager.load("a").expect("still loaded");
    assert!(Arc::ptr_eq(&first, &again));
    assert!(Arc::ptr_eq(
        &manager.retry("a").expect("still loaded"),
        &first
    ));
    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(calls.all(), (1, 1, 1));
}

#[test]
fn a_listener_added_later_hears_only_later_events() {
    let (a, _) = probe("lc.late_listener", "a").build();
    let (b, _) = probe("lc.late_listener", "b").build();
    let manager = Manager::in_namespace("lc.late_listener").finder(vec![a, b]);
    manager.load("a").expect("a loads");

    let journal = Journal::new();
    manager.add_listener(journal.clone());
    manager.load("a").expect("a is cached");
    assert!(journal.events().is_empty(), "nothing ran: nothing to hear");

    manager.load("b").expect("b loads");
    // Resolution happened before the listener was added, so it hears no resolve_after.
    assert_eq!(
        journal.events(),
        [
            "init_after b",
            "load_before b ()",
            "load_after b \"b loaded with \""
        ]
    );
}

#[test]
fn loading_again_returns_the_same_instance_and_runs_nothing() {
    let (a, calls) = probe("lc.cache", "a").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.cache")
        .finder(vec![a])
        .listener(journal.clone());

    let first = manager.load("a").expect("a loads");
    let events = journal.events();
    let second = manager.load("a").expect("a is cached");
    let from_all = manager.load_all();
    let from_try_all = manager.try_load_all().expect("a is loaded");
    let from_loaded = manager.loaded();

    assert!(Arc::ptr_eq(&first, &second));
    assert!(Arc::ptr_eq(&first, &from_all[0]));
    assert!(Arc::ptr_eq(&first, &from_try_all[0]));
    assert!(Arc::ptr_eq(&first, &from_loaded[0]));
    assert_eq!(calls.all(), (1, 1, 1));
    assert_eq!(journal.events(), events, "nothing new to hear");
}

/// Every way a plugin can end up not loaded: its name, the error kind, and how often the factory,
/// `should_load` and `load` have run once it got there.
const NOT_LOADED: [(&str, &str, (usize, usize, usize)); 7] = [
    ("factory_fails", "Factory", (1, 0, 0)),
    ("factory_panics", "Panicked", (1, 0, 0)),
    ("disabled", "Disabled", (1, 1, 0)),
    ("filtered", "Disabled", (0, 0, 0)),
    ("should_load_panics", "Panicked", (1, 1, 0)),
    ("load_fails", "Load", (1, 1, 1)),
    ("load_panics", "Panicked", (1, 1, 1)),
];

fn not_loaded_manager(namespace: &'static str) -> (Manager, Vec<(&'static str, Arc<Calls>)>) {
    let builds = [
        probe(namespace, "factory_fails").factory_fails(),
        probe(namespace, "factory_panics").factory_panics(),
        probe(namespace, "disabled").disabled(),
        probe(namespace, "filtered"),
        probe(namespace, "should_load_panics").should_load_panics(),
        probe(namespace, "load_fails").load_fails(),
        probe(namespace, "load_panics").load_panics(),
    ];
    let names = NOT_LOADED.map(|(name, _, _)| name);
    let (specs, calls): (Vec<_>, Vec<_>) = builds.into_iter().map(|b| b.build()).unzip();
    let manager = Manager::in_namespace(namespace)
        .finder(specs)
        .filter(|spec| spec.name() != "filtered");
    (manager, names.into_iter().zip(calls).collect())
}

#[test]
fn failed_and_disabled_plugins_are_sticky() {
    let (manager, calls) = not_loaded_manager("lc.sticky");
    let expected = NOT_LOADED;

    assert!(manager.load_all().is_empty());
    for ((name, calls), (expected_name, kind, ran)) in calls.iter().zip(&expected) {
        assert_eq!(name, expected_name);
        assert_eq!(calls.all(), *ran, "{name} after load_all");
        for _ in 0..3 {
            let error = manager.load(name).expect_err("not loaded");
            assert_eq!(kind_name(error.kind()), *kind, "{name}: {error}");
            assert_eq!(error.name(), Some(*name));
            assert_eq!(error.namespace(), "lc.sticky");
        }
        assert_eq!(calls.all(), *ran, "{name}: nothing ran again");
        let state_kind = match manager.state(name) {
            Some(PluginState::Failed(error)) => kind_name(error.kind()),
            Some(PluginState::Disabled(_)) => "Disabled",
            _ => "other",
        };
        assert_eq!(state_kind, *kind, "{name}");
    }
    assert!(manager.load_all().is_empty());
    assert!(manager.loaded().is_empty());
    for (name, calls) in &calls {
        let ran = expected.iter().find(|e| e.0 == *name).map(|e| e.2);
        assert_eq!(Some(calls.all()), ran, "{name}: load_all ran nothing again");
    }
}

#[test]
fn retry_runs_the_lifecycle_of_failed_and_disabled_plugins_again() {
    let (manager, calls) = not_loaded_manager("lc.retry_all");
    let expected = NOT_LOADED;
    manager.load_all();

    for ((name, calls), (_, kind, ran)) in calls.iter().zip(&expected) {
        let error = manager.retry(name).expect_err("fails the same way again");
        assert_eq!(kind_name(error.kind()), *kind, "{name}: {error}");
        let twice = (ran.0 * 2, ran.1 * 2, ran.2 * 2);
        assert_eq!(calls.all(), twice, "{name}: retry ran the lifecycle again");
    }
}

#[test]
fn a_retried_plugin_that_now_loads_is_loaded_and_its_old_error_is_gone() {
    let broken = Arc::new(AtomicBool::new(true));
    let (spec, calls) = probe("lc.retry_success", "a")
        .on_load({
            let broken = broken.clone();
            move |_, _| {
                if broken.load(SeqCst) {
                    Err("not configured".into())
                } else {
                    Ok("configured".to_owned())
                }
            }
        })
        .build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.retry_success")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("broken");
    assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
    broken.store(false, SeqCst);
    assert!(
        manager.load("a").is_err(),
        "sticky until retried, even if it would work now"
    );
    assert_eq!(calls.load(), 1);

    let retried = manager.retry("a").expect("works now");

    assert_eq!(calls.all(), (2, 2, 2));
    // plux (Python) kept returning the stale error after a successful retry.
    let loaded = manager.load("a").expect("the success replaced the error");
    assert!(Arc::ptr_eq(&retried, &loaded));
    assert!(manager.is_loaded("a"));
    assert_eq!(loaded_output(&manager, "a").as_deref(), Some("configured"));
    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(
        journal.hooks_of("a"),
        [
            "resolve_after",
            "init_after",
            "load_before",
            "load_exception",
            "init_after",
            "load_before",
            "load_after"
        ]
    );
}

#[test]
fn a_retried_disabled_plugin_that_now_wants_to_load_is_loaded() {
    let wanted = Arc::new(AtomicBool::new(false));
    let (spec, calls) = probe("lc.retry_disabled", "a")
        .should_load({
            let wanted = wanted.clone();
            move || wanted.load(SeqCst)
        })
        .build();
    let manager = Manager::in_namespace("lc.retry_disabled").finder(vec![spec]);

    assert!(manager.load("a").expect_err("disabled").is_disabled());
    wanted.store(true, SeqCst);
    let plugin = manager.retry("a").expect("wanted now");
    assert!(Arc::ptr_eq(&plugin, &manager.load("a").expect("loaded")));
    assert_eq!(calls.all(), (2, 2, 1));
}

#[test]
fn a_retry_that_fails_differently_records_the_new_error() {
    let attempt = Arc::new(AtomicUsize::new(0));
    let (spec, _) = probe("lc.retry_new_error", "a")
        .factory({
            let attempt = attempt.clone();
            move || match attempt.fetch_add(1, SeqCst) {
                0 => Err("first".into()),
                _ => Ok(()),
            }
        })
        .load_fails()
        .build();
    let manager = Manager::in_namespace("lc.retry_new_error").finder(vec![spec]);

    assert!(matches!(
        manager.load("a").expect_err("factory").kind(),
        PluginErrorKind::Factory(_)
    ));
    assert!(matches!(
        manager.retry("a").expect_err("load").kind(),
        PluginErrorKind::Load(_)
    ));
    assert!(matches!(
        manager.load("a").expect_err("load").kind(),
        PluginErrorKind::Load(_)
    ));
}

#[test]
fn retry_of_a_loaded_plugin_returns_the_same_instance_and_runs_nothing() {
    let (spec, calls) = probe("lc.retry_loaded", "a").build();
    let manager = Manager::in_namespace("lc.retry_loaded").finder(vec![spec]);
    let first = manager.load("a").expect("a loads");

    let retried = manager.retry("a").expect("still loaded");

    assert!(Arc::ptr_eq(&first, &retried));
    assert_eq!(calls.all(), (1, 1, 1));
}

#[test]
fn an_unknown_name_is_not_found() {
    let (spec, _) = probe("lc.not_found", "a").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.not_found")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("nope").expect_err("no such plugin");
    assert!(matches!(error.kind(), PluginErrorKind::NotFound { .. }));
    assert_eq!(
        (error.namespace(), error.name()),
        ("lc.not_found", Some("nope"))
    );
    assert_eq!(error.to_string(), "plugin `lc.not_found/nope`: not found");
    assert!(!error.is_disabled());
    assert!(matches!(
        manager.retry("nope").expect_err("still none").kind(),
        PluginErrorKind::NotFound { .. }
    ));
    assert!(manager.state("nope").is_none());
    assert!(!manager.exists("nope"));
    assert!(!manager.is_loaded("nope"));
    assert_eq!(
        journal.events(),
        ["resolve_after a"],
        "no hook for a lookup"
    );
}

#[test]
fn a_name_that_breaks_the_grammar_is_invalid_not_missing() {
    let (spec, _) = probe("lc.bad_name", "a").build();
    let manager = Manager::in_namespace("lc.bad_name").finder(vec![spec]);

    for name in ["", "a b", "-a", "a/b"] {
        let error = manager.load(name).expect_err("invalid");
        let PluginErrorKind::InvalidIdent(invalid) = error.kind() else {
            panic!("{name:?}: expected InvalidIdent, got {error}");
        };
        assert_eq!(invalid.kind, IdentKind::Name);
        assert_eq!(invalid.value, name);
        assert!(matches!(
            manager.retry(name).expect_err("invalid").kind(),
            PluginErrorKind::InvalidIdent(_)
        ));
        assert!(manager.state(name).is_none());
    }
}

#[test]
fn a_namespace_without_plugins_is_empty_not_an_error() {
    // The link-time registry (no finder) has nothing in this namespace.
    let manager = Manager::in_namespace("lc.nothing.here");

    assert!(manager.load_all().is_empty());
    assert!(manager.try_load_all().expect("no failure").is_empty());
    assert!(manager.list_names().is_empty());
    assert!(manager.states().is_empty());
    assert!(matches!(
        manager.load("x").expect_err("none").kind(),
        PluginErrorKind::NotFound { .. }
    ));

    // An empty finder too.
    let manager = Manager::in_namespace("lc.nothing.here").finder(Vec::new());
    assert!(manager.try_load_all().expect("no failure").is_empty());
}

#[test]
fn an_invalid_namespace_of_the_manager_is_an_error_reported_once() {
    let journal = Journal::new();
    let manager = Manager::in_namespace("bad ns").listener(journal.clone());

    let error = manager.load("x").expect_err("bad namespace");
    let PluginErrorKind::InvalidIdent(invalid) = error.kind() else {
        panic!("expected InvalidIdent, got {error}");
    };
    assert_eq!(invalid.kind, IdentKind::Namespace);
    assert_eq!(invalid.value, "bad ns");
    assert_eq!(error.namespace(), "bad ns");

    assert!(manager.load_all().is_empty());
    let error = manager.try_load_all().expect_err("bad namespace");
    assert!(matches!(error.kind(), PluginErrorKind::InvalidIdent(_)));
    // The error of the namespace itself names no plugin.
    assert_eq!(error.name(), None);
    assert_eq!(
        error.to_string(),
        format!("namespace `bad ns`: {}", error.kind())
    );
    assert!(matches!(
        manager.retry("x").expect_err("bad namespace").kind(),
        PluginErrorKind::InvalidIdent(_)
    ));
    assert!(manager.list_names().is_empty());
    assert!(!manager.exists("x"));
    assert_eq!(
        journal.events(),
        ["resolve_exception bad ns/: InvalidIdent"],
        "heard once, when the manager resolved"
    );
}

#[test]
fn a_duplicated_name_fails_naming_every_site_and_the_others_still_load() {
    let (first, first_calls) = probe("lc.duplicate", "a").build();
    let (second, second_calls) = probe("lc.duplicate", "a").build();
    let (other, other_calls) = probe("lc.duplicate", "b").build();
    let sites = [first.location(), second.location()];
    assert_ne!(sites[0], sites[1]);
    let journal = Journal::new();
    let manager = Manager::in_namespace("lc.duplicate")
        .finder(vec![second, other, first])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("duplicated");
    let PluginErrorKind::Duplicate(found) = error.kind() else {
        panic!("expected Duplicate, got {error}");
    };
    let mut found = found.clone();
    found.sort();
    let mut expected = sites.to_vec();
    expected.sort();
    assert_eq!(found, expected);
    for site in &sites {
        assert!(site.file.ends_with("lifecycle.rs"), "{site}");
        assert!(
            error
                .to_string()
                .contains(&format!("{}:{}", site.file, site.line)),
            "{error}"
        );
    }
    assert_eq!(manager.list_names(), ["a", "b"], "the name is listed once");

    let all = manager.load_all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name(), "b");
    assert_eq!(first_calls.all(), (0, 0, 0));
    assert_eq!(second_calls.all(), (0, 0, 0));
    assert_eq!(other_calls.all(), (1, 1, 1));

    // No retry can fix it.
    assert!(matches!(
        manager.retry("a").expect_err("duplicated").kind(),
        PluginErrorKind::Duplicate(_)
    ));
    assert_eq!(first_calls.all(), (0, 0, 0));
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Failed(error)) if matches!(error.kind(), PluginErrorKind::Duplicate(_))
    ));
    assert_eq!(
        journal
            .events()
            .iter()
            .filter(|e| e.starts_with("resolve_exception"))
            .collect::<Vec<_>>(),
        ["resolve_exception lc.duplicate/a: Duplicate"]
    );
    assert!(journal.of("a").is_empty(), "a was never resolved");
}

#[test]
fn specs_of_another_namespace_from_a_finder_are_ignored() {
    let (mine, _) = probe("lc.mine", "a").build();
    let (theirs, theirs_calls) = probe("lc.theirs", "b").build();

    /// A finder that ignores the namespace it is asked for.
    struct Careless(Vec<PluginSpec>);
    impl PluginFinder for Careless {
        fn find_plugins(&self, _: &str) -> Vec<PluginSpec> {
            self.0.clone()
        }
    }

    let manager = Manager::in_namespace("lc.mine").finder(Careless(vec![mine, theirs]));
    assert_eq!(manager.list_names(), ["a"]);
    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(theirs_calls.factory(), 0);
}

#[test]
fn two_managers_of_one_namespace_are_independent() {
    let (spec, calls) = probe("lc.two_managers", "a").build();
    let one = Manager::in_namespace("lc.two_managers").finder(vec![spec.clone()]);
    let two = Manager::in_namespace("lc.two_managers").finder(vec![spec]);

    let a1 = one.load("a").expect("loads");
    assert!(!two.is_loaded("a"));
    let a2 = two.load("a").expect("loads");

    assert!(!Arc::ptr_eq(&a1, &a2));
    assert_eq!(calls.all(), (2, 2, 2));
}

#[test]
fn with_after_and_with_before_add_to_the_names_given_before() {
    let (a, _) = probe("lc.after_appends", "a").build();
    let (b, _) = probe("lc.after_appends", "b").build();
    let (c, _) = probe("lc.after_appends", "c").build();
    let (d, _) = probe("lc.after_appends", "d").build();
    // Each call adds to the constraints: `a` comes after both `c` and `b`, `d` before both.
    let a = a.with_after(["c"]).unwrap().with_after(["b"]).unwrap();
    let d = d.with_before(["b"]).unwrap().with_before(["c"]).unwrap();
    assert_eq!(a.after().collect::<Vec<_>>(), ["c", "b"]);
    assert_eq!(d.before().collect::<Vec<_>>(), ["b", "c"]);
    let manager = Manager::in_namespace("lc.after_appends").finder(vec![a, b, c, d]);

    assert_eq!(manager.list_names(), ["d", "b", "c", "a"]);
    let names: Vec<String> = manager
        .load_all()
        .iter()
        .map(|p| p.name().to_owned())
        .collect();
    assert_eq!(names, ["d", "b", "c", "a"]);
}

#[test]
fn with_after_and_with_before_refuse_names_no_plugin_can_have() {
    for bad in ["", " ", "db ", "\"db\"", "a/b"] {
        let (spec, _) = probe("lc.after_invalid", "a").build();
        let error = spec.clone().with_after([bad]).unwrap_err();
        assert!(
            error.to_string().contains("plugin name"),
            "{bad:?}: {error}"
        );
        assert!(spec.with_before(["ok", bad]).is_err(), "{bad:?}");
    }
}

#[test]
fn an_unknown_order_name_is_quoted_in_messages() {
    let (a, _) = probe("lc.after_unknown", "a").build();
    let manager = Manager::in_namespace("lc.after_unknown")
        .finder(vec![a.with_after(["no-such.plugin"]).unwrap()]);
    let error = manager.load("a").unwrap_err();
    assert_eq!(
        error.to_string(),
        "plugin `lc.after_unknown/a`: `after = [\"no-such.plugin\"]` names no plugin of this namespace"
    );
}

#[test]
fn debug_shows_the_manager_and_states_without_the_plugins() {
    let (a, _) = probe("lc.debug", "a").disabled().build();
    let manager = Manager::in_namespace("lc.debug")
        .finder(vec![a])
        .listener(Journal::new())
        .listener(Journal::new())
        .filter(|_| true);
    let fresh = format!("{manager:?}");
    for part in [
        "namespace: \"lc.debug\"",
        "listeners: 2",
        "filters: 1",
        "resolved: None",
    ] {
        assert!(fresh.contains(part), "{part}: {fresh}");
    }
    manager.load_all();
    assert!(format!("{manager:?}").contains("resolved: Some(1)"));
    assert_eq!(
        format!("{:?}", manager.state("a").unwrap()),
        "Disabled(ShouldLoad)"
    );
}
