//! The features that came after the core hold like it: a parallel start re-entered from inside a
//! lifecycle (same manager, fresh manager, a listener) reports `Reentrant` instead of hanging or
//! recursing; a panicking logger is contained; a parallel start runs no more threads than it can
//! use.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::thread;
use std::time::Duration;

use plux::{PluginLifecycleListener, PluginManager, PluginSpec, PluginState};
use plux_fixture_probe::{kind_name, probe, within, Probe};

fn threads(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("not zero")
}

/// `n` probes `p0`..`p{n-1}` of `ns` with nothing between them.
fn plain(ns: &str, n: usize) -> Vec<PluginSpec> {
    (0..n)
        .map(|i| probe(ns, &format!("p{i}")).build().0)
        .collect()
}

/// [`plain`] probes whose `load` takes a few milliseconds: while the thread that starts them
/// loads one, the other workers take the rest of the queue.
fn slow(ns: &str, n: usize) -> Vec<PluginSpec> {
    (0..n)
        .map(|i| {
            probe(ns, &format!("p{i}"))
                .on_load(|_, _| {
                    thread::sleep(Duration::from_millis(3));
                    Ok(String::new())
                })
                .build()
                .0
        })
        .collect()
}

/// A manager of `ns` with a `supervisor` whose `load` starts the whole namespace in parallel on
/// the manager that loads it, next to `others` plain plugins.
fn supervised(ns: &'static str, others: usize) -> Arc<PluginManager<Probe>> {
    Arc::new_cyclic(|me: &Weak<PluginManager<Probe>>| {
        let me = me.clone();
        let (supervisor, _) = probe(ns, "supervisor")
            .on_load(move |_, _| {
                let manager = me.upgrade().ok_or("manager gone")?;
                let loaded = manager.load_all_parallel(threads(4));
                Ok(format!("{} loaded under me", loaded.len()))
            })
            .build();
        let specs = std::iter::once(supervisor)
            .chain(plain(ns, others))
            .collect::<Vec<_>>();
        PluginManager::<Probe>::in_namespace(ns).finder(specs)
    })
}

#[test]
fn load_all_parallel_from_inside_a_load_of_the_same_manager_does_not_hang() {
    within(|| {
        for _ in 0..40 {
            let manager = supervised("f3.supervisor", 12);

            let loaded = manager.load_all_parallel(threads(4));

            assert_eq!(
                loaded.len(),
                13,
                "the supervisor and every other plugin load"
            );
            let supervisor = manager.load("supervisor").expect("loaded");
            assert!(supervisor.name() == "supervisor");
        }
    });
}

/// Starts the namespace of the manager that loads a plugin in parallel, from `on_load_after`.
struct Starter(OnceLock<Weak<PluginManager<Probe>>>);

impl PluginLifecycleListener<Probe> for Starter {
    fn on_load_after(&self, spec: &PluginSpec, _: &Probe, _: &String) {
        if spec.name() == "p0" {
            if let Some(manager) = self.0.get().and_then(Weak::upgrade) {
                manager.load_all_parallel(threads(4));
            }
        }
    }
}

#[test]
fn load_all_parallel_from_a_listener_does_not_hang() {
    within(|| {
        for _ in 0..40 {
            let starter = Arc::new(Starter(OnceLock::new()));
            let manager = Arc::new(
                PluginManager::<Probe>::in_namespace("f3.listener")
                    .finder(plain("f3.listener", 12))
                    .listener(starter.clone()),
            );
            let _ = starter.0.set(Arc::downgrade(&manager));

            assert_eq!(manager.load_all_parallel(threads(4)).len(), 12);
        }
    });
}

/// The specs of a namespace whose plugin `a` starts a fresh manager of its own namespace in
/// parallel from its `load`, next to two plain plugins.
fn fresh_starter(ns: &'static str, made: Arc<AtomicUsize>) -> Vec<PluginSpec> {
    let counted = made.clone();
    let (a, _) = probe(ns, "a")
        .on_load(move |_, _| {
            // Bounded, so that the regression fails instead of overflowing the stack.
            if counted.fetch_add(1, SeqCst) > 50 {
                return Err("recursed 50 managers deep".into());
            }
            let fresh =
                PluginManager::<Probe>::in_namespace(ns).finder(fresh_starter(ns, counted.clone()));
            let loaded = fresh.load_all_parallel(threads(4));
            let names: Vec<_> = loaded.iter().map(|p| p.name().to_owned()).collect();
            Ok(names.join(","))
        })
        .build();
    let mut specs = slow(ns, 6);
    specs.push(a);
    specs
}

#[test]
fn load_all_parallel_of_a_fresh_manager_does_not_rerun_the_plugin_that_called_it() {
    within(|| {
        let made = Arc::new(AtomicUsize::new(0));
        let manager = PluginManager::<Probe>::in_namespace("f3.fresh")
            .finder(fresh_starter("f3.fresh", made.clone()));

        let loaded = manager.load_all_parallel(threads(4));

        assert_eq!(loaded.len(), 7);
        assert_eq!(
            made.load(SeqCst),
            1,
            "a ran once: the workers knew it was running"
        );
        let a = manager.load("a").expect("loaded");
        assert_eq!(a.loaded_with(), Some(""));
    });
}

#[test]
fn nested_parallel_starts_through_fresh_managers_each_skip_what_their_callers_run() {
    // `outer/x` starts `inner` in parallel; `inner/y` starts `outer` in parallel on a fresh
    // manager, whose `x` its caller's caller is running.
    fn outer(made: Arc<AtomicUsize>) -> Vec<PluginSpec> {
        let (x, _) = probe("f3.nested_outer", "x")
            .on_load(move |_, _| {
                if made.fetch_add(1, SeqCst) > 20 {
                    return Err("recursed".into());
                }
                let inner = PluginManager::<Probe>::in_namespace("f3.nested_inner")
                    .finder(inner(made.clone()));
                Ok(inner.load_all_parallel(threads(3)).len().to_string())
            })
            .build();
        let mut specs = slow("f3.nested_outer", 3);
        specs.push(x);
        specs
    }
    fn inner(made: Arc<AtomicUsize>) -> Vec<PluginSpec> {
        let (y, _) = probe("f3.nested_inner", "y")
            .on_load(move |_, _| {
                let outer = PluginManager::<Probe>::in_namespace("f3.nested_outer")
                    .finder(outer(made.clone()));
                Ok(outer.load_all_parallel(threads(3)).len().to_string())
            })
            .build();
        let mut specs = slow("f3.nested_inner", 3);
        specs.push(y);
        specs
    }
    within(|| {
        let made = Arc::new(AtomicUsize::new(0));
        let manager =
            PluginManager::<Probe>::in_namespace("f3.nested_outer").finder(outer(made.clone()));

        assert_eq!(manager.load_all_parallel(threads(3)).len(), 4);
        assert_eq!(made.load(SeqCst), 1, "x ran once");
        // y's fresh outer manager loaded its three plain plugins, not x.
        assert_eq!(manager.load("x").expect("loaded").name(), "x");
    });
}

/// A logger that panics on every line about a namespace that contains `f3.loud`, as a logger
/// writing into a closed pipe does, and also when asked whether it is enabled for one.
struct Loud;

impl log::Log for Loud {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if record.args().to_string().contains("f3.loud") {
            panic!("the logger broke");
        }
    }
    fn flush(&self) {}
}

fn loud_logger() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Loud).expect("the only logger of this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

#[test]
fn a_panicking_logger_does_not_escape_load_all_or_interrupt_a_plugin() {
    loud_logger();
    let ns = "f3.loud_all";
    let mut specs = plain(ns, 3);
    specs.push(probe(ns, "broken").load_fails().build().0);
    specs.push(probe(ns, "off").disabled().build().0);
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(specs);

    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| manager.load_all()))
        .expect("the logger's panic does not escape load_all");

    assert_eq!(loaded.len(), 3);
    for name in ["p0", "p1", "p2"] {
        assert!(matches!(
            manager.state(name),
            Some(PluginState::Loaded { .. })
        ));
    }
    let broken = manager.load("broken").expect_err("fails");
    assert_eq!(kind_name(broken.kind()), "Load");
    let off = manager.load("off").expect_err("disabled");
    assert_eq!(kind_name(off.kind()), "Disabled");
}

#[test]
fn a_panicking_logger_does_not_stall_a_parallel_start() {
    loud_logger();
    within(|| {
        let ns = "f3.loud_parallel";
        let mut specs = plain(ns, 16);
        specs.push(probe(ns, "broken").load_fails().build().0);
        let manager = PluginManager::<Probe>::in_namespace(ns).finder(specs);

        let loaded = manager.load_all_parallel(threads(4));

        assert_eq!(loaded.len(), 16);
        assert_eq!(
            kind_name(manager.load("broken").expect_err("fails").kind()),
            "Load"
        );
    });
}

/// Probes that record the threads their `load` ran on, and wait `pause` there.
fn recording(
    ns: &str,
    n: usize,
    chained: bool,
    pause: Duration,
    seen: Arc<Mutex<HashSet<thread::ThreadId>>>,
) -> Vec<PluginSpec> {
    (0..n)
        .map(|i| {
            let seen = seen.clone();
            let spec = probe(ns, &format!("p{i:04}"))
                .on_load(move |_, _| {
                    seen.lock()
                        .expect("not poisoned")
                        .insert(thread::current().id());
                    thread::sleep(pause);
                    Ok(String::new())
                })
                .build()
                .0;
            if chained && i > 0 {
                spec.with_requires([format!("p{:04}", i - 1)])
                    .expect("a valid name")
            } else {
                spec
            }
        })
        .collect()
}

#[test]
fn a_chain_starts_on_one_thread_whatever_it_is_asked_for() {
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let ns = "f3.cap_chain";
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(recording(
        ns,
        200,
        true,
        Duration::ZERO,
        seen.clone(),
    ));

    assert_eq!(manager.load_all_parallel(threads(10_000)).len(), 200);

    let seen = seen.lock().expect("not poisoned");
    assert_eq!(seen.len(), 1, "no plugin was ever ready next to another");
    assert!(seen.contains(&thread::current().id()));
}

#[test]
fn a_parallel_start_runs_at_most_max_threads() {
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let ns = "f3.cap_wide";
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(recording(
        ns,
        300,
        false,
        Duration::from_millis(20),
        seen.clone(),
    ));

    assert_eq!(manager.load_all_parallel(threads(100_000)).len(), 300);

    let used = seen.lock().expect("not poisoned").len();
    assert!(
        (2..=PluginManager::<Probe>::MAX_THREADS).contains(&used),
        "{used} threads"
    );
}

#[test]
fn a_parallel_start_fails_the_members_of_a_cycle_and_loads_the_rest() {
    let ns = "f3.cycles";
    let build = |name: &str| probe(ns, name).build().0;
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(vec![
        build("a").with_after(["c"]).expect("a valid name"),
        build("b").with_after(["a"]).expect("a valid name"),
        build("c").with_after(["b"]).expect("a valid name"),
        build("d").with_after(["a"]).expect("a valid name"),
        build("e").with_before(["e"]).expect("a valid name"), // a cycle of one
        build("f"),
    ]);

    // A plugin that must come after itself waits on nothing: it fails, it does not stall.
    let (manager, names) = within(move || {
        let loaded = manager.load_all_parallel(threads(4));
        let names: Vec<_> = loaded.iter().map(|p| p.name().to_owned()).collect();
        (manager, names)
    });

    assert_eq!(names, ["d", "f"], "as load_all loads them");
    for name in ["a", "b", "c", "e"] {
        let state = manager.state(name);
        let kind = match &state {
            Some(PluginState::Failed(error)) => kind_name(error.kind()),
            _ => "not failed",
        };
        assert_eq!(kind, "OrderCycle", "{name}: {state:?}");
    }
}

#[test]
fn the_threads_of_a_parallel_start_are_numbered_apart() {
    let ns = "f3.names";
    let names = Arc::new(Mutex::new(HashMap::new()));
    let specs: Vec<_> = (0..40)
        .map(|i| {
            let names = names.clone();
            probe(ns, &format!("p{i:02}"))
                .on_load(move |_, _| {
                    let me = thread::current();
                    let name = me.name().unwrap_or_default().to_owned();
                    names.lock().expect("not poisoned").insert(me.id(), name);
                    thread::sleep(Duration::from_millis(2));
                    Ok(String::new())
                })
                .build()
                .0
        })
        .collect();
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(specs);

    assert_eq!(manager.load_all_parallel(threads(6)).len(), 40);

    let mut names = names.lock().expect("not poisoned");
    names.remove(&thread::current().id());
    let mut numbers: Vec<usize> = names
        .values()
        .map(|name| {
            name.strip_prefix("plux-start-")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a loader thread named {name:?}"))
        })
        .collect();
    numbers.sort_unstable();
    assert!(
        !numbers.is_empty(),
        "40 plugins ready at once start a thread"
    );
    // This thread is the first; the others count on from 2, each its own number.
    let expected: Vec<usize> = (2..numbers.len() + 2).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn a_parallel_start_starts_threads_again_after_its_threads_waited() {
    // `r1` loads at once; `r2` takes a while, so that the thread done with `r1` waits for a
    // plugin to be ready. Then `s0`..`s2` are ready together, and the start must have three
    // threads for them again: they only return once all three are loading at once.
    let ns = "f3.regrow";
    let r1_done = Arc::new((Mutex::new(false), Condvar::new()));
    let met = Arc::new((Mutex::new(0usize), Condvar::new()));
    let mut specs = Vec::new();
    let done = r1_done.clone();
    specs.push(
        probe(ns, "r1")
            .on_load(move |_, _| {
                *done.0.lock().expect("not poisoned") = true;
                done.1.notify_all();
                Ok(String::new())
            })
            .build()
            .0,
    );
    let done = r1_done.clone();
    specs.push(
        probe(ns, "r2")
            .on_load(move |_, _| {
                let r1 = done.0.lock().expect("not poisoned");
                drop(done.1.wait_while(r1, |done| !*done).expect("not poisoned"));
                thread::sleep(Duration::from_millis(50));
                Ok(String::new())
            })
            .build()
            .0,
    );
    for i in 0..3 {
        let met = met.clone();
        let spec = probe(ns, &format!("s{i}"))
            .on_load(move |_, _| {
                let mut count = met.0.lock().expect("not poisoned");
                *count += 1;
                met.1.notify_all();
                let (count, waited) = met
                    .1
                    .wait_timeout_while(count, Duration::from_secs(10), |count| *count < 3)
                    .expect("not poisoned");
                match waited.timed_out() {
                    false => Ok(String::new()),
                    true => Err(format!("only {count} of s0..s2 loading at once").into()),
                }
            })
            .build()
            .0;
        specs.push(spec.with_requires(["r2"]).expect("a valid name"));
    }
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(specs);

    let loaded = within(move || manager.load_all_parallel(threads(4)).len());

    assert_eq!(
        loaded, 5,
        "s0..s2 all loaded at once, each on a thread of its own"
    );
}

/// A load's outcome: loaded, or the name of its error's kind.
type Loaded = Result<(), &'static str>;

/// Loads `a` (loaded) and `b` (fresh) of its manager when the thread that owns it exits, and
/// sends the outcomes back.
struct LoadsOnExit {
    manager: Arc<PluginManager<Probe>>,
    outcome: std::sync::mpsc::Sender<(Loaded, Loaded)>,
}

impl Drop for LoadsOnExit {
    fn drop(&mut self) {
        let kind = |result: Result<Arc<Probe>, plux::PluginError>| {
            result.map(drop).map_err(|error| kind_name(error.kind()))
        };
        let loaded = kind(self.manager.load("a"));
        let fresh = kind(self.manager.load("b"));
        // A manager that resolves its namespace here, too.
        let ns = self.manager.namespace().to_owned();
        let unresolved = PluginManager::<Probe>::in_namespace(ns.clone())
            .finder(vec![probe(&ns, "c").build().0]);
        assert!(matches!(
            kind(unresolved.load("c")),
            Ok(()) | Err("ThreadExiting")
        ));
        let _ = self.outcome.send((loaded, fresh));
    }
}

thread_local! {
    static ON_EXIT: std::cell::RefCell<Option<LoadsOnExit>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn a_load_from_a_thread_local_destructor_returns_an_error_instead_of_aborting() {
    let ns = "f3.thread_exit";
    let manager = Arc::new(
        PluginManager::<Probe>::in_namespace(ns).finder(
            plain(ns, 0)
                .into_iter()
                .chain([probe(ns, "a").build().0, probe(ns, "b").build().0])
                .collect::<Vec<_>>(),
        ),
    );
    let (outcome, received) = std::sync::mpsc::channel();
    let on_thread = manager.clone();
    thread::spawn(move || {
        // Registered first, so destroyed last: after plux's own thread-local, which the
        // load below registers.
        ON_EXIT.with(|cell| {
            *cell.borrow_mut() = Some(LoadsOnExit {
                manager: on_thread.clone(),
                outcome,
            })
        });
        on_thread.load("a").expect("loads");
    })
    .join()
    .expect("the thread exits without a panic");

    let (loaded, fresh) = received
        .recv_timeout(Duration::from_secs(10))
        .expect("the destructor ran and reported");
    assert_eq!(loaded, Ok(()), "a plugin loaded already is returned");
    assert!(
        matches!(fresh, Ok(()) | Err("ThreadExiting")),
        "a fresh plugin loads or gets a typed error: {fresh:?}"
    );
}

/// plux's `test_on_after_before_with_error`: a listener that fails `plugin2` once it loaded.
struct FailsPlugin2;

impl PluginLifecycleListener<Probe> for FailsPlugin2 {
    fn confirm(&self, spec: &PluginSpec, _: &Probe, _: &String) -> Result<(), plux::BoxError> {
        if spec.name() == "plugin2" {
            return Err("error loading plugin 2".into());
        }
        Ok(())
    }
}

#[test]
fn on_after_before_with_error() {
    let ns = "f3.after_error";
    let journal = plux_fixture_probe::Journal::new();
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![
            probe(ns, "plugin1").build().0,
            probe(ns, "plugin2").build().0,
        ])
        .listener(FailsPlugin2)
        .listener(journal.clone());

    let plugins = manager.load_all();
    assert_eq!(plugins.len(), 1);

    let error = manager.load("plugin2").expect_err("failed after load");
    assert!(
        error.to_string().contains("error loading plugin 2"),
        "{error}"
    );
    assert!(matches!(
        error.kind(),
        plux::PluginErrorKind::Rejected { listener: 0, .. }
    ));
    // The other listeners hear it, and never of a load that did not stand.
    let heard = journal.hooks_of("plugin2");
    assert!(
        heard.iter().any(|hook| hook.starts_with("load_exception")),
        "{heard:?}"
    );
    assert!(
        !heard.iter().any(|hook| hook.starts_with("load_after")),
        "{heard:?}"
    );
    assert!(matches!(
        manager.state("plugin2"),
        Some(PluginState::Failed(_))
    ));
    let report = plux::inspect::Report::collect()
        .with_states(&manager)
        .to_string();
    assert!(
        report.contains("failed by listener #0 after load: error loading plugin 2"),
        "{report}"
    );
}

struct ConfirmPanics;

impl PluginLifecycleListener<Probe> for ConfirmPanics {
    fn confirm(&self, _: &PluginSpec, _: &Probe, _: &String) -> Result<(), plux::BoxError> {
        panic!("confirm boom")
    }
}

#[test]
fn a_confirm_that_panics_fails_the_plugin_and_retry_asks_again() {
    let ns = "f3.confirm_panics";
    let manager = PluginManager::<Probe>::in_namespace(ns)
        .finder(vec![probe(ns, "a").build().0])
        .listener(ConfirmPanics);

    let error = manager.load("a").expect_err("failed after load");

    assert!(matches!(
        error.kind(),
        plux::PluginErrorKind::Panicked { stage: plux::Stage::Confirm, message } if message == "confirm boom"
    ));
    assert_eq!(
        kind_name(manager.retry("a").expect_err("asked again").kind()),
        "Panicked"
    );
}

/// A finder whose specs grow, like the registry when a library is opened.
struct Growing(Arc<Mutex<Vec<PluginSpec>>>);

impl plux::PluginFinder for Growing {
    fn find_plugins(&self, _: &str) -> Vec<PluginSpec> {
        self.0.lock().expect("not poisoned").clone()
    }
}

fn requiring(ns: &str, name: &str, required: &str) -> PluginSpec {
    probe(ns, name)
        .build()
        .0
        .with_requires([required])
        .expect("a valid name")
}

#[test]
fn refresh_clears_a_requirement_error_that_the_new_specs_resolve() {
    let ns = "f3.refresh_late";
    let specs = Arc::new(Mutex::new(vec![
        requiring(ns, "app", "late"),
        requiring(ns, "web", "app"),
    ]));
    let mut manager = PluginManager::<Probe>::in_namespace(ns).finder(Growing(specs.clone()));
    assert_eq!(
        kind_name(manager.load("app").expect_err("late is missing").kind()),
        "OrderUnknown"
    );
    assert_eq!(
        kind_name(manager.load("web").expect_err("app did not load").kind()),
        "Disabled"
    );

    specs
        .lock()
        .expect("not poisoned")
        .push(probe(ns, "late").build().0);
    assert_eq!(manager.refresh(), ["late"]);

    assert!(matches!(manager.state("app"), Some(PluginState::Resolved)));
    manager
        .retry("web")
        .expect("app and late load on its behalf now");
    assert_eq!(manager.loaded().len(), 3);
}

/// A manager makes its slots a chunk at a time, and the chunks' cells a group at a time (1 024
/// plugins): plugins of several groups load, and a refresh that moves them all to other
/// positions, some into other groups, keeps each one's own plugin.
#[test]
fn refresh_keeps_the_plugins_of_every_group_of_slots() {
    let ns = "f3.refresh_groups";
    let name = |i: usize| format!("p{i:05}");
    let specs = Arc::new(Mutex::new(
        (0..2_100)
            .map(|i| probe(ns, &name(i * 2)).build().0)
            .collect::<Vec<_>>(),
    ));
    let mut manager = PluginManager::<Probe>::in_namespace(ns).finder(Growing(specs.clone()));
    let kept: Vec<String> = [0, 1_023, 1_024, 2_099].map(|i| name(i * 2)).into();
    let before: Vec<_> = kept
        .iter()
        .map(|kept| manager.load(kept).expect("loads"))
        .collect();

    // 600 names sort before the plugins of the last group, so that they move by 600 positions.
    specs
        .lock()
        .expect("not poisoned")
        .extend((0..600).map(|i| probe(ns, &name(i * 2 + 1)).build().0));
    assert_eq!(manager.refresh().len(), 600);

    for (kept, before) in kept.iter().zip(&before) {
        assert!(manager.is_loaded(kept), "{kept} kept its state");
        let after = manager.load(kept).expect("still loaded");
        assert!(Arc::ptr_eq(before, &after), "{kept} is the same instance");
    }
    assert_eq!(manager.loaded().len(), kept.len());
    assert_eq!(manager.load_all().len(), 2_700);
    assert!(manager.exists(&name(4_198)) && !manager.exists(&name(4_199)));
}

#[test]
fn refresh_fails_a_plugin_that_had_not_loaded_when_the_new_specs_put_it_on_a_cycle() {
    let ns = "f3.refresh_cycle";
    let specs = Arc::new(Mutex::new(vec![
        probe(ns, "a").build().0,
        probe(ns, "b").build().0,
    ]));
    let mut manager = PluginManager::<Probe>::in_namespace(ns).finder(Growing(specs.clone()));
    let b = manager.load("b").expect("b loads");

    *specs.lock().expect("not poisoned") = vec![
        probe(ns, "a")
            .build()
            .0
            .with_after(["c"])
            .expect("a valid name"),
        probe(ns, "b").build().0,
        probe(ns, "c")
            .build()
            .0
            .with_after(["a"])
            .expect("a valid name"),
    ];
    manager.refresh();

    for name in ["a", "c"] {
        let error = manager.load(name).expect_err("on the new cycle");
        assert_eq!(kind_name(error.kind()), "OrderCycle", "{name}: {error}");
    }
    let kept = manager.load("b").expect("still loaded");
    assert!(Arc::ptr_eq(&kept, &b), "the loaded plugin is kept");
}

#[test]
fn retry_with_requirements_retries_the_chain_that_failed_a_plugin_bottom_up() {
    let ns = "f3.retry_chain";
    let up = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let base_up = up.clone();
    let base = probe(ns, "base")
        .on_load(move |_, _| match base_up.load(SeqCst) {
            true => Ok("up".into()),
            false => Err("base is down".into()),
        })
        .build()
        .0;
    let manager = PluginManager::<Probe>::in_namespace(ns).finder(vec![
        base,
        requiring(ns, "mid", "base"),
        requiring(ns, "top", "mid"),
        probe(ns, "other").load_fails().build().0,
    ]);
    manager.load("top").expect_err("base is down");
    manager.load("other").expect_err("fails");

    up.store(true, SeqCst);
    assert!(
        manager.retry("top").is_err(),
        "mid is still recorded disabled"
    );
    manager
        .retry_with_requirements("top")
        .expect("base, mid, then top");

    assert_eq!(manager.loaded().len(), 3);
    assert!(
        matches!(manager.state("other"), Some(PluginState::Failed(_))),
        "what top does not require is left alone"
    );
}

#[test]
fn a_chain_of_100_000_requirements_loads_on_a_2_mib_thread() {
    const LINKS: usize = 100_000;
    let ns = "f3.deep_chain";
    let make = || Ok(Box::new(plux::FunctionPlugin::new((|| {}) as fn())));
    let specs: Vec<PluginSpec> = (0..LINKS)
        .map(|i| {
            let spec = PluginSpec::new(ns, format!("p{i:06}"), make).expect("valid");
            match i {
                0 => spec,
                _ => spec
                    .with_requires([format!("p{:06}", i - 1)])
                    .expect("valid"),
            }
        })
        .collect();
    let manager =
        Arc::new(PluginManager::<plux::FunctionPlugin<fn()>>::in_namespace(ns).finder(specs));
    manager.list_names(); // resolved on this thread: the walk is what runs on the small one

    let on_thread = manager.clone();
    let last = thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || on_thread.load(&format!("p{:06}", LINKS - 1)).map(drop))
        .expect("spawned")
        .join()
        .expect("no overflow");

    last.expect("the whole chain loads");
    assert_eq!(manager.loaded().len(), LINKS);
}

#[test]
fn many_threads_mixing_parallel_starts_chains_and_retries_under_a_panicking_logger() {
    loud_logger();
    const THREADS: usize = 6;
    const CALLS: usize = 60;
    const CHAIN: usize = 150;
    let ns = "f3.loud_stress";
    within(move || {
        let mut counted = Vec::new();
        let manager = Arc::new_cyclic(|me: &Weak<PluginManager<Probe>>| {
            let me = me.clone();
            let mut specs = Vec::new();
            for i in 0..CHAIN {
                let (spec, calls) = probe(ns, &format!("c{i:03}")).build();
                counted.push(calls);
                specs.push(match i {
                    0 => spec,
                    _ => spec
                        .with_requires([format!("c{:03}", i - 1)])
                        .expect("valid"),
                });
            }
            for i in 0..10 {
                let (spec, calls) = probe(ns, &format!("p{i}")).build();
                counted.push(calls);
                specs.push(spec);
            }
            specs.push(probe(ns, "broken").load_fails().build().0);
            let (supervisor, calls) = probe(ns, "supervisor")
                .on_load(move |_, _| {
                    let manager = me.upgrade().ok_or("manager gone")?;
                    Ok(manager.load_all_parallel(threads(3)).len().to_string())
                })
                .build();
            counted.push(calls);
            specs.push(supervisor);
            PluginManager::<Probe>::in_namespace(ns).finder(specs)
        });
        let last = format!("c{:03}", CHAIN - 1);
        thread::scope(|scope| {
            for t in 0..THREADS {
                let (manager, last) = (&manager, &last);
                scope.spawn(move || {
                    for i in 0..CALLS {
                        match (t + i) % 6 {
                            0 => drop(manager.load_all_parallel(threads(4))),
                            1 => drop(manager.load_all()),
                            2 => drop(manager.load(last)),
                            3 => drop(manager.retry_with_requirements("broken")),
                            4 => drop(manager.load("supervisor")),
                            _ => drop(manager.retry_with_requirements(last)),
                        }
                    }
                });
            }
        });
        assert_eq!(manager.loaded().len(), CHAIN + 11);
        for calls in &counted {
            assert_eq!(calls.all(), (1, 1, 1), "every lifecycle ran exactly once");
        }
    });
}
