//! Libraries a program must refuse, each with a typed error that names both sides, and nothing
//! of them registered: a missing file, a file that is not a shared library, a truncated one, a
//! shared library that is not a plux library, and a plux library built by another rustc, for
//! another target, with another panic strategy, against another plux, with another header
//! layout, against another definition of an interface, or with a plugin whose type has no
//! fingerprint.
//!
//! The last kinds are one real `cdylib` (`fixtures/dynamic-skewed`) whose entry point reports
//! what `PLUX_FIXTURE_SKEW` asks for: the program's checks are the real ones.
// Opening a plugin library is `unsafe`; these are files this test made or built.
#![allow(unsafe_code)]

mod libraries;

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use plux::dynamic::{self, LibraryError};
use plux::{Plugin, PluginManager, Registry};
use plux_fixture_dynamic_api::Greeter;

/// The tests of this binary run one at a time: one of them sets an environment variable, which
/// must not change while another thread reads the environment.
static SERIAL: Mutex<()> = Mutex::new(());

/// Nothing of any refused library reached the registry.
fn assert_nothing_registered() {
    assert!(dynamic::libraries().is_empty());
    for namespace in [
        "fixtures.dynamic.plain",
        "fixtures.dylib",
        "fixtures.dynamic.greeters",
    ] {
        assert!(
            !Registry::namespaces().contains(&namespace),
            "{namespace} in {:?}",
            Registry::namespaces()
        );
    }
    assert!(PluginManager::<dyn Greeter>::new().list_names().is_empty());
}

#[test]
fn files_that_are_not_plux_libraries_are_refused() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = libraries::temp_dir("not-libraries");

    let missing = dir.join("libnothing.so");
    match unsafe { dynamic::open(&missing) } {
        Err(LibraryError::Missing { path }) => assert_eq!(path, missing),
        other => panic!("expected Missing, got {other:?}"),
    }

    let text = dir.join("libtext.so");
    std::fs::write(&text, "not a library\n").unwrap();
    match unsafe { dynamic::open(&text) } {
        Err(LibraryError::NotLoadable { path, reason }) => {
            assert_eq!(path, text.canonicalize().unwrap());
            assert!(!reason.is_empty());
        }
        other => panic!("expected NotLoadable, got {other:?}"),
    }

    let real = std::fs::read(libraries::built("plux_fixture_dynamic_plugins")).unwrap();
    let truncated = dir.join("libtruncated.so");
    // Cut inside the segments the loader maps (which it would map past the end of the file,
    // crashing the process at the first touch), and cut only at the end.
    for cut in [64 * 1024, real.len() - 1] {
        std::fs::write(&truncated, &real[..cut]).unwrap();
        match unsafe { dynamic::open(&truncated) } {
            Err(LibraryError::Truncated { size, needed, .. }) => {
                assert_eq!(size, cut as u64);
                assert!(needed > size);
            }
            other => panic!("cut at {cut}: expected Truncated, got {other:?}"),
        }
    }

    let not_plux = libraries::built("plux_fixture_dylib");
    let error = unsafe { dynamic::open(&not_plux) }.unwrap_err();
    assert!(
        matches!(&error, LibraryError::NotPluxLibrary { reason, .. } if reason.contains("plux_library_v1")),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("plux::export_plugins!()"),
        "{error}"
    );

    // A directory: every library in it, a bad one not stopping the others.
    let opened = unsafe { dynamic::open_dir(&dir) }.unwrap();
    assert_eq!(opened.refused().len(), 2, "libtext.so and libtruncated.so");
    assert!(opened.libraries().is_empty());
    assert!(matches!(
        unsafe { dynamic::open_dir(dir.join("nowhere")) },
        Err(LibraryError::Directory { .. })
    ));

    assert_nothing_registered();
    // The refused libraries stay mapped; only their files go.
    let _ = std::fs::remove_dir_all(&dir);
}

/// Opens a fresh copy of the skewed library, which claims what `skew` says.
fn open_skewed(dir: &Path, skew: &str) -> LibraryError {
    let library = libraries::copy(
        &libraries::built("plux_fixture_dynamic_skewed"),
        dir,
        &format!("skewed_{}", skew.replace('-', "_")),
    );
    std::env::set_var("PLUX_FIXTURE_SKEW", skew);
    let opened = unsafe { dynamic::open(&library) };
    std::env::remove_var("PLUX_FIXTURE_SKEW");
    opened.expect_err(skew)
}

#[test]
fn libraries_built_otherwise_are_refused_by_name() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = libraries::temp_dir("skewed");
    let program_plux = env!("CARGO_PKG_VERSION");

    match open_skewed(&dir, "plux-version") {
        ref error @ LibraryError::PluxVersion {
            ref library,
            ref program,
            ..
        } => {
            assert_eq!(library, "0.0.1-other");
            assert_eq!(program, program_plux);
            let message = error.to_string();
            assert!(message.contains("against plux 0.0.1-other"), "{message}");
            assert!(
                message.contains(&format!("against plux {program}")),
                "{message}"
            );
        }
        other => panic!("expected PluxVersion, got {other:?}"),
    }
    match open_skewed(&dir, "plux-source") {
        ref error @ LibraryError::PluxSource {
            ref library,
            ref program,
            ..
        } => {
            assert_eq!(library, "0123456789abcdef");
            assert_eq!(program.len(), 16, "{program}");
            assert_ne!(library, program);
            let message = error.to_string();
            assert!(message.contains("from other sources"), "{message}");
            assert!(
                message.contains(&format!("plux {program_plux}")),
                "{message}"
            );
        }
        other => panic!("expected PluxSource, got {other:?}"),
    }
    match open_skewed(&dir, "rustc") {
        LibraryError::Rustc {
            library, program, ..
        } => {
            assert_eq!(library, "rustc 1.0.0 (a28077b28 2015-05-13)");
            assert!(program.starts_with("rustc "), "{program}");
        }
        other => panic!("expected Rustc, got {other:?}"),
    }
    match open_skewed(&dir, "target") {
        LibraryError::Target {
            library, program, ..
        } => {
            assert_eq!(library, "riscv64gc-unknown-none-elf");
            assert_ne!(program, library);
        }
        other => panic!("expected Target, got {other:?}"),
    }
    match open_skewed(&dir, "panic") {
        LibraryError::PanicStrategy {
            library, program, ..
        } => {
            assert_eq!((library.as_str(), program.as_str()), ("abort", "unwind"));
        }
        other => panic!("expected PanicStrategy, got {other:?}"),
    }
    match open_skewed(&dir, "abi") {
        LibraryError::Abi {
            library, program, ..
        } => assert_ne!(library, program),
        other => panic!("expected Abi, got {other:?}"),
    }
    for skew in ["magic", "null"] {
        match open_skewed(&dir, skew) {
            LibraryError::NotPluxLibrary { .. } => {}
            other => panic!("{skew}: expected NotPluxLibrary, got {other:?}"),
        }
    }

    // As built: a plugin of another definition of the program's `Greeter`.
    match open_skewed(&dir, "") {
        error @ LibraryError::Interface { .. } => {
            let LibraryError::Interface {
                plugin,
                library,
                program,
                ..
            } = &error
            else {
                unreachable!()
            };
            assert_eq!(plugin, "fixtures.dynamic.greeters/skewed");
            assert_eq!(Some(*program), <dyn Greeter as Plugin>::FINGERPRINT);
            assert_eq!((library.name(), program.name()), ("Greeter", "Greeter"));
            assert_eq!(library.namespace(), program.namespace());
            assert_eq!(library.crate_name(), "plux-fixture-dynamic-skewed");
            assert_eq!(program.crate_name(), "plux-fixture-dynamic-api");
            assert_ne!(library.definition(), program.definition());
            let message = error.to_string();
            assert!(message.contains("plux-fixture-dynamic-skewed"), "{message}");
            assert!(message.contains("plux-fixture-dynamic-api"), "{message}");
        }
        other => panic!("expected Interface, got {other:?}"),
    }

    match open_skewed(&dir, "unchecked") {
        LibraryError::Unchecked { plugin, site, .. } => {
            assert_eq!(plugin, "fixtures.dynamic.plain/plain");
            assert_eq!(site.file, "fixtures/dynamic-skewed/src/lib.rs");
        }
        other => panic!("expected Unchecked, got {other:?}"),
    }

    assert_nothing_registered();
    // The refused libraries stay mapped; only their files go.
    let _ = std::fs::remove_dir_all(&dir);
}
