//! One plux per process: a plugin library's copy of plux joins the program's when the library is
//! opened, so that library code driving the program's managers behaves as the program's own code
//! would. Each scenario hung or answered wrongly while the library used its own copy's statics.

// Opening a plugin library is `unsafe` (its initialisers run before any check).
#![allow(unsafe_code)]

mod libraries;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock};
use std::thread;
use std::time::Duration;

use plux::{dynamic, plugin, BoxError, PluginManager};
use plux_fixture_dynamic_api::{Crew, Greeter, Worker};

/// Opens the library once for every test of this binary (they run in parallel).
static LIBRARY: LazyLock<dynamic::Library> = LazyLock::new(|| {
    // SAFETY: a fixture library of this workspace, built with this test.
    unsafe { dynamic::open(libraries::built("plux_fixture_dynamic_plugins")) }
        .expect("the library opens")
});

/// Set while the program's `slow` worker is inside its `load`.
static SLOW_LOADING: AtomicBool = AtomicBool::new(false);

/// A worker of the program that takes a while to load.
#[derive(Default)]
struct Slow;

#[plugin(name = "slow")]
impl Worker for Slow {
    fn load(&mut self, _: &Crew) -> Result<(), BoxError> {
        SLOW_LOADING.store(true, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(400));
        Ok(())
    }
}

/// A greeter only the program has.
#[derive(Default)]
struct ProgramGreeter;

#[plugin(name = "program_greeter")]
impl Greeter for ProgramGreeter {
    fn greet(&self, who: &str) -> String {
        format!("hello from the program, {who}")
    }
}

/// A manager of workers whose load arguments lead back to it, as a program shares its managers
/// with its plugins.
fn workers() -> Arc<PluginManager<dyn Worker>> {
    LazyLock::force(&LIBRARY);
    Arc::new_cyclic(|me| {
        let crew = Crew::default();
        crew.workers.set(me.clone()).expect("set once");
        PluginManager::with_args(crew)
    })
}

/// Runs `f` on a thread of its own and fails the test if it does not return within a generous
/// bound: the scenarios below used to hang.
fn within_bound<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || done.send(f()));
    outcome
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: hung"))
}

/// Loads the worker `name` of `workers` within the bound, expects it to load, and returns what
/// library code saw.
fn load_within_bound(workers: &Arc<PluginManager<dyn Worker>>, name: &'static str) -> Vec<String> {
    let loaded = {
        let workers = workers.clone();
        within_bound(name, move || workers.load(name).map(|_| ()))
    };
    assert!(loaded.is_ok(), "{loaded:?}");
    workers.args().seen.lock().unwrap().clone()
}

#[test]
fn a_library_plugin_waits_for_a_plugin_that_another_thread_of_the_program_loads() {
    let workers = workers();
    let loader = {
        let workers = workers.clone();
        thread::spawn(move || workers.load("slow").map(|_| ()))
    };
    while !SLOW_LOADING.load(Ordering::SeqCst) {
        thread::yield_now();
    }
    // `waiter`'s load, in the library, asks the program's manager for `slow`, which the other
    // thread is loading: it must wait in the program's wait-for graph and be woken.
    let seen = load_within_bound(&workers, "waiter");
    assert!(loader.join().expect("the loader").is_ok());
    assert_eq!(seen, ["waiter: slow loaded"]);
}

#[test]
fn a_library_plugin_asking_the_programs_manager_for_itself_is_reentrant() {
    let seen = load_within_bound(&workers(), "reenter");
    assert_eq!(seen, ["reenter: reentrant"]);
}

#[test]
fn a_fresh_manager_made_in_library_code_finds_and_loads_the_programs_plugins() {
    let seen = load_within_bound(&workers(), "fresh");
    assert!(
        seen.contains(&"fresh: program_greeter: hello from the program, fresh".to_owned()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"fresh: en: hello, fresh".to_owned()),
        "the library's own greeter, through the program's registry: {seen:?}"
    );
}
