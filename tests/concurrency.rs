//! One manager, many threads: every lifecycle runs exactly once whoever asks and however many
//! ask at once, everyone gets the same instance, and a plugin that (directly, through other
//! plugins or through other threads) needs itself gets a `Reentrant` error instead of a deadlock.
//!
//! Every test that could hang on a regression runs inside `within`, which fails it after a
//! generous timeout instead. No assertion depends on timing: sleeps only make the interesting
//! interleaving likely, the assertions hold for every interleaving.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, LazyLock, Mutex, OnceLock, Weak};
use std::thread;
use std::time::Duration;

use plux::{FunctionPlugin, PluginError, PluginErrorKind, PluginManager, PluginState};
use plux_fixture_alpha::Greeter;
use plux_fixture_probe::{kind_name, kinds_in_chain, probe, within, Calls, Journal, Probe};

type Manager = PluginManager<Probe>;

fn assert_send_sync<T: ?Sized + Send + Sync>() {}

// A manager is shared between threads as it is (in a `static`, an `Arc`, or by reference).
const _: fn() = || {
    assert_send_sync::<Manager>();
    assert_send_sync::<PluginManager<dyn Greeter>>();
    assert_send_sync::<PluginManager<FunctionPlugin<fn(&mut Vec<String>)>>>();
    assert_send_sync::<PluginError>();
    assert_send_sync::<PluginState<'static, dyn Greeter>>();
};

/// A manager that its own plugins can reach: `handle.get()` inside a plugin's `load` or a
/// listener returns the manager that drives it.
#[derive(Clone, Default)]
struct Handle(Arc<OnceLock<Weak<Manager>>>);

impl Handle {
    fn get(&self) -> Arc<Manager> {
        self.0
            .get()
            .and_then(Weak::upgrade)
            .expect("the manager is set before use and outlives its plugins")
    }

    fn set(&self, manager: Manager) -> Arc<Manager> {
        let manager = Arc::new(manager);
        assert!(self.0.set(Arc::downgrade(&manager)).is_ok(), "set once");
        manager
    }
}

/// Whether `error`, or an error it was caused by, is a `Reentrant`.
fn has_cycle(error: &PluginError) -> bool {
    kinds_in_chain(error).contains(&"Reentrant")
}

const PLUGINS: usize = 20;

/// A stress plugin's name, its counters, and how often each step must have run at the end.
type Expected = (String, Arc<Calls>, (usize, usize, usize));

/// The stress plugins: most load, some fail in different ways, one is disabled, one filtered.
fn stress_plugins(ns: &str) -> (Vec<plux::PluginSpec>, Vec<Expected>) {
    let mut specs = Vec::new();
    let mut expected = Vec::new();
    for i in 0..PLUGINS {
        let name = format!("p{i:02}");
        let builder = probe(ns, &name);
        let (builder, ran) = match i {
            14 | 15 => (builder.load_fails(), (1, 1, 1)),
            16 => (builder.factory_fails(), (1, 0, 0)),
            17 => (builder.load_panics(), (1, 1, 1)),
            18 => (builder.disabled(), (1, 1, 0)),
            19 => (builder, (0, 0, 0)), // filtered out by the manager
            _ => (builder, (1, 1, 1)),
        };
        let (spec, calls) = builder.build();
        specs.push(spec);
        expected.push((name, calls, ran));
    }
    (specs, expected)
}

#[test]
fn many_threads_mixing_every_call_run_each_lifecycle_exactly_once_and_share_instances() {
    const THREADS: usize = 16;
    const CALLS: usize = 1000;
    let ns = "cc.stress";
    let (specs, expected) = stress_plugins(ns);
    let journal = Journal::new();
    let manager = Manager::in_namespace(ns)
        .finder(specs)
        .filter(|spec| spec.name() != "p19")
        .listener(journal.clone());
    let names: Vec<&str> = expected.iter().map(|(name, _, _)| name.as_str()).collect();
    let start = Barrier::new(THREADS);

    let seen: Vec<HashMap<String, Arc<Probe>>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (manager, names, start) = (&manager, &names, &start);
                scope.spawn(move || {
                    // The first instance this thread saw of each plugin.
                    let mut seen: HashMap<String, Arc<Probe>> = HashMap::new();
                    let mut check = |plugin: &Arc<Probe>| {
                        let first = seen
                            .entry(plugin.name().to_owned())
                            .or_insert_with(|| plugin.clone());
                        assert!(Arc::ptr_eq(first, plugin), "{} changed", plugin.name());
                    };
                    start.wait();
                    for i in 0..CALLS {
                        let name = names[(t * 7 + i * 13) % names.len()];
                        match (t + i) % 5 {
                            0 => manager.load_all().iter().for_each(&mut check),
                            1 | 2 => {
                                if let Ok(plugin) = manager.load(name) {
                                    check(&plugin);
                                }
                            }
                            3 => assert_eq!(manager.list_names().len(), PLUGINS),
                            _ => {
                                if manager.is_loaded(name) {
                                    check(&manager.load(name).expect("loaded stays loaded"));
                                }
                            }
                        }
                    }
                    seen
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("no worker panicked"))
            .collect()
    });

    for (name, calls, ran) in &expected {
        assert_eq!(calls.all(), *ran, "{name}: every step ran exactly once");
    }
    let loaded = manager.loaded();
    assert_eq!(loaded.len(), 14);
    for plugin in &loaded {
        for thread_seen in &seen {
            if let Some(seen) = thread_seen.get(plugin.name()) {
                assert!(Arc::ptr_eq(seen, plugin), "{}", plugin.name());
            }
        }
    }
    let resolved = journal
        .events()
        .iter()
        .filter(|e| e.starts_with("resolve_after"))
        .count();
    assert_eq!(resolved, PLUGINS, "the namespace was resolved once");
    let finished = journal
        .events()
        .iter()
        .filter(|e| {
            ["load_after", "load_exception", "init_exception", "disabled"]
                .iter()
                .any(|hook| e.starts_with(hook))
        })
        .count();
    assert_eq!(finished, PLUGINS, "one outcome heard per plugin");
}

/// A probe whose `load` tells `entered` it started, then blocks until `release` is dropped or
/// sent to, then returns `result`.
fn gated(
    ns: &str,
    name: &str,
    fail: bool,
) -> (
    plux::PluginSpec,
    Arc<Calls>,
    mpsc::Receiver<()>,
    mpsc::Sender<()>,
) {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let entered_tx = Mutex::new(entered_tx);
    let release_rx = Mutex::new(release_rx);
    let (spec, calls) = probe(ns, name)
        .on_load(move |name, _| {
            entered_tx.lock().expect("not poisoned").send(()).ok();
            release_rx.lock().expect("not poisoned").recv().ok();
            if fail {
                Err("slow failure".into())
            } else {
                Ok(format!("{name} slow"))
            }
        })
        .build();
    (spec, calls, entered, release)
}

#[test]
fn threads_asking_for_a_plugin_that_is_loading_wait_for_that_one_load() {
    within(|| {
        const WAITERS: usize = 8;
        let (spec, calls, entered, release) = gated("cc.slow", "slow", false);
        let manager = Arc::new(Manager::in_namespace("cc.slow").finder(vec![spec]));

        let first = thread::spawn({
            let manager = manager.clone();
            move || manager.load("slow")
        });
        entered.recv().expect("load started");
        assert!(matches!(manager.state("slow"), Some(PluginState::Loading)));
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let manager = manager.clone();
                thread::spawn(move || manager.load("slow"))
            })
            .collect();
        // Give the waiters time to block on the running load (plux, in Python, ran `load` once
        // per waiter here); the assertions hold however far they got.
        thread::sleep(Duration::from_millis(50));
        release.send(()).expect("load is waiting");

        let first = first.join().expect("no panic").expect("loads");
        for waiter in waiters {
            let plugin = waiter.join().expect("no panic").expect("loads");
            assert!(Arc::ptr_eq(&plugin, &first));
        }
        assert_eq!(calls.all(), (1, 1, 1), "load ran exactly once");
    });
}

#[test]
fn threads_waiting_for_a_load_that_fails_all_get_its_error() {
    within(|| {
        const WAITERS: usize = 8;
        let (spec, calls, entered, release) = gated("cc.slow_fail", "slow", true);
        let manager = Arc::new(Manager::in_namespace("cc.slow_fail").finder(vec![spec]));

        let first = thread::spawn({
            let manager = manager.clone();
            move || manager.load("slow")
        });
        entered.recv().expect("load started");
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let manager = manager.clone();
                thread::spawn(move || manager.load_all().len())
            })
            .collect();
        thread::sleep(Duration::from_millis(50));
        drop(release);

        let error = first.join().expect("no panic").expect_err("fails");
        assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
        for waiter in waiters {
            assert_eq!(waiter.join().expect("no panic"), 0);
        }
        assert_eq!(calls.all(), (1, 1, 1), "load ran exactly once");
    });
}

#[test]
fn a_plugin_may_load_plugins_of_another_namespace_while_loading() {
    within(|| {
        let (inner_spec, inner_calls) = probe("cc.inner", "x").build();
        let inner = Arc::new(Manager::in_namespace("cc.inner").finder(vec![inner_spec]));
        let (outer_spec, _) = probe("cc.outer", "a")
            .on_load({
                let inner = inner.clone();
                move |_, _| Ok(format!("uses {}", inner.load("x")?.name()))
            })
            .build();
        let outer = Manager::in_namespace("cc.outer").finder(vec![outer_spec]);

        outer.load("a").expect("a loads, using x");

        assert!(inner.is_loaded("x"));
        assert_eq!(inner_calls.all(), (1, 1, 1));
        assert!(matches!(
            outer.state("a"),
            Some(PluginState::Loaded { output, .. }) if output == "uses x"
        ));
    });
}

#[test]
fn a_plugin_may_load_another_plugin_of_its_own_manager_while_loading() {
    within(|| {
        let handle = Handle::default();
        let (a, _) = probe("cc.nested", "a")
            .on_load({
                let handle = handle.clone();
                move |_, _| Ok(format!("uses {}", handle.get().load("b")?.name()))
            })
            .build();
        let (b, b_calls) = probe("cc.nested", "b").build();
        let journal = Journal::new();
        let manager = handle.set(
            Manager::in_namespace("cc.nested")
                .finder(vec![a, b])
                .listener(journal.clone()),
        );

        let all = manager.load_all();

        assert_eq!(all.len(), 2);
        assert_eq!(b_calls.all(), (1, 1, 1), "b loaded once, inside a's load");
        let outcomes: Vec<String> = journal
            .events()
            .into_iter()
            .filter(|e| e.starts_with("load_"))
            .map(|e| e.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            outcomes,
            [
                "load_before a",
                "load_before b",
                "load_after b",
                "load_after a"
            ]
        );
    });
}

#[test]
fn a_listener_may_use_its_manager_from_a_load_hook() {
    within(|| {
        use plux::{PluginLifecycleListener, PluginSpec};

        struct LoadsB(Handle, Arc<AtomicUsize>);
        impl PluginLifecycleListener<Probe> for LoadsB {
            fn on_load_after(&self, spec: &PluginSpec, _: &Probe, _: &String) {
                if spec.name() == "a" {
                    let manager = self.0.get();
                    assert!(manager.load("b").is_ok());
                    assert!(matches!(manager.state("a"), Some(PluginState::Loading)));
                    self.1.fetch_add(1, SeqCst);
                }
            }
        }

        let handle = Handle::default();
        let (a, _) = probe("cc.listener_reenters", "a").build();
        let (b, b_calls) = probe("cc.listener_reenters", "b").build();
        let done = Arc::new(AtomicUsize::new(0));
        let manager = handle.set(
            Manager::in_namespace("cc.listener_reenters")
                .finder(vec![a, b])
                .listener(LoadsB(handle.clone(), done.clone())),
        );

        manager.load("a").expect("a loads");

        assert_eq!(done.load(SeqCst), 1, "the hook ran to its end");
        assert!(manager.is_loaded("b"));
        assert_eq!(b_calls.all(), (1, 1, 1));
    });
}

#[test]
fn a_listener_may_use_its_manager_from_on_resolve_after() {
    within(|| {
        use plux::{PluginLifecycleListener, PluginSpec};

        struct Lists(Handle, Arc<Mutex<Vec<usize>>>);
        impl PluginLifecycleListener<Probe> for Lists {
            fn on_resolve_after(&self, _: &PluginSpec) {
                let count = self.0.get().list_names().len();
                self.1.lock().expect("not poisoned").push(count);
            }
        }

        let handle = Handle::default();
        let (a, _) = probe("cc.resolve_reenters", "a").build();
        let counts = Arc::new(Mutex::new(Vec::new()));
        let manager = handle.set(
            Manager::in_namespace("cc.resolve_reenters")
                .finder(vec![a])
                .listener(Lists(handle.clone(), counts.clone())),
        );

        assert_eq!(manager.list_names(), ["a"]);
        assert_eq!(*counts.lock().expect("not poisoned"), [1]);
    });
}

static SELF_LOADING: LazyLock<Manager> = LazyLock::new(|| {
    let (spec, _) = probe("cc.self_cycle", "a")
        .on_load(|_, _| {
            // Asks its own manager for itself while being loaded by it.
            let itself = SELF_LOADING.load("a")?;
            Ok(format!("unreachable: got {}", itself.name()))
        })
        .build();
    Manager::in_namespace("cc.self_cycle").finder(vec![spec])
});

#[test]
fn a_plugin_that_loads_itself_gets_a_cycle_error_not_a_deadlock() {
    within(|| {
        let journal = Journal::new();
        SELF_LOADING.add_listener(journal.clone());

        let error = SELF_LOADING.load("a").expect_err("cycle");

        // `load` returned the Reentrant error it got, so `a` failed with it as the cause.
        assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
        assert_eq!(kinds_in_chain(&error), ["Load", "Reentrant"]);
        assert_eq!(
            journal.hooks_of("a"),
            [
                "resolve_after",
                "init_after",
                "load_before",
                "load_exception"
            ]
        );
        // Sticky like any failure, and no deadlock the second time either.
        assert_eq!(
            kind_name(SELF_LOADING.load("a").expect_err("sticky").kind()),
            "Load"
        );
    });
}

#[test]
fn a_cycle_through_two_plugins_fails_both_not_a_deadlock() {
    within(|| {
        let handle = Handle::default();
        let loads_other = |me: &str, other: &'static str| {
            let handle = handle.clone();
            probe("cc.two_cycle", me)
                .on_load(move |_, _| Ok(format!("got {}", handle.get().load(other)?.name())))
                .build()
        };
        let (a, a_calls) = loads_other("a", "b");
        let (b, b_calls) = loads_other("b", "a");
        let (c, _) = probe("cc.two_cycle", "c").build();
        let manager = handle.set(Manager::in_namespace("cc.two_cycle").finder(vec![a, b, c]));

        let error = manager.load("a").expect_err("a → b → a");

        // b asked for a, which was loading on this very thread: b got the Reentrant error, failed with
        // it, and a failed with b's error.
        assert_eq!(kinds_in_chain(&error), ["Load", "Load", "Reentrant"]);
        let b_error = manager.load("b").expect_err("b failed");
        assert_eq!(kinds_in_chain(&b_error), ["Load", "Reentrant"]);
        assert_eq!((a_calls.load(), b_calls.load()), (1, 1));
        assert_eq!(manager.load_all().len(), 1, "c is unaffected");
    });
}

#[test]
fn a_cycle_through_two_managers_fails_instead_of_deadlocking() {
    within(|| {
        let first = Handle::default();
        let second = Handle::default();
        let (a, _) = probe("cc.managers_one", "a")
            .on_load({
                let second = second.clone();
                move |_, _| Ok(format!("got {}", second.get().load("b")?.name()))
            })
            .build();
        let (b, _) = probe("cc.managers_two", "b")
            .on_load({
                let first = first.clone();
                move |_, _| Ok(format!("got {}", first.get().load("a")?.name()))
            })
            .build();
        let one = first.set(Manager::in_namespace("cc.managers_one").finder(vec![a]));
        let two = second.set(Manager::in_namespace("cc.managers_two").finder(vec![b]));

        let error = one.load("a").expect_err("a → b → a");

        assert_eq!(kinds_in_chain(&error), ["Load", "Load", "Reentrant"]);
        assert!(two.load("b").is_err());
    });
}

#[test]
fn a_plugin_that_handles_the_cycle_error_loads() {
    within(|| {
        let handle = Handle::default();
        let (a, _) = probe("cc.handled_cycle", "a")
            .on_load({
                let handle = handle.clone();
                move |_, _| match handle.get().load("a") {
                    Err(error) if matches!(error.kind(), PluginErrorKind::Reentrant) => {
                        Ok("without itself".to_owned())
                    }
                    other => Err(format!("expected a cycle, got {other:?}").into()),
                }
            })
            .build();
        let manager = handle.set(Manager::in_namespace("cc.handled_cycle").finder(vec![a]));

        manager.load("a").expect("a handled the cycle");
        assert!(manager.is_loaded("a"));
    });
}

#[test]
fn a_cycle_across_two_threads_fails_instead_of_deadlocking() {
    within(|| {
        // a (on one thread) and b (on another) are both loading when each asks for the other.
        let handle = Handle::default();
        let both_loading = Arc::new(Barrier::new(2));
        let loads_other = |me: &str, other: &'static str| {
            let (handle, both_loading) = (handle.clone(), both_loading.clone());
            probe("cc.thread_cycle", me)
                .on_load(move |_, _| {
                    both_loading.wait();
                    Ok(format!("got {}", handle.get().load(other)?.name()))
                })
                .build()
        };
        let (a, a_calls) = loads_other("a", "b");
        let (b, b_calls) = loads_other("b", "a");
        let manager = handle.set(Manager::in_namespace("cc.thread_cycle").finder(vec![a, b]));

        let (ta, tb) = (manager.clone(), manager.clone());
        let a = thread::spawn(move || ta.load("a"));
        let b = thread::spawn(move || tb.load("b"));
        let a = a.join().expect("no panic").expect_err("cycle");
        let b = b.join().expect("no panic").expect_err("cycle");

        // Whichever asked second got the Reentrant error; the other failed with its error.
        assert!(has_cycle(&a), "{a}");
        assert!(has_cycle(&b), "{b}");
        assert_eq!((a_calls.load(), b_calls.load()), (1, 1));
    });
}

#[test]
fn a_thread_that_just_loaded_a_plugin_may_wait_for_the_thread_that_waited_for_it() {
    // T1 loads z, whose load needs x, which T2 is loading: T1 waits for T2. T2 finishes x and
    // at once asks for z, which T1 is still loading: T2 must wait for T1, which is no longer
    // waiting for anything. That is no cycle; reporting one would be a false alarm.
    within(|| {
        for round in 0..20 {
            let ns = "cc.stale_wait";
            let handle = Handle::default();
            let (x_running_tx, x_running) = mpsc::channel::<()>();
            let x_running_tx = Mutex::new(x_running_tx);
            let x_running = Mutex::new(x_running);
            let (x, _) = probe(ns, "x")
                .on_load(move |_, _| {
                    x_running_tx.lock().expect("not poisoned").send(()).ok();
                    // Long enough for T1 to start waiting for x, most of the time.
                    thread::sleep(Duration::from_millis(5));
                    Ok("x".to_owned())
                })
                .build();
            let (z, _) = probe(ns, "z")
                .on_load({
                    let handle = handle.clone();
                    move |_, _| {
                        x_running.lock().expect("not poisoned").recv().ok();
                        Ok(format!("got {}", handle.get().load("x")?.name()))
                    }
                })
                .build();
            let manager = handle.set(Manager::in_namespace(ns).finder(vec![x, z]));

            let (t1, t2) = (manager.clone(), manager.clone());
            let t1 = thread::spawn(move || t1.load("z").map(|_| ()));
            let t2 = thread::spawn(move || {
                t2.load("x")?;
                t2.load("z").map(|_| ())
            });
            let t2 = t2.join().expect("no panic");
            let t1 = t1.join().expect("no panic");
            assert!(t1.is_ok(), "round {round}: T1: {t1:?}");
            assert!(t2.is_ok(), "round {round}: T2: {t2:?}");
        }
    });
}
