//! A panic in a plugin library's code, called by the program after plux handed it a plugin (an
//! interface method, `Drop`, `Display`, an error the plugin returned, a hook fn), is caught on
//! the library's side and raised again as the program's own panic: the program contains it with
//! `catch_unwind` (or plux does, where plux makes the call) and carries on.
//!
//! Each scenario runs in a child process (this test binary again, with `PLUX_PANICS_CHILD`
//! set): a panic that crosses uncaught is a foreign exception in the program, which aborts the
//! whole process, and so would every other test of the binary.
// `dynamic::open` is `unsafe`: the library is trusted to be what it says.
#![allow(unsafe_code)]

mod libraries;

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use plux::{dynamic, PluginErrorKind, PluginManager};
use plux_fixture_dynamic_api::{Faulty, Greeter, Greeting, Risky, Visit};

/// Set in a child: the path of the library to open.
const CHILD: &str = "PLUX_PANICS_CHILD";

/// Runs `scenario` in a child process of this test binary (the test `name` alone), with the
/// third party's library built, and checks that the child ended well.
fn in_child(name: &str, scenario: fn(PathBuf)) {
    if let Some(library) = std::env::var_os(CHILD) {
        scenario(PathBuf::from(library));
        return;
    }
    let library = libraries::third_party("third-party-panic-plugins");
    let output = Command::new(std::env::current_exe().expect("the test's path"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &library)
        .output()
        .expect("run the child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child died ({}):\n{stderr}",
        output.status
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "the child ran no test:\n{stderr}"
    );
}

/// Opens the library.
fn open(library: PathBuf) {
    // SAFETY: a library of this repository's third-party workspace, built by this test against
    // this program's plux and interface crate.
    #[allow(unused_unsafe)]
    let opened = unsafe { dynamic::open(library) };
    opened.expect("the library opens");
}

/// The message of a panic the program caught, which must be the program's own `String`.
fn message(panic: Box<dyn Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(message) => *message,
        Err(_) => panic!("the payload is not the program's String"),
    }
}

/// Runs `f`, which must panic with `expected`.
fn panics_with(expected: &str, f: impl FnOnce()) {
    let panic = catch_unwind(AssertUnwindSafe(f)).expect_err("it panics");
    assert_eq!(message(panic), expected);
}

#[test]
fn a_panic_in_a_library_plugins_method_is_the_programs() {
    in_child(
        "a_panic_in_a_library_plugins_method_is_the_programs",
        |library| {
            open(library);
            let greeters = PluginManager::<dyn Greeter>::new();
            let greeter = greeters.load("panics-in-greet").expect("loads");
            panics_with("greet panicked in the library for you", || {
                greeter.greet("you");
            });
            // Again: the library's panic state was left clean.
            panics_with("greet panicked in the library for me", || {
                greeter.greet("me");
            });

            let risky = PluginManager::<dyn Risky>::new();
            let risk = risky.load("risk").expect("loads");
            panics_with("run panicked in the library", || {
                let _ = risk.run("panic");
            });
            assert_eq!(risk.run("ok").expect("runs"), "ran ok");
            // `self: Arc<Self>`, and the plugin's `Display`, a supertrait of the interface.
            assert_eq!(Arc::clone(&risk).shared(), 1);
            panics_with("shared panicked in the library on call 2", || {
                Arc::clone(&risk).shared();
            });
            panics_with("a plugin's Display panicked in the library", || {
                risk.to_string();
            });
            // The program and its managers carry on.
            let other = greeters.load("panics-in-drop").expect("loads");
            assert_eq!(other.greet("you"), "hello, you");
            // Leaked: its `Drop` panics, which another test covers.
            std::mem::forget(other);
            std::mem::forget(greeters);
        },
    );
}

#[test]
fn a_panic_in_a_library_plugins_drop_is_the_programs() {
    in_child(
        "a_panic_in_a_library_plugins_drop_is_the_programs",
        |library| {
            open(library);
            let greeters = PluginManager::<dyn Greeter>::new();
            let greeter = greeters.load("panics-in-drop").expect("loads");
            drop(greeters);
            // The program holds the last `Arc`.
            panics_with("drop panicked in the library", || drop(greeter));

            // The manager holds the last `Arc`: dropping the manager drops the plugin (as for
            // a linked plugin, the panic unwinds out of the manager's drop).
            let greeters = PluginManager::<dyn Greeter>::new();
            greeters.load("panics-in-drop").expect("loads");
            panics_with("drop panicked in the library", || drop(greeters));
            let greeters = PluginManager::<dyn Greeter>::new();
            assert_eq!(
                greeters
                    .load("panics-in-drop")
                    .expect("loads again")
                    .greet("you"),
                "hello, you"
            );
            std::mem::forget(greeters);
        },
    );
}

#[test]
fn a_panic_in_an_error_a_library_plugin_returned_is_the_programs() {
    in_child(
        "a_panic_in_an_error_a_library_plugin_returned_is_the_programs",
        |library| {
            open(library);
            let risky = PluginManager::<dyn Risky>::new();
            let risk = risky.load("risk").expect("loads");
            let error = risk.run("fail").expect_err("fails");
            panics_with("an error's Display panicked in the library", || {
                error.to_string();
            });
            panics_with("an error's Debug panicked in the library", || {
                let _ = format!("{error:?}");
            });
            panics_with("an error's source panicked in the library", || {
                let _ = error.source();
            });
            drop(error);
            let error = risk.run("fail-drop").expect_err("fails");
            assert_eq!(error.to_string(), "a bomb");
            panics_with("an error's Drop panicked in the library", || drop(error));

            // A load error whose `Display` panics: plux shows it in its log, contained, and
            // returns it; the program's own display of it panics as the program's.
            let faulty = PluginManager::<dyn Faulty>::with_args(Visit::default());
            let error = faulty
                .load("fails-treacherously")
                .expect_err("fails to load");
            assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
            panics_with("an error's Display panicked in the library", || {
                error.to_string();
            });
            assert_eq!(risk.run("ok").expect("runs"), "ran ok");
        },
    );
}

#[test]
fn a_panic_in_a_library_hook_is_the_programs() {
    in_child("a_panic_in_a_library_hook_is_the_programs", |library| {
        open(library);
        let hooks = PluginManager::<Greeting>::new();
        let hook = hooks.load("panics-in-hook").expect("loads");
        panics_with("a hook panicked in the library", || {
            (hook)("panic");
        });
        assert_eq!((hook)("you"), "good day, you");
    });
}
