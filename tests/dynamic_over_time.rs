//! Managers and libraries over time: a manager that resolved its namespace before a library was
//! opened keeps what it had and finds the library's plugins after `refresh`; a manager made
//! after sees them at once; a library opened by 8 threads at once registers once.
//!
//! One test: it needs the registry as it is before any library is opened.
// Opening a plugin library is `unsafe`.
#![allow(unsafe_code)]

mod libraries;

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use plux::{dynamic, plugin, Plugin, PluginLifecycleListener, PluginManager, PluginSpec};
use plux_fixture_dynamic_api::Greeter;

#[derive(Default)]
struct ProgramGreeter;

#[plugin(name = "program")]
impl Greeter for ProgramGreeter {
    fn greet(&self, who: &str) -> String {
        format!("program, {who}")
    }
}

#[derive(Default)]
struct Resolutions(Mutex<Vec<String>>);

impl<T: ?Sized + Plugin> PluginLifecycleListener<T> for Resolutions {
    fn on_resolve_after(&self, spec: &PluginSpec) {
        self.0.lock().unwrap().push(spec.name().to_owned());
    }
    fn on_resolve_exception(&self, _: &str, error: &plux::PluginError) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{}: conflict", error.name().unwrap_or_default()));
    }
}

#[test]
fn managers_see_libraries_opened_after_them_on_refresh_and_eight_openers_register_once() {
    let heard = Arc::new(Resolutions::default());
    let mut before = PluginManager::<dyn Greeter>::new().listener(heard.clone());
    assert_eq!(before.list_names(), ["program"]);
    let program = before.load("program").unwrap();
    assert_eq!(*heard.0.lock().unwrap(), ["program"]);
    heard.0.lock().unwrap().clear();

    let library = libraries::built("plux_fixture_dynamic_plugins");
    let barrier = Arc::new(Barrier::new(8));
    let opened: Vec<dynamic::Library> = (0..8)
        .map(|_| {
            let (library, barrier) = (library.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                // SAFETY: the fixture library of this workspace, built with this test.
                unsafe { dynamic::open(library) }
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|handle| handle.join().unwrap().unwrap())
        .collect();
    assert!(opened
        .iter()
        .all(|library| library.path() == opened[0].path()));
    assert_eq!(dynamic::libraries().len(), 1);

    // A manager made now sees every plugin, each once: none is a duplicate of itself.
    let after = PluginManager::<dyn Greeter>::new();
    assert_eq!(after.list_names(), ["en", "fr", "de", "program", "shared"]);
    for name in ["en", "fr", "de", "program", "shared"] {
        after.load(name).unwrap();
    }

    // The manager that had resolved keeps its resolution until it is refreshed.
    assert_eq!(before.list_names(), ["program"]);
    assert!(before.load("en").is_err());

    assert_eq!(before.refresh(), ["en", "fr", "de", "shared"]);
    assert_eq!(before.list_names(), ["en", "fr", "de", "program", "shared"]);
    // What it had loaded stays loaded, the same instance.
    assert!(Arc::ptr_eq(&before.load("program").unwrap(), &program));
    assert_eq!(before.load("en").unwrap().greet("z"), "hello, z");
    // The listener heard of the new plugins once.
    let mut heard = heard.0.lock().unwrap().clone();
    heard.sort();
    assert_eq!(heard, ["de", "en", "fr", "shared"]);

    // Nothing new: nothing to add.
    assert!(before.refresh().is_empty());
    assert_eq!(dynamic::libraries().len(), 1);
}
