//! A plugin library only adds: it exports the plugins its own crate declares (and those of the
//! crates its `export_plugins!(also = [..])` names), not those of a plugin crate it depends on
//! and the program links too; a library with a name the program (or a library opened before)
//! has is refused at `open`, naming both, and nothing the program had changes; a second copy of
//! an open library is refused, naming the first; `refresh` never drops a loaded instance.
//!
//! The libraries are built as a third party builds them, in `tests/third-party`; the last test
//! is the plain case, a third party's greeter that joins the program's.
// Opening a plugin library is `unsafe`; these are libraries this test built.
#![allow(unsafe_code)]

mod libraries;

use std::sync::{Arc, Mutex, PoisonError};

use plux::dynamic::{self, LibraryError};
use plux::{plugin, PluginErrorKind, PluginManager, Registry};
use plux_fixture_dynamic_api::Greeter;

// The program links the plugin crate that `adds-dependent` depends on.
use adds_greeters as _;

/// The program's own greeter; `adds-collide` declares this name too.
#[derive(Default)]
struct ProgramGreeter;

#[plugin(name = "program")]
impl Greeter for ProgramGreeter {
    fn greet(&self, who: &str) -> String {
        format!("program, {who}")
    }
}

/// A greeter of the program that `adds-cycle`'s greeter must come both after and before.
#[derive(Default)]
struct KeptGreeter;

#[plugin(name = "program_kept")]
impl Greeter for KeptGreeter {
    fn greet(&self, who: &str) -> String {
        format!("kept, {who}")
    }
}

/// The tests of this binary open libraries into one registry and compare it before and after:
/// one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn open(package: &str) -> Result<dynamic::Library, LibraryError> {
    // SAFETY: a library of this repository's third-party workspace, built by this test.
    unsafe { dynamic::open(libraries::third_party(package)) }
}

fn greeter_names() -> Vec<String> {
    PluginManager::<dyn Greeter>::new()
        .list_names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_library_exports_its_own_crates_plugins_not_those_of_its_dependencies() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let library = open("adds-dependent").expect("opens");
    let exported: Vec<String> = library.specs().map(ToString::to_string).collect();
    // Not `adds_sailor`, which `adds-greeters` declares and this program links.
    assert_eq!(exported, ["fixtures.dynamic.greeters/adds_dependent"]);
    assert_eq!(library.crate_name(), "adds_dependent");
    assert_eq!(library.version(), Some("1.2.0"));

    let greeters = PluginManager::<dyn Greeter>::new();
    let sailor = greeters
        .load("adds_sailor")
        .expect("the program's own, no duplicate");
    assert_eq!(sailor.greet("x"), "ahoy, x");
    let dependent = greeters.load("adds_dependent").expect("the library's");
    assert_eq!(dependent.greet("x"), "ahoy from the library, x");
    let report = plux::inspect::Report::collect();
    assert!(
        report
            .conflicts()
            .all(|(_, plugin)| !plugin.spec.name().starts_with("adds_sailor")),
        "the program's plugin is no duplicate"
    );

    // `export_plugins!(also = [adds_bundle_core])`: a second crate of the library's own.
    let bundle = open("adds-bundle").expect("opens");
    let mut exported: Vec<&str> = bundle.specs().map(|spec| spec.name()).collect();
    exported.sort_unstable();
    assert_eq!(exported, ["adds_bundle_core", "adds_bundle_main"]);
}

#[test]
fn a_library_with_a_name_the_program_has_is_refused_naming_both_and_nothing_changes() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let names_before = greeter_names();
    let libraries_before = dynamic::libraries().len();
    let greeters = PluginManager::<dyn Greeter>::new();
    let program = greeters.load("program").unwrap();

    let error = open("adds-collide").expect_err("refused");
    match &error {
        LibraryError::Collision {
            plugin,
            library,
            program,
            ..
        } => {
            assert_eq!(plugin, "fixtures.dynamic.greeters/program");
            assert_eq!(library.file, "adds-collide/src/lib.rs");
            assert_eq!(program.file, "tests/dynamic_adds.rs");
            assert_eq!(program.library, None);
        }
        other => panic!("expected a collision, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("adds-collide/src/lib.rs"), "{message}");
    assert!(message.contains("tests/dynamic_adds.rs"), "{message}");
    assert!(message.contains("rename one of them"), "{message}");

    // Nothing of it registered, not even its other, harmless greeter; the program's still loads.
    assert_eq!(greeter_names(), names_before);
    assert!(!Registry::namespaces().is_empty());
    assert_eq!(dynamic::libraries().len(), libraries_before);
    let fresh = PluginManager::<dyn Greeter>::new();
    assert_eq!(fresh.load("program").unwrap().greet("x"), "program, x");
    assert!(fresh.load("adds_fresh").is_err());
    assert!(Arc::ptr_eq(&greeters.load("program").unwrap(), &program));
}

#[test]
fn a_second_copy_of_an_open_library_is_refused_naming_the_first() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let built = libraries::third_party("adds-dependent");
    // SAFETY: the library this test built.
    let first = unsafe { dynamic::open(&built) }.expect("opens, or is open already");
    let dir = libraries::temp_dir("copies");
    let copy = libraries::copy(&built, &dir, "adds_dependent-1.2");
    // SAFETY: a copy of it.
    let error = unsafe { dynamic::open(&copy) }.expect_err("a copy");
    match &error {
        LibraryError::Copy {
            first: named,
            crate_name,
            ..
        } => {
            assert_eq!(named, first.path());
            assert_eq!(crate_name, "adds_dependent");
        }
        other => panic!("expected a copy, got {other:?}"),
    }
    assert!(error.to_string().contains("remove one of the two files"));
    // The first is untouched: its greeter loads.
    let greeters = PluginManager::<dyn Greeter>::new();
    assert!(greeters.load("adds_dependent").is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refresh_never_drops_a_loaded_instance() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let mut greeters = PluginManager::<dyn Greeter>::new();
    let program = greeters.load("program_kept").unwrap();
    // `adds_contrary` must come both after and before `program_kept`: an ordering cycle through
    // the loaded plugin.
    open("adds-cycle").expect("opens");
    let fresh = PluginManager::<dyn Greeter>::new();
    assert!(
        matches!(
            fresh.load("adds_contrary").unwrap_err().kind(),
            PluginErrorKind::OrderCycle { .. }
        ),
        "the cycle is seen"
    );
    assert!(matches!(
        fresh.load("program_kept").unwrap_err().kind(),
        PluginErrorKind::OrderCycle { .. }
    ));
    greeters.refresh();
    let kept = greeters.load("program_kept").expect("still loaded");
    assert!(Arc::ptr_eq(&kept, &program));
    assert!(greeters.is_loaded("program_kept"));
}

/// A library built in a workspace of its own, as a third party builds one against the program's
/// interface crate, joins the program's greeters.
#[test]
fn a_third_party_library_joins() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: a library of this repository's third-party workspace, built by this test.
    let library =
        unsafe { dynamic::open(libraries::third_party("third-party-greeter-de")) }.expect("opens");
    assert_eq!(library.specs().count(), 1);
    let greeters = PluginManager::<dyn Greeter>::new();
    let german = greeters.load("third_party_de").expect("loads");
    assert_eq!(german.greet("welt"), "hallo, welt");
}
