//! A program opens a plugin library built in this workspace (`fixtures/dynamic-plugins`, a
//! `cdylib` this test never links) and drives its plugins like linked ones: lifecycle, ordering,
//! listeners, filters, `inspect`, with every panic inside the library contained, and the library
//! allocating with the program's allocator. (A library that declares a name the program has is
//! refused: `tests/dynamic_adds.rs`.)
// The counting `#[global_allocator]` below is the program-side allocator the issue is about, and
// opening a plugin library is `unsafe`.
#![allow(unsafe_code)]

mod libraries;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock, Mutex};

use plux::inspect::{Format, Report};
use plux::{
    dynamic, plugin, DisabledReason, FunctionPlugin, Plugin, PluginErrorKind,
    PluginLifecycleListener, PluginManager, PluginSpec, PluginState, Stage,
};
use plux_fixture_dynamic_api::{Faulty, Greeter, Startup, Visit, GREETINGS};

/// Counts this program's allocations, per thread: the library's must show here too.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call unchanged to `System`, which upholds `GlobalAlloc`'s contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller.
        unsafe { System.dealloc(block, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A greeter only the program has.
#[derive(Default)]
struct ProgramOnly;

#[plugin(name = "program-only")]
impl Greeter for ProgramOnly {
    fn greet(&self, who: &str) -> String {
        plux_fixture_dynamic_api::count_greeting();
        format!("hi, {who}")
    }
}

/// Opens the library once for every test of this binary (they run in parallel).
static LIBRARY: LazyLock<dynamic::Library> = LazyLock::new(|| {
    // SAFETY: a fixture library of this workspace, built with this test.
    unsafe { dynamic::open(libraries::built("plux_fixture_dynamic_plugins")) }
        .expect("the library opens")
});

fn library_path() -> PathBuf {
    LIBRARY.path().to_owned()
}

fn visit() -> Visit {
    Visit {
        visitor: "the test".to_owned(),
    }
}

#[test]
fn library_plugins_load_in_order_like_linked_ones() {
    let library = &*LIBRARY;
    let mut names: Vec<String> = library.specs().map(ToString::to_string).collect();
    names.sort();
    assert!(names.contains(&"fixtures.dynamic.greeters/en".to_owned()));
    assert_eq!(names.len(), 16, "{names:?}");

    let greeters = PluginManager::<dyn Greeter>::new();
    // `en` has priority 10; `de` comes after `fr`; the rest by name.
    assert_eq!(
        greeters.list_names(),
        ["en", "fr", "de", "program-only", "shared"]
    );
    let greetings: Vec<String> = greeters
        .load_all()
        .iter()
        .map(|greeter| greeter.greet("world"))
        .collect();
    assert_eq!(
        greetings,
        [
            "hello, world",
            "bonjour, world",
            "hallo, world",
            "hi, world",
            "shared, world"
        ]
    );
    assert!(Arc::ptr_eq(
        &greeters.load("en").unwrap(),
        &greeters.load("en").unwrap()
    ));
}

#[test]
fn every_panic_inside_the_library_is_contained_and_each_failure_reported() {
    let _ = &*LIBRARY;
    let faulty = PluginManager::<dyn Faulty>::with_args(visit());
    let kind = |name: &str| faulty.load(name).unwrap_err().kind().clone();

    let panicked = |name: &str, stage: Stage, text: &str| match kind(name) {
        PluginErrorKind::Panicked {
            stage: got,
            message,
        } => {
            assert_eq!(got, stage, "{name}");
            assert!(message.contains(text), "{name}: {message}");
        }
        other => panic!("{name}: expected a panic, got {other}"),
    };
    panicked(
        "factory-panics",
        Stage::Init,
        "factory panicked in the library",
    );
    panicked(
        "should-load-panics",
        Stage::ShouldLoad,
        "should_load panicked in the library",
    );
    panicked(
        "load-panics",
        Stage::Load,
        "load panicked in the library for the test",
    );

    match kind("factory-fails") {
        PluginErrorKind::Factory(error) => assert_eq!(error.to_string(), "no configuration"),
        other => panic!("expected a factory error, got {other}"),
    }
    match kind("load-fails") {
        PluginErrorKind::Load(error) => {
            assert_eq!(error.to_string(), "the test is not welcome")
        }
        other => panic!("expected a load error, got {other}"),
    }
    assert!(matches!(
        kind("disabled"),
        PluginErrorKind::Disabled(DisabledReason::ShouldLoad)
    ));
    faulty.load("loads").unwrap();
    match faulty.state("loads") {
        Some(PluginState::Loaded { output, .. }) => assert_eq!(output, "the test visited"),
        other => panic!("expected loaded, got {other:?}"),
    }

    // A hook's own `should_load` check, run inside the library.
    let hooks = PluginManager::<Startup>::new();
    match hooks.load("check-panics").unwrap_err().kind() {
        PluginErrorKind::Panicked { stage, message } => {
            assert_eq!(*stage, Stage::ShouldLoad);
            assert!(
                message.contains("the spec's should_load panicked"),
                "{message}"
            );
        }
        other => panic!("expected a panic, got {other}"),
    }
    let mut log = Vec::new();
    hooks.call_all(|hook| hook(&mut log));
    assert_eq!(log, ["hello from the library"]);
}

/// Records every event it hears, with the plugin's name.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl<T: ?Sized + Plugin> PluginLifecycleListener<T> for Recorder {
    fn on_resolve_after(&self, spec: &PluginSpec) {
        self.0
            .lock()
            .unwrap()
            .push(format!("resolved {}", spec.name()));
    }
    fn on_load_after(&self, spec: &PluginSpec, _: &T, _: &T::Output) {
        self.0
            .lock()
            .unwrap()
            .push(format!("loaded {}", spec.name()));
    }
    fn on_load_exception(&self, spec: &PluginSpec, _: &T, _: &plux::PluginError) {
        self.0
            .lock()
            .unwrap()
            .push(format!("failed {}", spec.name()));
    }
    fn on_disabled(&self, spec: &PluginSpec, _: &DisabledReason) {
        self.0
            .lock()
            .unwrap()
            .push(format!("disabled {}", spec.name()));
    }
}

#[test]
fn listeners_filters_and_inspect_see_library_plugins() {
    let path = library_path().display().to_string();
    let recorder = Arc::new(Recorder::default());
    let greeters = PluginManager::<dyn Greeter>::new()
        .listener(recorder.clone())
        .filter(|spec| spec.name() != "fr");
    greeters.load_all();
    let events = recorder.0.lock().unwrap().clone();
    for event in [
        "resolved en",
        "resolved de",
        "loaded en",
        "loaded de",
        "disabled fr",
    ] {
        assert!(events.contains(&event.to_owned()), "{event} in {events:?}");
    }

    let report = Report::collect();
    let greeters = report
        .namespaces
        .iter()
        .find(|namespace| namespace.name == "fixtures.dynamic.greeters")
        .expect("the library's namespace is in the report");
    let en = greeters
        .plugins
        .iter()
        .find(|plugin| plugin.spec.name() == "en")
        .expect("en is in the report");
    assert_eq!(en.sites.len(), 1);
    assert_eq!(en.sites[0].library, Some(&*path));
    let text = report.render(Format::Text);
    assert!(text.contains(&path), "{text}");
    let json = report.render(Format::Json);
    assert!(json.contains("\"library\":\""), "{json}");
}

#[test]
fn statics_of_a_shared_crate_exist_once_on_each_side() {
    let greeters = PluginManager::<dyn Greeter>::new();
    let program_greetings = || GREETINGS.load(Ordering::Relaxed);
    let before = program_greetings();
    greeters.load("fr").unwrap().greet("x");
    // The library counted in its own copy of `GREETINGS`.
    assert_eq!(program_greetings(), before);
    greeters.load("program-only").unwrap().greet("x");
    assert!(program_greetings() > before);
}

#[test]
fn the_library_allocates_with_the_programs_allocator() {
    let greeters = PluginManager::<dyn Greeter>::new();
    let german = greeters.load("de").unwrap();
    let before = ALLOCATIONS.with(Cell::get);
    let greetings: Vec<String> = (0..100).map(|_| german.greet("world")).collect();
    let allocated = ALLOCATIONS.with(Cell::get) - before;
    // Each `format!` inside the library allocated here; the program itself allocated once, for
    // the `Vec`.
    assert!(allocated > 100, "{allocated} allocations");
    // Strings made by the library, freed by the program.
    drop(greetings);
}

#[test]
fn a_library_product_reaches_only_a_manager_of_the_same_interface() {
    let _ = &*LIBRARY;
    let spec = LIBRARY
        .specs()
        .find(|spec| spec.name() == "hello")
        .expect("the hook");
    assert_eq!(spec.fingerprint(), <Startup as Plugin>::FINGERPRINT);

    // The same namespace, managed as a type without a fingerprint: the product is refused even
    // though a `FunctionPlugin<fn(&mut Vec<String>)>` has the hook point's layout.
    let untyped = PluginManager::<FunctionPlugin<fn(&mut Vec<String>)>>::in_namespace(
        "fixtures.dynamic.startup",
    );
    match untyped.load("hello").unwrap_err().kind() {
        PluginErrorKind::WrongType { expected, found } => {
            assert!(expected.contains("FunctionPlugin"), "{expected}");
            assert!(found.contains("Startup"), "{found}");
        }
        other => panic!("expected a wrong type, got {other}"),
    }
}

#[test]
fn opening_a_library_again_registers_nothing_more() {
    let first = LIBRARY.clone();
    let dir = first.path().parent().unwrap();
    let other_spelling = dir.join(".").join(first.path().file_name().unwrap());
    // SAFETY (this and the other opens of this test): the fixture library, by other names.
    let again = unsafe { dynamic::open(&other_spelling) }.unwrap();
    assert_eq!(again.path(), first.path());
    // A hard link is another path to the same file: the loader maps it once, plux registers it
    // once.
    // (Beside it: a hard link cannot cross file systems.)
    let link = dir.join(libraries::file_name(&format!(
        "plux_test_hard_link_{}",
        std::process::id()
    )));
    std::fs::hard_link(first.path(), &link).unwrap();
    let opened = unsafe { dynamic::open(&link) };
    std::fs::remove_file(&link).unwrap();
    assert_eq!(opened.unwrap().path(), first.path());
    let opened: Vec<PathBuf> = dynamic::libraries()
        .iter()
        .map(|library| library.path().to_owned())
        .collect();
    assert_eq!(opened, [first.path().to_owned()]);
    let greeters = PluginManager::<dyn Greeter>::new();
    assert!(greeters.load("en").is_ok(), "not a duplicate of itself");
}
