//! Fingerprints see what the compiler sees: libraries built by a third party (workspaces of
//! their own, `tests/third-party`) against what the compiler makes of the program's interface
//! crate in another way are refused, naming both sides and what to do; libraries whose
//! interface crate differs in nothing the compiler keeps are accepted.
//!
//! - a cargo feature of the interface crate that adds a method: refused (it used to be accepted,
//!   and the program called the wrong slot);
//! - `debug_assertions`: a library of the other profile works when the interface has no such
//!   cfg, and is refused when a cfg'd method changes the vtable;
//! - a struct of another layout in a signature (same tokens, same features): refused;
//! - a doc-comment and formatting change: accepted;
//! - a version bump of the interface crate with the same definition: accepted (the version is
//!   informative);
//! - plux-macros from other sources (the facade and plux-core the program's): refused.

// Opening a plugin library is `unsafe` (its initialisers run before any check).
#![allow(unsafe_code)]

mod libraries;

use std::path::{Path, PathBuf};

use plux::dynamic::{self, Library, LibraryError};
use plux::{Plugin, PluginManager};
use plux_fixture_dynamic_api::{Checked, Greeter, Measured, Startup};

/// Opens a library, as a program does.
fn open(path: &Path) -> Result<Library, LibraryError> {
    // SAFETY: libraries of this repository's third-party workspace, built by these tests: their
    // initialisers are plux's, and their headers tell the truth.
    unsafe { dynamic::open(path) }
}

/// What a greeter of the program's `Greeter` named `name` answers, when a library was accepted
/// that should not have been: shows which method the program called.
fn greeting_of(name: &str) -> String {
    let mut greeters = PluginManager::<dyn Greeter>::new();
    greeters.refresh();
    greeters
        .load(name)
        .map_or_else(|error| format!("{error}"), |greeter| greeter.greet("world"))
}

#[test]
fn a_feature_of_the_interface_crate_that_adds_a_method_is_refused() {
    let library = libraries::third_party("fp-farewell");
    match open(&library) {
        Err(
            ref error @ LibraryError::Interface {
                ref plugin,
                library,
                program,
                ..
            },
        ) => {
            assert_eq!(plugin, "fixtures.dynamic.greeters/fp_farewell");
            assert_eq!(Some(program), <dyn Greeter as Plugin>::FINGERPRINT);
            assert_eq!(library.features().collect::<Vec<_>>(), ["fp-farewell"]);
            assert_eq!(program.features().count(), 0);
            assert_eq!(library.crate_version(), program.crate_version());
            assert_ne!(library.definition(), program.definition());
            let message = error.to_string();
            for part in [
                "interface `Greeter` of plux-fixture-dynamic-api 0.0.0 (features: fp-farewell;",
                "this program's is interface `Greeter` of plux-fixture-dynamic-api 0.0.0 (no \
                 features;",
                "build the library with the features this program enables for \
                 plux-fixture-dynamic-api",
            ] {
                assert!(message.contains(part), "{part:?} not in {message}");
            }
        }
        Ok(_) => panic!(
            "accepted; its greeter answered {:?}",
            greeting_of("fp_farewell")
        ),
        Err(other) => panic!("expected Interface, got {other:?}"),
    }
}

#[test]
fn a_hook_point_is_called_a_hook_point() {
    let library = libraries::third_party("fp-hook");
    match open(&library) {
        Err(ref error @ LibraryError::Interface { program, .. }) => {
            assert_eq!(Some(program), <Startup as Plugin>::FINGERPRINT);
            assert!(program.is_hook_point());
            let message = error.to_string();
            assert!(
                message.contains("is of hook point `Startup` of plux-fixture-dynamic-api"),
                "{message}"
            );
            assert!(
                message.contains("this program's is hook point `Startup`"),
                "{message}"
            );
            assert!(!message.contains("interface"), "{message}");
        }
        other => panic!("expected Interface, got {other:?}"),
    }
}

#[test]
fn a_library_of_the_other_profile_works_unless_a_debug_assertions_cfg_changes_the_vtable() {
    // `Greeter` has no cfg of the profile: a library built with the other one works.
    let german = open(&libraries::third_party_other_profile(
        "third-party-greeter-de",
    ))
    .expect("a library of the other profile opens");
    assert_eq!(german.specs().count(), 1);
    assert_eq!(greeting_of("third_party_de"), "hallo, world");

    // `Checked` has a method only where `debug_assertions` is on.
    match open(&libraries::third_party_other_profile("fp-checked")) {
        Err(
            ref error @ LibraryError::Interface {
                library, program, ..
            },
        ) => {
            assert_eq!(Some(program), <dyn Checked as Plugin>::FINGERPRINT);
            assert_eq!(library.features().count(), program.features().count());
            assert_ne!(library.definition(), program.definition());
            let message = error.to_string();
            assert!(message.contains("after `#[cfg]` evaluation"), "{message}");
            assert!(message.contains("same build profile settings"), "{message}");
        }
        Ok(_) => panic!("a library with another vtable of `Checked` was accepted"),
        Err(other) => panic!("expected Interface, got {other:?}"),
    }
    // Of this test's profile, it opens and works.
    open(&libraries::third_party("fp-checked")).expect("the same profile opens");
    let checked = PluginManager::<dyn Checked>::new();
    assert_eq!(checked.load("fp_seven").expect("loads").value(), 7);
}

#[test]
fn a_type_of_another_layout_in_a_signature_is_refused() {
    // `Measured` is the same tokens in every build; `Measure`, which `measure` returns, has one
    // more field where `debug_assertions` is on.
    match open(&libraries::third_party_other_profile("fp-measured")) {
        Err(LibraryError::Interface {
            library, program, ..
        }) => {
            assert_eq!(Some(program), <dyn Measured as Plugin>::FINGERPRINT);
            assert_ne!(library.definition(), program.definition());
        }
        Ok(_) => panic!("a library returning another layout of `Measure` was accepted"),
        Err(other) => panic!("expected Interface, got {other:?}"),
    }
    open(&libraries::third_party("fp-measured")).expect("the same profile opens");
    let measured = PluginManager::<dyn Measured>::new();
    let measure = measured.load("fp_forty_two").expect("loads").measure();
    assert_eq!(measure.value, 42);
}

/// `tests/third-party/fp-copies`: libraries built against copies of the interface crate.
fn copies() -> PathBuf {
    libraries::repository().join("tests/third-party/fp-copies")
}

#[test]
fn a_doc_comment_or_formatting_change_is_accepted() {
    let library = libraries::third_party_in(&copies(), "fp-greeter-docs", false);
    let library = open(&library).expect("another edition of the docs changes nothing that crosses");
    assert_eq!(library.specs().count(), 1);
    assert_eq!(greeting_of("fp_docs"), "hello from fp_docs, world");
}

/// The version of the interface crate is informative: a library built against a later version
/// whose definition is the program's is accepted (the definition fingerprint covers everything
/// the compiler makes of the interface, and a version says nothing about it that the definition
/// does not).
#[test]
fn a_version_bump_with_the_same_definition_is_accepted() {
    let library = libraries::third_party_in(&copies(), "fp-greeter-bumped", false);
    let library = open(&library).expect("a version bump alone changes nothing that crosses");
    let spec = library.specs().next().expect("one plugin");
    let fingerprint = spec.fingerprint().expect("a fingerprint");
    let program = <dyn Greeter as Plugin>::FINGERPRINT.expect("a fingerprint");
    assert_eq!(
        (fingerprint.crate_version(), program.crate_version()),
        ("0.0.1", "0.0.0")
    );
    assert_eq!(fingerprint, program);
    assert_eq!(greeting_of("fp_bumped"), "hello from fp_bumped, world");
}

#[test]
fn a_library_whose_plux_macros_has_other_sources_is_refused() {
    let workspace = workspace_with_other_macros();
    let library = libraries::third_party_in(&workspace, "fp-macros-greeter", false);
    match open(&library) {
        Err(
            ref error @ LibraryError::PluxMacros {
                ref plugin,
                kind,
                name,
                library,
                program,
                ..
            },
        ) => {
            assert_eq!(plugin, "fixtures.dynamic.greeters/third_party_de");
            assert_eq!((kind, name), ("interface", "Greeter"));
            assert_eq!(
                program,
                <dyn Greeter as Plugin>::FINGERPRINT.unwrap().plux_macros()
            );
            assert_ne!(library, program);
            let message = error.to_string();
            assert!(
                message.contains("plux-macros from other sources"),
                "{message}"
            );
            assert!(
                message.contains("build the library against the same plux as this program"),
                "{message}"
            );
        }
        Ok(_) => panic!("a library expanded by other plux-macros was accepted"),
        Err(other) => panic!("expected PluxMacros, got {other:?}"),
    }
}

/// A workspace (in `target/`) that builds `tests/third-party/greeter-de` against the program's
/// interface crate, facade and plux-core, and a copy of plux-macros whose source differs by one
/// comment: a git or path dependency of plux between two commits that changed only the macros.
/// Files are written only when they change, so that cargo rebuilds nothing on the next run.
fn workspace_with_other_macros() -> PathBuf {
    let repository = libraries::repository();
    let root = libraries::target_dir().join("third-party-other-macros");
    let lib = root.join("plux-macros/src/lib.rs");
    copy_tree(
        &repository.join("plux-macros"),
        &root.join("plux-macros"),
        &|path, source| {
            if path == lib {
                source + "\n// The same macros, from other sources.\n"
            } else {
                source
            }
        },
    );
    let repository = repository.display();
    let version = env!("CARGO_PKG_VERSION");
    write(
        &root.join("Cargo.toml"),
        &format!(
            r#"[workspace]
members = ["plux-macros", "plux", "api", "greeter"]
resolver = "2"

[workspace.package]
version = "{version}"
edition = "2021"
rust-version = "1.80"
license = "MIT OR Apache-2.0"
repository = "https://example.invalid/plux"

[workspace.dependencies]
plux-core = {{ path = "{repository}/plux-core" }}
"#
        ),
    );
    package(
        &root.join("plux"),
        ("plux", version),
        &format!(
            r#"path = "{repository}/src/lib.rs"

[features]
inventory = ["plux-core/inventory"]
dynamic = ["plux-core/dynamic"]

[dependencies]
plux-core.workspace = true
plux-macros = {{ path = "../plux-macros" }}"#
        ),
    );
    package(
        &root.join("api"),
        ("plux-fixture-dynamic-api", "0.0.0"),
        &format!(
            r#"path = "{repository}/fixtures/dynamic-api/src/lib.rs"

[features]
fp-farewell = []

[dependencies]
plux = {{ path = "../plux" }}"#
        ),
    );
    package(
        &root.join("greeter"),
        ("fp-macros-greeter", "0.1.0"),
        &format!(
            r#"path = "{repository}/tests/third-party/greeter-de/src/lib.rs"
crate-type = ["cdylib"]

[dependencies]
plux = {{ path = "../plux" }}
plux-fixture-dynamic-api = {{ path = "../api" }}"#
        ),
    );
    root
}

/// `dir/Cargo.toml` of package `name` `version`, whose `[lib]` table continues with `rest`.
fn package(dir: &Path, (name, version): (&str, &str), rest: &str) {
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\n[lib]\n{rest}\n"
    );
    write(&dir.join("Cargo.toml"), &manifest);
}

/// Copies the files under `from` (following symlinks) to `to`, as `edit` changes them (given the
/// copy's path), each only when it changes.
fn copy_tree(from: &Path, to: &Path, edit: &dyn Fn(&Path, String) -> String) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target, edit);
        } else {
            let source = std::fs::read_to_string(&path).unwrap();
            write(&target, &edit(&target, source));
        }
    }
}

fn write(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}
