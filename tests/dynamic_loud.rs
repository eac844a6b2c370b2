//! Refusals are loud and actionable: each is logged at `WARN` (target `plux`) and says what to
//! do; a logger that calls `dynamic::libraries()` does not deadlock `open`; a FIFO or a device is
//! refused without blocking; a library for another machine is refused as such; versioned names
//! and symbolic links (dangling ones too) in a plugins directory are handled as documented; a
//! missing plugins directory is called a directory; a library that lies in its header is caught
//! where a check can see it; a built library is checked against a program's requirements
//! without the program.
// Opening a plugin library is `unsafe`; these are libraries this test built, or files it made.
#![allow(unsafe_code)]

mod libraries;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use plux::dynamic::{self, LibraryError, Requirements};
// The program has the interfaces its requirements list.
use plux_fixture_dynamic_api as _;

/// One test at a time: some set an environment variable, and all read what the logger heard.
static SERIAL: Mutex<()> = Mutex::new(());

/// This test's turn, with the logger installed and nothing heard yet.
fn serial() -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    recorder()
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    guard
}

/// Records what plux logs, and asks for the open libraries on every record, as a logger that
/// prints them would.
struct Recorder(Mutex<Vec<(log::Level, String)>>);

impl log::Log for Recorder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() == "plux"
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let open = dynamic::libraries().len();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((record.level(), format!("{} [{open} open]", record.args())));
    }

    fn flush(&self) {}
}

fn recorder() -> &'static Recorder {
    static RECORDER: OnceLock<&'static Recorder> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder: &'static Recorder = Box::leak(Box::new(Recorder(Mutex::new(Vec::new()))));
        log::set_logger(recorder).expect("the only logger");
        log::set_max_level(log::LevelFilter::Trace);
        recorder
    })
}

/// What was logged at `level` since the test began (or the last call for that level).
fn logged(level: log::Level) -> Vec<String> {
    let mut records = recorder().0.lock().unwrap_or_else(PoisonError::into_inner);
    let (found, kept): (Vec<_>, Vec<_>) = records.drain(..).partition(|(at, _)| *at == level);
    *records = kept;
    found.into_iter().map(|(_, line)| line).collect()
}

/// Runs `f` on a thread of its own, failing the test if it takes more than a minute (it would
/// block or deadlock) rather than hanging.
fn within_a_minute<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} blocked"))
}

fn open(path: impl AsRef<Path>) -> Result<dynamic::Library, LibraryError> {
    // SAFETY: every path of this test is a library it built, a copy of one, or a file it made.
    unsafe { dynamic::open(path) }
}

#[test]
fn refusals_are_logged_at_warn_and_a_logger_may_call_libraries() {
    let _serial = serial();
    let library = libraries::third_party("adds-collide");
    let opened = within_a_minute("open with a logger that calls libraries()", move || {
        open(library)
    });
    let opened = opened.expect("opens");
    let info = logged(log::Level::Info);
    assert!(
        info.iter()
            .any(|line| line.contains("opened plugin library")
                && line.contains(&*opened.path().display().to_string())),
        "{info:?}"
    );

    let dir = libraries::temp_dir("loud");
    let missing = dir.join("libnothing.so");
    let error = within_a_minute("a refused open", move || open(missing)).unwrap_err();
    let warned = logged(log::Level::Warn);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].starts_with(&error.to_string()), "{warned:?}");
    assert!(
        error
            .to_string()
            .contains("check the path, or install the library there"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_or_a_device_is_refused_without_blocking() {
    let _serial = serial();
    let dir = libraries::temp_dir("fifo");
    let fifo = dir.join("libfifo.so");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let opened = within_a_minute("opening a FIFO", {
        let fifo = fifo.clone();
        move || open(fifo)
    });
    match opened {
        Err(LibraryError::NotAFile { kind, .. }) => assert_eq!(kind, "a FIFO (named pipe)"),
        other => panic!("expected NotAFile, got {other:?}"),
    }
    // In a plugins directory too: refused, the others still open.
    let listed = within_a_minute("opening a directory with a FIFO", {
        let dir = dir.clone();
        // SAFETY: a directory this test made, with nothing but the FIFO.
        move || unsafe { dynamic::open_dir(dir) }
    })
    .expect("the directory reads");
    assert_eq!(listed.refused().len(), 1);

    match open("/dev/null") {
        Err(LibraryError::NotAFile { kind, .. }) => assert_eq!(kind, "a character device"),
        other => panic!("expected NotAFile, got {other:?}"),
    }
    match open(&dir) {
        Err(error @ LibraryError::NotAFile { .. }) => {
            assert!(error
                .to_string()
                .contains("is a directory, not a regular file"))
        }
        other => panic!("expected NotAFile, got {other:?}"),
    }
    let warned = logged(log::Level::Warn);
    assert_eq!(warned.len(), 4, "{warned:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_library_for_another_machine_is_refused_as_such() {
    let _serial = serial();
    let dir = libraries::temp_dir("machine");
    let built = std::fs::read(libraries::built("plux_fixture_dynamic_plugins")).unwrap();
    let this = if cfg!(target_arch = "x86_64") {
        "x86_64 (64-bit, little-endian)"
    } else {
        // The names below are x86_64's; another host reads its own.
        return;
    };
    // e_machine (offset 0x12) of aarch64, and a 32-bit class: what the ELF header of a
    // library built for another target says.
    let mut aarch64 = built.clone();
    aarch64[0x12..0x14].copy_from_slice(&183u16.to_le_bytes());
    let mut thirty_two = built;
    thirty_two[4] = 1;
    for (bytes, name, library) in [
        (aarch64, "aarch64", "aarch64 (64-bit, little-endian)"),
        (thirty_two, "x86_32", "x86_64 (32-bit, little-endian)"),
    ] {
        let path = dir.join(libraries::file_name(name));
        std::fs::write(&path, bytes).unwrap();
        let error = open(&path).expect_err(name);
        match &error {
            LibraryError::Architecture {
                library: got,
                program,
                ..
            } => {
                assert_eq!((got.as_str(), program.as_str()), (library, this));
            }
            other => panic!("{name}: expected Architecture, got {other:?}"),
        }
        let message = error.to_string();
        assert!(!message.contains("No such file"), "{message}");
        assert!(
            message.contains("build the library for target"),
            "{message}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A symbolic link at `link` to `target`.
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("a symbolic link");
}

#[test]
fn open_dir_handles_versioned_names_and_symlinks_as_documented() {
    let _serial = serial();
    let dir = libraries::temp_dir("versioned");
    let built = libraries::third_party("third-party-greeter-de");
    // As a distribution installs a library: the real file versioned, links to it.
    let real = dir.join("libthird_party_greeter_de.so.1.0");
    std::fs::copy(&built, &real).unwrap();
    symlink(
        "libthird_party_greeter_de.so.1.0",
        &dir.join("libthird_party_greeter_de.so.1"),
    );
    symlink(
        "libthird_party_greeter_de.so.1",
        &dir.join("libthird_party_greeter_de.so"),
    );
    symlink("libgone.so.2", &dir.join("libgone.so"));
    std::fs::write(dir.join("README"), "plugins of my-app\n").unwrap();
    std::fs::write(dir.join("libold.so.bak"), "a backup\n").unwrap();

    // SAFETY: a directory this test made, with a library it built.
    let opened = unsafe { dynamic::open_dir(&dir) }.expect("the directory reads");
    // Three names of one file: one library.
    assert_eq!(opened.libraries().len(), 1, "{opened:?}");
    assert_eq!(opened.libraries()[0].path(), real.canonicalize().unwrap());
    // The dangling link is refused, saying so.
    match opened.refused() {
        [LibraryError::Dangling { path, target }] => {
            assert_eq!(path, &dir.join("libgone.so"));
            assert_eq!(target, Path::new("libgone.so.2"));
        }
        other => panic!("expected one dangling link, got {other:?}"),
    }
    // Files not named like a library are ignored, listed, and logged at DEBUG.
    let ignored: Vec<PathBuf> = opened.ignored().to_vec();
    assert_eq!(ignored, [dir.join("README"), dir.join("libold.so.bak")]);
    let debug = logged(log::Level::Debug);
    assert!(
        debug.iter().any(|line| line.contains("libold.so.bak")),
        "{debug:?}"
    );
    let warned = logged(log::Level::Warn);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("libgone.so"), "{warned:?}");

    // Refusals as an error, for `?`.
    let error = opened.into_result().unwrap_err();
    assert_eq!(error.errors().len(), 1);
    assert!(
        error.to_string().contains("1 plugin libraries of"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_plugins_directory_is_called_a_directory() {
    let _serial = serial();
    let missing = libraries::temp_dir("no-plugins").join("plugins");
    // SAFETY: nothing to open.
    let error = unsafe { dynamic::open_dir(&missing) }.unwrap_err();
    assert!(matches!(error, LibraryError::Directory { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("plugins directory"), "{message}");
    assert!(!message.contains("plugin library"), "{message}");
    assert!(message.contains("create it"), "{message}");
    let warned = logged(log::Level::Warn);
    assert_eq!(warned.len(), 1, "{warned:?}");
}

#[test]
fn a_library_that_lies_in_its_header_is_caught_where_a_check_can_see_it() {
    let _serial = serial();
    let dir = libraries::temp_dir("liar");
    let built = libraries::third_party("adds-liar");
    for (lie, expected) in [
        ("exports-null", "its exports are null"),
        ("not-utf8", "its rustc is not UTF-8"),
        (
            "silent",
            "its entry point does not say which crates it exports",
        ),
    ] {
        // A copy for each lie: another file is another library to the loader, whose entry
        // point reads the lie afresh.
        let copy = libraries::copy(&built, &dir, &format!("liar_{}", lie.replace('-', "_")));
        std::env::set_var("ADDS_LIAR", lie);
        let opened = open(&copy);
        std::env::remove_var("ADDS_LIAR");
        match opened {
            Err(LibraryError::NotPluxLibrary { reason, .. }) => assert_eq!(reason, expected),
            other => panic!("{lie}: expected NotPluxLibrary, got {other:?}"),
        }
    }
    let copy = libraries::copy(&built, &dir, "liar_short");
    std::env::set_var("ADDS_LIAR", "short");
    let opened = open(&copy);
    std::env::remove_var("ADDS_LIAR");
    assert!(
        matches!(opened, Err(LibraryError::Abi { .. })),
        "{opened:?}"
    );
    assert!(dynamic::libraries()
        .iter()
        .all(|library| library.crate_name() != "adds_liar"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_built_library_is_checked_against_a_programs_requirements_without_the_program() {
    let _serial = serial();
    let dir = libraries::temp_dir("requirements");
    // The program writes what a library must match...
    let file = dir.join("requirements.txt");
    std::fs::write(&file, dynamic::requirements().to_string()).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("rustc: {}", dynamic::requirements().rustc)));
    assert!(text.contains(
        "type: fixtures.dynamic.greeters plux-fixture-dynamic-api Greeter = interface `Greeter` of \
         plux-fixture-dynamic-api (no features; plux-macros "
    ));
    // ...and the library's author checks a build against it.
    let library = libraries::third_party("third-party-greeter-de");
    let requirements: Requirements = text.parse().expect("reads back");
    // SAFETY: a library this test built.
    let plugins = unsafe { dynamic::check_library(&library, &requirements) }.expect("passes");
    assert_eq!(plugins, ["fixtures.dynamic.greeters/third_party_de"]);

    // Another definition of `Greeter` in the program: the library's is refused.
    let mut other = requirements.clone();
    for required in &mut other.types {
        if required.name == "Greeter" {
            required.fingerprint = required
                .fingerprint
                .replace("; definition ", "; definition 0");
        }
    }
    // SAFETY: as above.
    match unsafe { dynamic::check_library(&library, &other) } {
        Err(error @ LibraryError::Requirement { .. }) => {
            let message = error.to_string();
            assert!(message.contains("third_party_de"), "{message}");
            assert!(
                message.contains(
                    "build the library against the program's version of `plux-fixture-dynamic-api`"
                ),
                "{message}"
            );
        }
        other => panic!("expected Requirement, got {other:?}"),
    }
    // Another target.
    let mut other = requirements;
    other.target = "aarch64-unknown-linux-gnu".to_owned();
    // SAFETY: as above.
    match unsafe { dynamic::check_library(&library, &other) } {
        Err(LibraryError::Target { program, .. }) => {
            assert_eq!(program, "aarch64-unknown-linux-gnu")
        }
        other => panic!("expected Target, got {other:?}"),
    }
    // Checking registers nothing.
    assert!(dynamic::libraries()
        .iter()
        .all(|library| library.crate_name() != "third_party_greeter_de"
            || library.path().starts_with(std::env::temp_dir())));
    let _ = std::fs::remove_dir_all(&dir);
}
