//! User code never runs under a plux lock and never unwinds out of a manager: the `Drop` of a
//! plugin or of an error, the `Display` of an error being logged. A plugin that loads itself
//! through a fresh manager gets a cycle error instead of recursing, and hooks keep their order
//! across threads. A listener can veto a plugin; an empty namespace that is probably a forgotten
//! `link_plugins!` says so.

use std::error::Error;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex, OnceLock, Weak};
use std::thread;
use std::time::Duration;

use plux::inspect::Report;
use plux::{
    BoxError, DisabledReason, FunctionPlugin, Plugin, PluginErrorKind, PluginLifecycleListener,
    PluginManager, PluginSpec, PluginState, Stage, Veto,
};
use plux_fixture_probe::{kind_name, kinds_in_chain, logged, probe, within, Journal, Probe};

/// The name of the kind that means "asked for while it is being loaded on this thread".
const REENTRANT: &str = "Reentrant";

/// An error whose `Drop` runs a hook: panics, or calls back into the manager.
struct Dropping {
    on_drop: Box<dyn Fn() + Send + Sync>,
}

impl fmt::Debug for Dropping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Dropping")
    }
}

impl fmt::Display for Dropping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error with a loud destructor")
    }
}

impl Error for Dropping {}

impl Drop for Dropping {
    fn drop(&mut self) {
        (self.on_drop)();
    }
}

/// A probe `a` whose first `load` fails with a `Dropping` error; later loads succeed.
fn fails_once_with(ns: &'static str, on_drop: impl Fn() + Send + Sync + 'static) -> PluginSpec {
    let on_drop: Arc<dyn Fn() + Send + Sync> = Arc::new(on_drop);
    let failed = Arc::new(AtomicBool::new(false));
    probe(ns, "a")
        .on_load(move |_, _| {
            if failed.swap(true, SeqCst) {
                return Ok("second time".into());
            }
            let on_drop = on_drop.clone();
            Err(Box::new(Dropping {
                on_drop: Box::new(move || on_drop()),
            }))
        })
        .build()
        .0
}

#[test]
fn retry_contains_a_panic_in_the_drop_of_the_error_it_replaces() {
    let ns = "f2.retry_drop_panics";
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![fails_once_with(ns, || panic!("error drop boom"))]);
    let first = manager.load("a").expect_err("the first load fails");
    assert_eq!(kind_name(first.kind()), "Load");
    drop(first); // the slot now holds the last copy

    let retried = catch_unwind(AssertUnwindSafe(|| manager.retry("a")));

    let retried = retried.expect("the panic of the old error's Drop does not escape retry");
    assert!(retried.is_ok(), "the second run loads");
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Loaded { .. })
    ));
}

#[test]
fn retry_drops_the_error_it_replaces_outside_the_slot_lock() {
    let ns = "f2.retry_drop_reenters";
    let handle: Arc<OnceLock<Weak<PluginManager<Probe>>>> = Arc::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let spec = fails_once_with(ns, {
        let (handle, seen) = (handle.clone(), seen.clone());
        move || {
            if let Some(manager) = handle.get().and_then(Weak::upgrade) {
                let state = manager.state("a").map(|state| state.to_string());
                seen.lock().expect("not poisoned").push(state);
            }
        }
    });
    let manager = Arc::new(PluginManager::<Probe>::in_namespace(ns).finder(vec![spec]));
    handle.set(Arc::downgrade(&manager)).expect("set once");
    drop(manager.load("a").expect_err("the first load fails"));

    let reloaded = within({
        let manager = manager.clone();
        move || manager.retry("a").is_ok()
    });

    assert!(reloaded);
    assert_eq!(
        *seen.lock().expect("not poisoned"),
        [Some("loading".to_owned())],
        "the Drop ran once, outside the lock, while the retry was running"
    );
}

/// A plugin whose `Drop` panics.
struct Grenade {
    enabled: bool,
    fails: bool,
}

impl Plugin for Grenade {
    type Args = ();
    type Output = ();
    fn should_load(&self) -> bool {
        self.enabled
    }
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        if self.fails {
            return Err("load says no".into());
        }
        Ok(())
    }
}

impl Drop for Grenade {
    fn drop(&mut self) {
        if !self.enabled || self.fails {
            panic!("plugin drop boom");
        }
    }
}

/// A product of another type than the manager's, whose `Drop` panics too.
struct Stranger;

impl Plugin for Stranger {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

impl Drop for Stranger {
    fn drop(&mut self) {
        panic!("stranger drop boom");
    }
}

#[test]
fn a_panic_in_the_drop_of_a_discarded_plugin_does_not_escape_load_all() {
    let ns = "f2.plugin_drop";
    let grenade = |name: &'static str, enabled, fails| {
        PluginSpec::new(ns, name, move || Ok(Box::new(Grenade { enabled, fails })))
            .expect("valid spec")
    };
    let specs = vec![
        grenade("disabled", false, false),
        grenade("fails", true, true),
        grenade("works", true, false),
        PluginSpec::new(ns, "wrong_type", || Ok(Box::new(Stranger))).expect("valid spec"),
    ];
    let manager = PluginManager::<Grenade>::in_namespace(ns).finder(specs);

    let loaded = catch_unwind(AssertUnwindSafe(|| manager.load_all().len()));

    assert_eq!(loaded.expect("no panic escapes load_all"), 1);
    let kinds: Vec<String> = ["disabled", "fails", "wrong_type"]
        .into_iter()
        .map(|name| match manager.state(name) {
            Some(PluginState::Disabled(_)) => "Disabled".to_owned(),
            Some(PluginState::Failed(error)) => kind_name(error.kind()).to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["Disabled", "Load", "WrongType"]);
}

/// An error whose `Display` panics.
#[derive(Debug)]
struct Unprintable;

impl fmt::Display for Unprintable {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("display boom")
    }
}

impl Error for Unprintable {}

#[test]
fn an_error_whose_display_panics_is_logged_as_a_placeholder() {
    logged(""); // installs the recorder
    let ns = "f2.display_panics";
    let (bad, _) = probe(ns, "bad")
        .on_load(|_, _| Err(Box::new(Unprintable)))
        .build();
    let (unmade, _) = probe(ns, "unmade")
        .factory(|| Err(Box::new(Unprintable)))
        .build();
    let (good, _) = probe(ns, "good").build();
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(vec![bad, unmade, good]);

    let loaded = catch_unwind(AssertUnwindSafe(|| manager.load_all().len()));

    assert_eq!(loaded.expect("no panic escapes load_all"), 1);
    assert_eq!(
        manager
            .load("bad")
            .map(|_| ())
            .map_err(|e| kind_name(e.kind())),
        Err("Load"),
        "the failure is the plugin's, not an interruption of the manager"
    );
    // The placeholder still says which plugin, and at which step.
    for (plugin, step) in [("bad", "load failed"), ("unmade", "factory failed")] {
        let lines = logged(&format!(
            "f2.display_panics/{plugin}`: {step} (its Display panicked"
        ));
        assert_eq!(
            lines.len(),
            1,
            "{plugin}: {:?}",
            logged("f2.display_panics")
        );
    }
}

/// The specs of a namespace with one plugin, `a`, whose `load` loads `a` again through a
/// manager of its own, as a plugin might that builds the manager it needs on the spot.
fn self_loading(ns: &'static str, depth: Arc<AtomicUsize>, all: bool) -> Vec<PluginSpec> {
    let (spec, _) = probe(ns, "a")
        .on_load(move |_, _| {
            // Bounded, so that the regression fails the test instead of overflowing the stack.
            if depth.fetch_add(1, SeqCst) > 8 {
                return Err("recursed 8 managers deep".into());
            }
            let fresh = PluginManager::<Probe>::in_namespace(ns).finder(self_loading(
                ns,
                depth.clone(),
                all,
            ));
            if all {
                // `load_all` reports a failure instead of returning it: nothing loads.
                return match fresh.load_all().len() {
                    0 => Ok("a without itself".into()),
                    n => Err(format!("{n} loaded").into()),
                };
            }
            fresh.load("a").map(|_| "a".to_owned()).map_err(Into::into)
        })
        .build();
    vec![spec]
}

#[test]
fn a_plugin_that_loads_itself_through_a_fresh_manager_gets_a_reentrant_error() {
    let ns = "f2.fresh_self";
    let depth = Arc::new(AtomicUsize::new(0));
    let manager =
        PluginManager::<Probe>::in_namespace(ns).finder(self_loading(ns, depth.clone(), false));

    let error = manager.load("a").expect_err("a needs itself");

    assert_eq!(kinds_in_chain(&error), ["Load", REENTRANT]);
    assert_eq!(
        depth.load(SeqCst),
        1,
        "a ran once, the fresh manager did not run it"
    );
}

#[test]
fn load_all_of_a_fresh_manager_inside_a_load_skips_the_plugin_being_loaded() {
    let ns = "f2.fresh_self_all";
    let depth = Arc::new(AtomicUsize::new(0));
    let manager =
        PluginManager::<Probe>::in_namespace(ns).finder(self_loading(ns, depth.clone(), true));

    let loaded = manager.load_all();

    assert_eq!(loaded.len(), 1);
    assert_eq!(depth.load(SeqCst), 1);
}

/// Records every hook, and holds `on_resolve_after` of `a` open until another thread has had
/// the chance to run `a`'s lifecycle (or a generous while has passed).
struct Order {
    events: Mutex<Vec<String>>,
    resolving: Mutex<Option<mpsc::Sender<()>>>,
    init: Mutex<Option<mpsc::Receiver<()>>>,
    init_done: Mutex<mpsc::Sender<()>>,
}

impl Order {
    fn push(&self, event: String) {
        self.events.lock().expect("not poisoned").push(event);
    }
}

impl PluginLifecycleListener<Probe> for Order {
    fn on_resolve_after(&self, spec: &PluginSpec) {
        if let Some(resolving) = self.resolving.lock().expect("not poisoned").take() {
            let _ = resolving.send(());
            if let Some(init) = self.init.lock().expect("not poisoned").take() {
                // Not an assertion: with the fix the other thread waits, so this times out.
                let _ = init.recv_timeout(Duration::from_millis(300));
            }
        }
        self.push(format!("resolve_after {}", spec.name()));
    }
    fn on_init_after(&self, spec: &PluginSpec, _: &Probe) {
        self.push(format!("init_after {}", spec.name()));
        let _ = self.init_done.lock().expect("not poisoned").send(());
    }
    fn on_load_after(&self, spec: &PluginSpec, _: &Probe, _: &String) {
        self.push(format!("load_after {}", spec.name()));
    }
}

#[test]
fn no_thread_hears_of_a_lifecycle_before_its_resolution_is_reported() {
    within(|| {
        let ns = "f2.hook_order";
        let (a, _) = probe(ns, "a").build();
        let (resolving, resolution_started) = mpsc::channel();
        let (init_done, init) = mpsc::channel();
        let order = Arc::new(Order {
            events: Mutex::default(),
            resolving: Mutex::new(Some(resolving)),
            init: Mutex::new(Some(init)),
            init_done: Mutex::new(init_done),
        });
        struct Shared(Arc<Order>);
        impl PluginLifecycleListener<Probe> for Shared {
            fn on_resolve_after(&self, spec: &PluginSpec) {
                self.0.on_resolve_after(spec)
            }
            fn on_init_after(&self, spec: &PluginSpec, plugin: &Probe) {
                self.0.on_init_after(spec, plugin)
            }
            fn on_load_after(&self, spec: &PluginSpec, plugin: &Probe, output: &String) {
                self.0.on_load_after(spec, plugin, output)
            }
        }
        let manager = Arc::new(
            PluginManager::<Probe>::in_namespace(ns)
                .finder(vec![a])
                .listener(Shared(order.clone())),
        );

        let resolver = thread::spawn({
            let manager = manager.clone();
            move || manager.list_names().len()
        });
        resolution_started.recv().expect("the resolver reports");
        let loader = thread::spawn({
            let manager = manager.clone();
            move || manager.load("a").is_ok()
        });

        assert_eq!(resolver.join().expect("no panic"), 1);
        assert!(loader.join().expect("no panic"));
        assert_eq!(
            *order.events.lock().expect("not poisoned"),
            ["resolve_after a", "init_after a", "load_after a"]
        );
    });
}

// 6. A listener can veto a plugin, with its own reason.

/// Vetoes the plugins named in its list while `strict` is on; counts how often it was asked.
#[derive(Clone, Default)]
struct Gatekeeper {
    banned: &'static [&'static str],
    lenient: Arc<AtomicBool>,
    asked: Arc<AtomicUsize>,
}

impl PluginLifecycleListener<Probe> for Gatekeeper {
    fn approve(&self, spec: &PluginSpec, _: &Probe) -> Result<(), Veto> {
        self.asked.fetch_add(1, SeqCst);
        if self.banned.contains(&spec.name()) && !self.lenient.load(SeqCst) {
            return Err(Veto::new(format!("{} is banned here", spec.name())));
        }
        Ok(())
    }
}

#[test]
fn a_listener_veto_disables_the_plugin_with_its_reason_everywhere() {
    let ns = "f2.veto";
    let (banned, banned_calls) = probe(ns, "banned").build();
    let (fine, _) = probe(ns, "fine").build();
    let journal = Journal::new();
    let gate = Gatekeeper {
        banned: &["banned"],
        ..Gatekeeper::default()
    };
    let after_gate = Gatekeeper::default();
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![banned, fine])
        .listener(journal.clone())
        .listener(gate.clone())
        .listener(after_gate.clone());

    let loaded: Vec<String> = manager.load_all().iter().map(|p| p.name().into()).collect();
    assert_eq!(loaded, ["fine"]);
    assert!(manager.try_load_all().is_ok(), "disabled is not a failure");

    let vetoed = DisabledReason::Vetoed {
        listener: 1,
        reason: "banned is banned here".into(),
    };
    let error = manager.load("banned").unwrap_err();
    assert!(
        matches!(error.kind(), PluginErrorKind::Disabled(reason) if *reason == vetoed),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "plugin `f2.veto/banned`: disabled: vetoed by listener #1: banned is banned here"
    );
    assert!(
        matches!(manager.state("banned"), Some(PluginState::Disabled(reason)) if reason == vetoed)
    );
    // Made and asked, never loaded; the listeners after the veto were not asked about it.
    assert_eq!(banned_calls.all(), (1, 1, 0));
    assert_eq!(gate.asked.load(SeqCst), 2);
    assert_eq!(after_gate.asked.load(SeqCst), 1, "only `fine` reached it");
    // Every listener, the vetoing one included, hears it as a disabled plugin.
    assert_eq!(
        journal.hooks_of("banned"),
        ["resolve_after", "init_after", "disabled"]
    );
    assert!(journal.of("banned")[2].contains("banned is banned here"));

    let report = Report::collect().with_states(&manager);
    let text = report.to_string();
    assert!(
        text.contains("= disabled: vetoed by listener #1: banned is banned here"),
        "{text}"
    );
    assert!(text.contains("= loaded"), "{text}");
    let json = report.to_json();
    assert!(
        json.contains(
            r#""status":{"state":"disabled","reason":"vetoed by listener #1: banned is banned here"}"#
        ),
        "{json}"
    );
}

#[test]
fn retry_asks_the_listeners_again() {
    let ns = "f2.veto.retry";
    let (banned, calls) = probe(ns, "banned").build();
    let gate = Gatekeeper {
        banned: &["banned"],
        ..Gatekeeper::default()
    };
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![banned])
        .listener(gate.clone());
    assert!(manager.load("banned").unwrap_err().is_disabled());
    assert!(manager.load("banned").unwrap_err().is_disabled());
    assert_eq!(
        gate.asked.load(SeqCst),
        1,
        "a veto is recorded like any outcome"
    );

    gate.lenient.store(true, SeqCst);
    assert_eq!(manager.retry("banned").unwrap().name(), "banned");
    assert_eq!(calls.all(), (2, 2, 1));
}

#[test]
fn an_approve_that_panics_fails_the_plugin_instead_of_letting_it_through() {
    struct Broken;
    impl PluginLifecycleListener<Probe> for Broken {
        fn approve(&self, _: &PluginSpec, _: &Probe) -> Result<(), Veto> {
            panic!("policy store unreachable")
        }
    }
    let ns = "f2.veto.panics";
    let (plugin, calls) = probe(ns, "p").build();
    let journal = Journal::new();
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![plugin])
        .listener(journal.clone())
        .listener(Broken);

    assert!(manager.load_all().is_empty());
    let error = manager.load("p").unwrap_err();
    assert!(
        matches!(
            error.kind(),
            PluginErrorKind::Panicked { stage: Stage::Approve, message }
                if message == "policy store unreachable"
        ),
        "{error:?}"
    );
    assert_eq!(calls.load(), 0, "load never ran");
    assert_eq!(
        journal.hooks_of("p"),
        ["resolve_after", "init_after", "load_exception"]
    );
}

// 7. Loud where it was silent.

#[test]
fn an_empty_namespace_in_a_program_without_link_plugins_warns_once() {
    logged(""); // installs the recorder first
    #[plux::hook_point(namespace = "f2.nothing.here")]
    struct NothingHere(fn());
    #[plux::hook_point(namespace = "f2.nothing.there")]
    struct NothingThere(fn());
    // A namespace given by name may be empty on purpose: no warning.
    type Hooks = PluginManager<FunctionPlugin<fn()>>;
    assert!(Hooks::in_namespace("f2.by.name").load_all().is_empty());
    assert!(PluginManager::<NothingHere>::new().load_all().is_empty());
    assert!(PluginManager::<NothingThere>::new().load_all().is_empty());
    let warnings = logged("has no plugins, and this program has no `plux::link_plugins!()`");
    assert_eq!(warnings.len(), 1, "once per process: {warnings:?}");
    let (level, line) = &warnings[0];
    assert_eq!(*level, log::Level::Warn);
    assert!(line.contains("Add `plux::link_plugins!();`"), "{line}");
}

// 5. An ordering cycle is logged once, not once per member.

#[test]
fn an_ordering_cycle_is_logged_once_with_its_size() {
    logged(""); // installs the recorder first
    let ns = "f2.ring";
    let member = |i: usize| format!("m{i:02}");
    let specs: Vec<PluginSpec> = (0..50)
        .map(|i| {
            let (spec, _) = probe(ns, &member(i)).build();
            spec.with_after([member((i + 49) % 50)]).unwrap()
        })
        .collect();
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(specs);
    assert!(manager.load_all().is_empty());
    let lines = logged("`f2.ring`: ordering cycle");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (level, line) = &lines[0];
    assert_eq!(*level, log::Level::Error);
    assert!(
        line.contains("ordering cycle of 50 plugins between m00, m01"),
        "{line}"
    );
    assert!(
        line.contains("and 30 more"),
        "the first 20 names, not all 50: {line}"
    );
}
