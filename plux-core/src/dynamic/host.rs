//! The program's side: opening plugin libraries, checking them, and adding their plugins to the
//! registry.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::io;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use crate::dynamic::abi::{
    AllocatorFns, Exported, Exports, Header, LibrarySpec, Process, Str, ABI_VERSION, ENTRY_SYMBOL,
    MAGIC, PANIC, PLUX_SOURCE, PLUX_VERSION, RUSTC, TARGET,
};
use crate::dynamic::elf::{self, Machine};
use crate::dynamic::requirements::Requirements;
use crate::dynamic::{contain, joined};
use crate::fingerprint::{interfaces, Fingerprint};
use crate::logged::plux_log;
use crate::registry::Registry;
use crate::spec::{Location, PluginSpec};

/// Why a plugin library was not opened. Nothing of a refused library is registered, and what
/// the program had is unchanged. Each message says what to do about it.
#[derive(Debug)]
#[non_exhaustive]
pub enum LibraryError {
    /// There is no file at that path.
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The path is a symbolic link to nothing.
    Dangling {
        /// The link.
        path: PathBuf,
        /// What it points to.
        target: PathBuf,
    },
    /// The path is not a regular file: a directory, a FIFO, a device, a socket. Refused without
    /// reading it (a FIFO would block the program).
    NotAFile {
        /// The path given.
        path: PathBuf,
        /// What it is, e.g. `a FIFO (named pipe)`.
        kind: &'static str,
    },
    /// The file could not be read.
    Io {
        /// The path given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The plugins directory given to [`open_dir`] could not be read: missing, not a directory,
    /// not readable.
    Directory {
        /// The directory given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// An ELF file for another machine, word size or byte order than this program's.
    Architecture {
        /// The file.
        path: PathBuf,
        /// What its ELF header says, e.g. `aarch64 (64-bit, little-endian)`.
        library: String,
        /// This program's.
        program: String,
    },
    /// The system could not load the file as a shared library.
    NotLoadable {
        /// The file.
        path: PathBuf,
        /// What the system loader said.
        reason: String,
    },
    /// The file is shorter than its own headers say: cut off, e.g. by an interrupted copy.
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The size its headers need.
        needed: u64,
    },
    /// A shared library, but not a plux plugin library: it exports no entry point, or a bad one.
    NotPluxLibrary {
        /// The file.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// The library's header has another layout version: another plux major version made it.
    Abi {
        /// The file.
        path: PathBuf,
        /// The library's layout version (and header size).
        library: String,
        /// This program's.
        program: String,
    },
    /// Built by another compiler: Rust has no stable ABI, so nothing else would be safe to read.
    Rustc {
        /// The file.
        path: PathBuf,
        /// The library's `rustc -vV` first line.
        library: String,
        /// The program's.
        program: String,
    },
    /// Built for another target.
    Target {
        /// The file.
        path: PathBuf,
        /// The library's target triple.
        library: String,
        /// The program's.
        program: String,
    },
    /// Built with another panic strategy: a library that aborts cannot have its panics
    /// contained; a program that aborts could not contain them either.
    PanicStrategy {
        /// The file.
        path: PathBuf,
        /// `unwind` or `abort`.
        library: String,
        /// The program's.
        program: String,
    },
    /// Built against another version of plux.
    PluxVersion {
        /// The file.
        path: PathBuf,
        /// The library's plux version.
        library: String,
        /// The program's.
        program: String,
    },
    /// Built against the same version of plux as this program, from other sources (a git or
    /// path dependency between releases): the types it hands over may have another layout.
    PluxSource {
        /// The file.
        path: PathBuf,
        /// The fingerprint of the library's plux-core source.
        library: String,
        /// The program's.
        program: String,
    },
    /// A plugin of the library is of another definition of one of the program's interfaces or
    /// hook points, as the compiler saw it: other methods (after `#[cfg]` evaluation) or
    /// signatures, other layouts of the types in them, other cargo features of the declaring
    /// crate, or another declaring crate. The crate's version alone does not count.
    Interface {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// The interface or hook point the library was built against.
        library: &'static Fingerprint,
        /// This program's interface or hook point of that namespace (or name).
        program: &'static Fingerprint,
    },
    /// A plugin of the library is of one of the program's interfaces or hook points as expanded
    /// by a plux-macros from other sources than the program's (a git or path dependency between
    /// releases): the macros lay out part of what crosses, such as the methods they add to an
    /// interface's vtable.
    PluxMacros {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// `interface` or `hook point`.
        kind: &'static str,
        /// The interface's or hook point's name.
        name: &'static str,
        /// The source fingerprint of the library's plux-macros.
        library: &'static str,
        /// This program's.
        program: &'static str,
    },
    /// A plugin of the library is of a type that is neither an interface nor a hook point: the
    /// program could not check that it is the type it expects.
    Unchecked {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// Where the library declares it.
        site: Location,
    },
    /// A plugin of the library has the name of a plugin the program has already, linked or of
    /// a library opened before. The library is refused rather than either being disabled.
    Collision {
        /// The file.
        path: PathBuf,
        /// `namespace/name`.
        plugin: String,
        /// Where the library declares it.
        library: Box<Location>,
        /// Where the program's plugin of that name is declared (its `library` names the
        /// library it came from, if any).
        program: Box<Location>,
    },
    /// Another copy of a library that is open already: the same crate, from another file (say
    /// `libfoo.so` beside `libfoo-1.2.so`). The first stays; this one is refused.
    Copy {
        /// The file refused.
        path: PathBuf,
        /// The library opened first.
        first: PathBuf,
        /// The crate both export.
        crate_name: String,
    },
    /// The library is being opened by this very thread: code run while it loads (its
    /// initialisers) called `open` on it again.
    Reentrant {
        /// The file.
        path: PathBuf,
    },
    /// A plugin of the library is of another interface or hook point than the one the
    /// [`Requirements`] given to [`check_library`] name.
    Requirement {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// The crate that declares the interface or hook point.
        crate_name: String,
        /// What the library was built against.
        library: String,
        /// What the program has.
        required: String,
    },
}

impl fmt::Display for LibraryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibraryError::Missing { path } => write!(
                f,
                "plugin library {}: no such file; check the path, or install the library there",
                path.display()
            ),
            LibraryError::Dangling { path, target } => write!(
                f,
                "plugin library {} is a symbolic link to {}, which does not exist: install the \
                 library it names, or remove the link",
                path.display(),
                target.display()
            ),
            LibraryError::NotAFile { path, kind } => write!(
                f,
                "plugin library {} is {kind}, not a regular file: a plugin library is a file (or \
                 a link to one); remove it from where the program looks for libraries",
                path.display()
            ),
            LibraryError::Io { path, source } => write!(
                f,
                "plugin library {}: {source}; check that this program may read it",
                path.display()
            ),
            LibraryError::Directory { path, source } => write!(
                f,
                "plugins directory {}: {source}; create it, or give the directory where the \
                 plugin libraries are installed",
                path.display()
            ),
            LibraryError::Architecture {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} is built for {library}, this program for {program}: build the \
                 library for target {TARGET}",
                path.display()
            ),
            LibraryError::NotLoadable { path, reason } => write!(
                f,
                "plugin library {}: not a loadable shared library ({reason}); build it as a \
                 `cdylib` for target {TARGET}, or remove it",
                path.display()
            ),
            LibraryError::Truncated { path, size, needed } => write!(
                f,
                "plugin library {}: truncated, {size} bytes where its headers need {needed}; \
                 install it again",
                path.display()
            ),
            LibraryError::NotPluxLibrary { path, reason } => write!(
                f,
                "plugin library {}: not a plux plugin library ({reason}); a plugin library's \
                 crate has `crate-type = [\"cdylib\"]` and calls `plux::export_plugins!();` once",
                path.display()
            ),
            LibraryError::Abi {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {}: its plux header has layout {library}, this program reads \
                 layout {program}; build the library against plux {PLUX_VERSION}",
                path.display()
            ),
            LibraryError::Rustc {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} was built by {library}, this program by {program}; build the \
                 library with the program's compiler (Rust has no stable ABI between compilers)",
                path.display()
            ),
            LibraryError::Target {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} was built for {library}, this program for {program}; build the \
                 library with `--target {program}`",
                path.display()
            ),
            LibraryError::PanicStrategy {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} was built with panic = \"{library}\", this program with panic \
                 = \"{program}\"; build the library with `panic = \"{program}\"` in its profile",
                path.display()
            ),
            LibraryError::PluxVersion {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} was built against plux {library}, this program against plux \
                 {program}; build the library against plux {program}",
                path.display()
            ),
            LibraryError::PluxSource {
                path,
                library,
                program,
            } => write!(
                f,
                "plugin library {} was built against plux {PLUX_VERSION} from other sources \
                 (source fingerprint {library}, this program's {program}): build both against the \
                 same plux",
                path.display()
            ),
            LibraryError::Interface {
                path,
                plugin,
                library,
                program,
            } => write!(
                f,
                "plugin library {}: plugin `{plugin}` is of {library}, but this program's is \
                 {program}: {}",
                path.display(),
                advice(library, program)
            ),
            LibraryError::PluxMacros {
                path,
                plugin,
                kind,
                name,
                library,
                program,
            } => write!(
                f,
                "plugin library {}: plugin `{plugin}` is of {kind} `{name}` as expanded by \
                 plux-macros from other sources (source fingerprint {library}, this program's \
                 {program}): build the library against the same plux as this program (the same \
                 release, or the same git revision or path)",
                path.display()
            ),
            LibraryError::Unchecked { path, plugin, site } => write!(
                f,
                "plugin library {}: plugin `{plugin}` ({site}) is not of a #[plugin_interface] or \
                 a #[hook_point], so this program cannot check its type; only those can cross a \
                 library: declare it as a plugin of an interface or hook point the program \
                 shares, or leave it out",
                path.display()
            ),
            LibraryError::Collision {
                path,
                plugin,
                library,
                program,
            } => write!(
                f,
                "plugin library {}: plugin `{plugin}` ({library}) has the name of this program's \
                 plugin declared at {program}; rename one of them (`#[plugin(name = \"..\")]`)",
                path.display()
            ),
            LibraryError::Copy {
                path,
                first,
                crate_name,
            } => write!(
                f,
                "plugin library {} is another copy of {} (crate `{crate_name}`), which is open \
                 already; remove one of the two files",
                path.display(),
                first.display()
            ),
            LibraryError::Reentrant { path } => write!(
                f,
                "plugin library {} is being opened by this thread already; do not open a library \
                 from its own initialisers",
                path.display()
            ),
            LibraryError::Requirement {
                path,
                plugin,
                crate_name,
                library,
                required,
            } => write!(
                f,
                "plugin library {}: plugin `{plugin}` is of {library}, the program requires \
                 {required}; build the library against the program's version of `{crate_name}`",
                path.display()
            ),
        }
    }
}

impl Error for LibraryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            LibraryError::Io { source, .. } | LibraryError::Directory { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

/// A plugin library that [`open`] opened, checked and added to the registry. It stays loaded for
/// the life of the process.
#[derive(Clone)]
pub struct Library(Arc<Opened>);

struct Opened {
    path: &'static Path,
    specs: Vec<&'static PluginSpec>,
    /// Which loaded image it is.
    exports: &'static Exports,
    /// What it exports, as its `export_plugins!` says.
    exported: &'static Exported,
}

impl Library {
    /// The library's file (canonical path).
    pub fn path(&self) -> &'static Path {
        self.0.path
    }

    /// Its plugins, as the program's registry holds them (their location names the library):
    /// those that its own crate declares, and those of the crates its `export_plugins!` names.
    pub fn specs(&self) -> impl Iterator<Item = &'static PluginSpec> + '_ {
        self.0.specs.iter().copied()
    }

    /// The library's crate, as `module_path!()` names it (`my_plugins` for package
    /// `my-plugins`).
    pub fn crate_name(&self) -> &'static str {
        self.0.exported.crate_name()
    }

    /// The library package's version, when cargo built it.
    pub fn version(&self) -> Option<&'static str> {
        self.0.exported.version
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.0.path)
            .field("crate", &self.crate_name())
            .field("plugins", &self.0.specs.len())
            .finish()
    }
}

/// A library being opened by a thread, or open.
enum Opening {
    By(ThreadId),
    Open(Library),
}

/// Libraries by canonical path, and a condvar for threads waiting for another to open one. No
/// lock is held while a library is loaded (its initialisers run) or while anything is logged.
static OPENINGS: LazyLock<(Mutex<HashMap<PathBuf, Opening>>, Condvar)> =
    LazyLock::new(Default::default);

fn openings() -> MutexGuard<'static, HashMap<PathBuf, Opening>> {
    OPENINGS.0.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A thread's claim to open a path; released (for the next thread to try) if the opening fails.
struct Claim<'a>(&'a Path);

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut openings = openings();
        if matches!(openings.get(self.0), Some(Opening::By(_))) {
            openings.remove(self.0);
        }
        drop(openings);
        OPENINGS.1.notify_all();
    }
}

/// Opens the plugin library at `path`, checks it, and adds its plugins to the registry: a
/// [`PluginManager`](crate::PluginManager) that resolves its namespace from then on finds them
/// (one that had resolved it already finds them after
/// [`refresh`](crate::PluginManager::refresh)).
///
/// What is checked, before anything of the library is registered (each a [`LibraryError`]
/// that says what to do, also logged at `WARN`, target `plux`): that the path is a regular file
/// (a FIFO or a device is refused without being read), an ELF file for this program's machine
/// and complete; that the system loads it; that it is a plux plugin library built by the same
/// rustc, for the same target and panic strategy, against the same plux (version and source);
/// that each plugin is of an interface or hook point, the program's own by fingerprint; that no
/// plugin has the name of one the program has (linked or of a library opened before); that it
/// is not a second copy of a library that is open. The library exports only the plugins its own
/// crate declares (and those its `export_plugins!(also = [..])` names), not those of the crates
/// it links. [`requirements`](crate::dynamic::requirements) says what a library must match.
///
/// Opening a library that is already open (by any path to the same file) returns it again and
/// registers nothing more, also from many threads at once. A library is never unloaded.
///
/// # Safety
///
/// Opening a shared library runs code of it, and what it hands over is trusted beyond what can
/// be checked. The caller promises that the file is a plux plugin library built by someone it
/// trusts to run code in this process, and in particular:
///
/// - **Its initialisers** (`.init_array`, `#[ctor]`s, the `inventory` backend's constructors,
///   and those of every library it depends on) run when the system loads it, before any check
///   of plux; a library that is not what it seems may do anything there.
/// - **Its header tells the truth.** The checks read what the library says it was built with
///   (rustc, target, panic strategy, plux version and source, layout version); a library that
///   copies a compatible header over another build (by hand, not with `export_plugins!`) passes
///   them, and everything read after them (its plugin specs, vtables, the values its plugins
///   return) is then of an unknown layout. Caught: another machine (from the ELF header, which
///   the system reads too), a header without plux's magic or of another size, strings that are
///   not UTF-8, a null entry point or exports.
/// - **Types the fingerprints cannot see have the same layout on both sides.** A fingerprint
///   covers an interface or hook point; a type it mentions whose definition changed without
///   the fingerprint seeing it (see [`Fingerprint`]) is read with the program's layout.
/// - **The file does not change while it is opened**: plux checks the file at the path, then
///   the system loads the path; a file replaced in between is loaded unchecked.
/// - What the other parts of plux cannot check is listed in `docs/dynamic.md` ("What the caller
///   promises").
///
/// Not a matter of soundness, but of containment: a panic in a library's plugins (their
/// lifecycle, methods, `Drop`, errors) and hook fns reaches the program as the program's own
/// panic; a panic in other library code, or in program code that library code calls back,
/// aborts the process (listed in the same section).
///
/// ```no_run
/// use plux_core::dynamic;
///
/// // SAFETY: the plugins directory holds libraries built for this program by its packagers.
/// let library = unsafe { dynamic::open("plugins/libgerman_greeter.so") }?;
/// for spec in library.specs() {
///     // e.g. `my.greeters/de: german_greeter at src/lib.rs:9:1 in library /…/libgerman_greeter.so`
///     println!("{spec}: {}", spec.location());
/// }
/// // From now on, `PluginManager::<dyn Greeter>::new()` finds `de` with the linked greeters.
/// # Ok::<(), dynamic::LibraryError>(())
/// ```
pub unsafe fn open(path: impl AsRef<Path>) -> Result<Library, LibraryError> {
    let path = path.as_ref();
    // Logged here, with no lock of plux held: a logger may call `libraries()`, or open.
    match open_unlogged(path) {
        Ok(Registered::Again(library)) => Ok(library),
        Ok(Registered::New(library, not_exported)) => {
            plux_log!(
                Info,
                "opened plugin library {} (crate {}, {} plugins)",
                library.path().display(),
                library.crate_name(),
                library.0.specs.len()
            );
            if !not_exported.is_empty() {
                plux_log!(
                    Debug,
                    "plugin library {}: not exported, plugins of the crates it links: {}; \
                     `export_plugins!(also = [..])` names crates whose plugins it exports",
                    library.path().display(),
                    not_exported.join(", ")
                );
            }
            Ok(library)
        }
        Err(error) => {
            plux_log!(Warn, "{error}");
            Err(error)
        }
    }
}

/// What a successful open did: registered a new library (with the crates whose plugins it did
/// not export), or found it open already.
enum Registered {
    New(Library, Vec<String>),
    Again(Library),
}

fn open_unlogged(path: &Path) -> Result<Registered, LibraryError> {
    let canonical = canonical(path)?;
    let me = thread::current().id();
    let mut waiting = openings();
    loop {
        match waiting.get(&canonical) {
            Some(Opening::Open(library)) => return Ok(Registered::Again(library.clone())),
            Some(Opening::By(thread)) if *thread == me => {
                return Err(LibraryError::Reentrant { path: canonical })
            }
            Some(Opening::By(_)) => {
                waiting = OPENINGS
                    .1
                    .wait(waiting)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            None => break,
        }
    }
    waiting.insert(canonical.clone(), Opening::By(me));
    drop(waiting);
    let claim = Claim(&canonical);
    let opened = load(&canonical)?;
    let library = match &opened {
        Registered::New(library, _) | Registered::Again(library) => library.clone(),
    };
    openings().insert(canonical.clone(), Opening::Open(library));
    drop(claim);
    Ok(opened)
}

/// The canonical path of `path`; a missing file or a dangling link is said as such.
fn canonical(path: &Path) -> Result<PathBuf, LibraryError> {
    std::fs::canonicalize(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => match std::fs::read_link(path) {
            Ok(target) => LibraryError::Dangling {
                path: path.to_owned(),
                target,
            },
            Err(_) => LibraryError::Missing {
                path: path.to_owned(),
            },
        },
        _ => LibraryError::Io {
            path: path.to_owned(),
            source,
        },
    })
}

/// Opens every plugin library in `dir`, in file name order, as [`open`] does: each file named
/// like a shared library of this platform (`*.so`, and versioned names such as `libx.so.1` on
/// Unix but macOS), and each symbolic link so named, followed (a dangling one is refused as
/// [`Dangling`](LibraryError::Dangling)). Names that lead to one file open it once. A bad
/// library does not stop the others.
///
/// The result is an [`OpenedDir`], which the compiler will not let a caller drop unread: the
/// libraries opened, those refused (each also logged at `WARN`), and the files ignored because
/// their names are not a library's (logged at `DEBUG`). [`OpenedDir::into_result`] turns
/// refusals into an error, for `?`.
///
/// # Safety
///
/// As for [`open`], for every library in `dir`: whoever can write to `dir` chooses code that
/// this process runs.
///
/// ```no_run
/// // SAFETY: only the program's installer writes to its plugins directory.
/// let opened = unsafe { plux_core::dynamic::open_dir("/usr/lib/my-app/plugins") }?;
/// for error in opened.refused() {
///     eprintln!("{error}");
/// }
/// println!("{} plugin libraries", opened.libraries().len());
/// # Ok::<(), plux_core::dynamic::LibraryError>(())
/// ```
pub unsafe fn open_dir(dir: impl AsRef<Path>) -> Result<OpenedDir, LibraryError> {
    let dir = dir.as_ref();
    let listed = list_dir(dir);
    let (libraries, ignored) = match listed {
        Ok(listed) => listed,
        Err(error) => {
            plux_log!(Warn, "{error}");
            return Err(error);
        }
    };
    let mut opened = OpenedDir {
        dir: dir.to_owned(),
        libraries: Vec::new(),
        refused: Vec::new(),
        ignored,
    };
    for path in &opened.ignored {
        plux_log!(
            Debug,
            "plugins directory {}: ignored {}, not named like a plugin library (*{})",
            dir.display(),
            path.display(),
            std::env::consts::DLL_SUFFIX
        );
    }
    for path in libraries {
        // SAFETY: the caller vouches for every library in `dir`.
        match unsafe { open(&path) } {
            Ok(library) => {
                if !opened
                    .libraries
                    .iter()
                    .any(|known| Arc::ptr_eq(&known.0, &library.0))
                {
                    opened.libraries.push(library);
                }
            }
            Err(error) => opened.refused.push(error),
        }
    }
    Ok(opened)
}

/// The files of `dir` named like libraries, sorted, and the others.
fn list_dir(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), LibraryError> {
    let directory = |source| LibraryError::Directory {
        path: dir.to_owned(),
        source,
    };
    let mut libraries = Vec::new();
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(directory)? {
        let path = entry.map_err(directory)?.path();
        let named_like_a_library = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(is_library_name);
        if named_like_a_library {
            libraries.push(path);
        } else {
            ignored.push(path);
        }
    }
    libraries.sort();
    ignored.sort();
    Ok((libraries, ignored))
}

/// `*.so` (`*.dylib`, `*.dll`), and on ELF platforms `*.so.<version>` (`libx.so.1.2`).
fn is_library_name(name: &str) -> bool {
    let suffix = std::env::consts::DLL_SUFFIX;
    if name.ends_with(suffix) {
        return true;
    }
    suffix == ".so"
        && name.rsplit_once(".so.").is_some_and(|(stem, version)| {
            !stem.is_empty()
                && !version.is_empty()
                && version
                    .split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        })
}

/// What [`open_dir`] made of a directory: the libraries it opened, those it refused, and the
/// files it ignored. A refusal is not an error of `open_dir` itself (the others still open), so
/// the type is `#[must_use]`: read [`refused`](Self::refused), or turn refusals into an error
/// with [`into_result`](Self::into_result).
///
/// ```no_run
/// // SAFETY: only the program's installer writes to its plugins directory.
/// let libraries = unsafe { plux_core::dynamic::open_dir("plugins") }?.into_result()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "libraries of the directory may have been refused: read `refused()`, or call \
              `into_result()` to make refusals an error"]
pub struct OpenedDir {
    dir: PathBuf,
    libraries: Vec<Library>,
    refused: Vec<LibraryError>,
    ignored: Vec<PathBuf>,
}

impl OpenedDir {
    /// The libraries opened (or open already), each once, in file name order.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// The libraries refused, in file name order; nothing of them was registered.
    pub fn refused(&self) -> &[LibraryError] {
        &self.refused
    }

    /// The entries whose names are not a plugin library's (`README`, `libx.so.bak`,
    /// subdirectories), which were not opened.
    pub fn ignored(&self) -> &[PathBuf] {
        &self.ignored
    }

    /// The libraries opened, or an error listing every refusal when there was any.
    pub fn into_result(self) -> Result<Vec<Library>, Refused> {
        if self.refused.is_empty() {
            Ok(self.libraries)
        } else {
            Err(Refused {
                dir: self.dir,
                errors: self.refused,
            })
        }
    }
}

/// The libraries of a directory that [`open_dir`] refused (see [`OpenedDir::into_result`]).
///
/// ```no_run
/// // SAFETY: only the program's installer writes to its plugins directory.
/// let opened = unsafe { plux_core::dynamic::open_dir("plugins") }?;
/// if let Err(refused) = opened.into_result() {
///     eprintln!("{refused}"); // `2 plugin libraries of plugins were refused:`, one line each
///     assert!(!refused.errors().is_empty());
/// }
/// # Ok::<(), plux_core::dynamic::LibraryError>(())
/// ```
#[derive(Debug)]
pub struct Refused {
    dir: PathBuf,
    errors: Vec<LibraryError>,
}

impl Refused {
    /// Each refusal.
    pub fn errors(&self) -> &[LibraryError] {
        &self.errors
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} plugin libraries of {} were refused:",
            self.errors.len(),
            self.dir.display()
        )?;
        for error in &self.errors {
            write!(f, "\n- {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// Every plugin library opened so far, in the order they were opened.
///
/// ```
/// for library in plux_core::dynamic::libraries() {
///     println!("{}: {} plugins", library.path().display(), library.specs().count());
/// }
/// ```
pub fn libraries() -> Vec<Library> {
    LIBRARIES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

static LIBRARIES: Mutex<Vec<Library>> = Mutex::new(Vec::new());

/// This program's plux, which every library it opens joins.
static PROCESS: Process = Process::THIS;

/// Checks the plugin library at `path` against what a program requires (its
/// [`requirements`](crate::dynamic::requirements), written to a file and read back with
/// [`str::parse`]), without that program, and without registering anything: what a library's
/// author runs (e.g. in a test of the library's workspace) before shipping it. Returns the
/// plugins the library exports, as `namespace/name`.
///
/// It runs the checks of [`open`], with the program's rustc, target, panic strategy, plux and
/// interface fingerprints taken from `requirements`. To read the library's plugins, the caller
/// must itself be built like the library (same toolchain and plux), as a test beside it is;
/// otherwise the error says how the library differs from the caller.
///
/// # Safety
///
/// As for [`open`]: the library is loaded, its initialisers run, and it stays loaded.
///
/// ```no_run
/// use plux_core::dynamic::{self, Requirements};
///
/// // The program wrote `plux::dynamic::requirements().to_string()` to this file.
/// let requirements: Requirements = std::fs::read_to_string("app-requirements.txt")?.parse()?;
/// // SAFETY: the library was just built from our own sources.
/// let plugins = unsafe { dynamic::check_library("target/release/libmy_plugins.so", &requirements) }?;
/// println!("{} plugins pass", plugins.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub unsafe fn check_library(
    path: impl AsRef<Path>,
    requirements: &Requirements,
) -> Result<Vec<String>, LibraryError> {
    let path = canonical(path.as_ref())?;
    let required = Expected {
        abi: requirements.layout,
        rustc: &requirements.rustc,
        target: &requirements.target,
        panic: &requirements.panic,
        plux_version: &requirements.plux_version,
        plux_source: &requirements.plux_source,
    };
    let exports = load_checked(&path, &required)?;
    let (_, specs, _) = exported_specs(&path, exports)?;
    for spec in &specs {
        let Some(theirs) = spec.fingerprint() else {
            return Err(LibraryError::Unchecked {
                path,
                plugin: spec.to_string(),
                site: spec.location(),
            });
        };
        if let Some(required) = requirements.counterpart(theirs) {
            let library = theirs.identity();
            if library != required.fingerprint {
                return Err(LibraryError::Requirement {
                    path,
                    plugin: spec.to_string(),
                    crate_name: theirs.crate_name().to_owned(),
                    library,
                    required: required.fingerprint.clone(),
                });
            }
        }
    }
    Ok(specs.iter().map(ToString::to_string).collect())
}

/// What this program's allocator looks like to a library (see `HostAllocator`).
static ALLOCATOR: AllocatorFns = AllocatorFns {
    alloc: host_alloc,
    alloc_zeroed: host_alloc_zeroed,
    dealloc: host_dealloc,
    realloc: host_realloc,
};

// SAFETY (the four fns below): a library's `HostAllocator` forwards a `GlobalAlloc` call with its
// layout's size and align, so the layout is valid, and the caller upholds the contract of the
// corresponding `std::alloc` function.
unsafe extern "C" fn host_alloc(size: usize, align: usize) -> *mut u8 {
    // SAFETY: see above.
    unsafe { std::alloc::alloc(std::alloc::Layout::from_size_align_unchecked(size, align)) }
}

unsafe extern "C" fn host_alloc_zeroed(size: usize, align: usize) -> *mut u8 {
    // SAFETY: see above.
    unsafe { std::alloc::alloc_zeroed(std::alloc::Layout::from_size_align_unchecked(size, align)) }
}

unsafe extern "C" fn host_dealloc(block: *mut u8, size: usize, align: usize) {
    // SAFETY: see above.
    unsafe {
        std::alloc::dealloc(
            block,
            std::alloc::Layout::from_size_align_unchecked(size, align),
        )
    }
}

unsafe extern "C" fn host_realloc(
    block: *mut u8,
    size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    // SAFETY: see above.
    unsafe {
        std::alloc::realloc(
            block,
            std::alloc::Layout::from_size_align_unchecked(size, align),
            new_size,
        )
    }
}

type Entry = extern "C" fn() -> *const Header;

/// What a library's header must say.
struct Expected<'a> {
    abi: u32,
    rustc: &'a str,
    target: &'a str,
    panic: &'a str,
    plux_version: &'a str,
    plux_source: &'a str,
}

/// This program's build.
const PROGRAM: Expected<'static> = Expected {
    abi: ABI_VERSION,
    rustc: RUSTC,
    target: TARGET,
    panic: PANIC,
    plux_version: PLUX_VERSION,
    plux_source: PLUX_SOURCE,
};

/// Loads, checks and registers the library at `path` (canonical).
fn load(path: &Path) -> Result<Registered, LibraryError> {
    let exports = load_checked(path, &PROGRAM)?;
    let (exported, specs, not_exported) = exported_specs(path, exports)?;
    // Checked and registered under the lock, so that two libraries opened at once cannot both
    // pass the checks of names and copies. Nothing is logged and no user code runs under it.
    let mut libraries = LIBRARIES.lock().unwrap_or_else(PoisonError::into_inner);
    // Two paths to one file (a hard link) are one library to the loader: registered once.
    if let Some(library) = libraries
        .iter()
        .find(|library| std::ptr::eq(library.0.exports, exports))
    {
        return Ok(Registered::Again(library.clone()));
    }
    if let Some(first) = libraries
        .iter()
        .find(|library| library.crate_name() == exported.crate_name())
    {
        return Err(LibraryError::Copy {
            path: path.to_owned(),
            first: first.path().to_owned(),
            crate_name: exported.crate_name().to_owned(),
        });
    }
    let own: Vec<PluginSpec> = specs.iter().map(|spec| (*spec).clone()).collect();
    check_types(path, &own)?;
    check_names(path, &specs)?;
    // Before any plugin of the library runs: from here on its plux is the program's.
    (exports.join)(&PROCESS);

    let path: &'static Path = Box::leak(path.to_owned().into_boxed_path());
    let shown: &'static str = Box::leak(path.display().to_string().into_boxed_str());
    let specs: Vec<PluginSpec> = specs
        .into_iter()
        .map(|spec| PluginSpec::of_library(shown, spec, Arc::new(LibrarySpec { spec, exports })))
        .collect();
    let specs = joined::add(specs);
    let library = Library(Arc::new(Opened {
        path,
        specs,
        exports,
        exported,
    }));
    libraries.push(library.clone());
    Ok(Registered::New(library, not_exported))
}

/// Checks the file at `path` and loads it; checks its header against `expected` (and against
/// this program, whose layout its exports must have to be read), installs this program's
/// allocator in it and returns its exports.
fn load_checked(path: &Path, expected: &Expected<'_>) -> Result<&'static Exports, LibraryError> {
    check_file(path)?;
    // SAFETY: loading a library runs its initialisers, which the caller of `open` vouched for.
    // The handle is never closed (`ManuallyDrop`): plugins, their vtables and their strings
    // point into the library for the life of the process, and a library's thread-local
    // destructors would run after unmapping.
    let handle = match unsafe { libloading::Library::new(path) } {
        Ok(handle) => ManuallyDrop::new(handle),
        Err(error) => {
            return Err(LibraryError::NotLoadable {
                path: path.to_owned(),
                reason: error.to_string(),
            })
        }
    };
    let not_plux = |reason: String| LibraryError::NotPluxLibrary {
        path: path.to_owned(),
        reason,
    };
    // SAFETY: a plux library's entry point has this signature (`export_plugins!`); a library
    // that exports the name with another one is not a plux library, which the header's magic
    // then tells, read before anything else.
    let entry: Entry = match unsafe { handle.get::<Entry>(ENTRY_SYMBOL.as_bytes()) } {
        Ok(entry) => *entry,
        Err(_) => return Err(not_plux(format!("no `{ENTRY_SYMBOL}` symbol"))),
    };
    let header = entry();
    if header.is_null() {
        return Err(not_plux(format!("`{ENTRY_SYMBOL}` returned null")));
    }
    // SAFETY: every plux header since the first starts with the 8 magic bytes, `repr(C)`.
    let magic = unsafe { header.cast::<[u8; 8]>().read_unaligned() };
    if magic != MAGIC {
        return Err(not_plux("its header has no plux magic".to_owned()));
    }
    // SAFETY: after the magic, every plux header has the layout version and the header size as
    // two `u32`s, `repr(C)`.
    let (abi_version, header_size) = unsafe {
        let words = header
            .cast::<u8>()
            .add(8)
            .cast::<[u32; 2]>()
            .read_unaligned();
        (words[0], words[1])
    };
    let our_size = size_of::<Header>() as u32;
    for required in [expected.abi, ABI_VERSION] {
        if abi_version != required || header_size != our_size {
            return Err(LibraryError::Abi {
                path: path.to_owned(),
                library: format!("{abi_version} ({header_size} bytes)"),
                program: format!("{required} ({our_size} bytes)"),
            });
        }
    }
    // SAFETY: same magic, layout version and size: the header is a `Header`, in the library's
    // static memory, which stays mapped.
    let header: &'static Header = unsafe { &*header };
    check_built(path, header, expected)?;
    check_built(path, header, &PROGRAM)?;

    (header.install_allocator)(&ALLOCATOR);
    let exports = (header.exports)();
    if exports.is_null() {
        return Err(not_plux("its exports are null".to_owned()));
    }
    // SAFETY: the checks passed: the library's `Exports` has this program's layout (same rustc,
    // target and plux) and is a `static` of the library, which stays mapped.
    let exports: &'static Exports = unsafe { &*exports.cast::<Exports>() };
    (exports.install_raise)(contain::raise_here);
    Ok(exports)
}

/// The specs the library exports (of its own crate and those it names), and the crates of
/// the others, with how many plugins each declares.
fn exported_specs(
    path: &Path,
    exports: &'static Exports,
) -> Result<(&'static Exported, Vec<&'static PluginSpec>, Vec<String>), LibraryError> {
    let exported = (exports.exported)().ok_or_else(|| LibraryError::NotPluxLibrary {
        path: path.to_owned(),
        reason: "its entry point does not say which crates it exports".to_owned(),
    })?;
    let mut own = Vec::new();
    let mut others: Vec<(&str, usize)> = Vec::new();
    for spec in (exports.specs)() {
        let crate_name = spec.location().crate_name().unwrap_or("?");
        if exported.exports(crate_name) {
            own.push(spec);
        } else {
            match others.iter_mut().find(|(name, _)| *name == crate_name) {
                Some((_, count)) => *count += 1,
                None => others.push((crate_name, 1)),
            }
        }
    }
    let others = others
        .into_iter()
        .map(|(name, count)| format!("{name} ({count})"))
        .collect();
    Ok((exported, own, others))
}

/// The file is a regular file (checked before it is read: a FIFO would block), an ELF file for
/// this machine (the loader would call another machine's "No such file or directory"), and
/// complete (the loader maps segments without checking that the file holds them: a cut-off file
/// would crash the process when a missing page is touched).
fn check_file(path: &Path) -> Result<(), LibraryError> {
    let io_error = |source| LibraryError::Io {
        path: path.to_owned(),
        source,
    };
    let not_a_file = |kind| LibraryError::NotAFile {
        path: path.to_owned(),
        kind,
    };
    let metadata = std::fs::metadata(path).map_err(io_error)?;
    if !metadata.is_file() {
        return Err(not_a_file(file_kind(&metadata.file_type())));
    }
    let elf = match elf::read(path) {
        Ok(elf) => elf,
        // Replaced by something else since the check above.
        Err(error) if error.kind() == io::ErrorKind::InvalidInput => {
            return Err(not_a_file("not a regular file"))
        }
        Err(error) => return Err(io_error(error)),
    };
    let Some(elf) = elf else {
        return Ok(());
    };
    if let Some(this) = Machine::this() {
        if elf.machine != this {
            return Err(LibraryError::Architecture {
                path: path.to_owned(),
                library: elf.machine.to_string(),
                program: this.to_string(),
            });
        }
    }
    if elf.required_len > elf.len {
        return Err(LibraryError::Truncated {
            path: path.to_owned(),
            size: elf.len,
            needed: elf.required_len,
        });
    }
    Ok(())
}

fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// What the library was built with, against `expected`: the first that differs is the error.
fn check_built(path: &Path, header: &Header, expected: &Expected<'_>) -> Result<(), LibraryError> {
    type Skew = fn(PathBuf, String, String) -> LibraryError;
    let checks: [(Str, &str, &str, Skew); 5] = [
        (
            header.rustc,
            "rustc",
            expected.rustc,
            |path, library, program| LibraryError::Rustc {
                path,
                library,
                program,
            },
        ),
        (
            header.target,
            "target",
            expected.target,
            |path, library, program| LibraryError::Target {
                path,
                library,
                program,
            },
        ),
        (
            header.panic,
            "panic strategy",
            expected.panic,
            |path, library, program| LibraryError::PanicStrategy {
                path,
                library,
                program,
            },
        ),
        (
            header.plux_version,
            "plux version",
            expected.plux_version,
            |path, library, program| LibraryError::PluxVersion {
                path,
                library,
                program,
            },
        ),
        (
            header.plux_source,
            "plux source",
            expected.plux_source,
            |path, library, program| LibraryError::PluxSource {
                path,
                library,
                program,
            },
        ),
    ];
    for (field, what, program, skew) in checks {
        let library = text(path, field, what)?;
        if library != program {
            return Err(skew(
                path.to_owned(),
                library.to_owned(),
                program.to_owned(),
            ));
        }
    }
    Ok(())
}

/// No plugin of the library has the name of one the program has, linked or of a library.
fn check_names(path: &Path, specs: &[&'static PluginSpec]) -> Result<(), LibraryError> {
    let opened = joined::specs();
    for spec in specs {
        let ours = Registry::of_namespace(spec.namespace(), opened.iter().copied());
        if let Some(program) = ours.iter().find(|ours| ours.name() == spec.name()) {
            return Err(LibraryError::Collision {
                path: path.to_owned(),
                plugin: spec.to_string(),
                library: Box::new(spec.location()),
                program: Box::new(program.location()),
            });
        }
    }
    Ok(())
}

/// A string of the header.
fn text(path: &Path, s: Str, what: &str) -> Result<&'static str, LibraryError> {
    let bytes: &'static [u8] = if s.ptr.is_null() {
        &[]
    } else {
        // SAFETY: a plux header's strings point to `len` bytes of the library's static memory,
        // which stays mapped.
        unsafe { std::slice::from_raw_parts(s.ptr, s.len) }
    };
    std::str::from_utf8(bytes).map_err(|_| LibraryError::NotPluxLibrary {
        path: path.to_owned(),
        reason: format!("its {what} is not UTF-8"),
    })
}

/// Every plugin of the library is of an interface or hook point, the program's own definition of
/// it when the program has one.
fn check_types(path: &Path, specs: &[PluginSpec]) -> Result<(), LibraryError> {
    let ours = interfaces();
    for spec in specs {
        let Some(theirs) = spec.fingerprint() else {
            return Err(LibraryError::Unchecked {
                path: path.to_owned(),
                plugin: spec.to_string(),
                site: spec.location(),
            });
        };
        let mut counterparts = ours.iter().filter(|ours| {
            ours.namespace() == theirs.namespace()
                || (ours.crate_name() == theirs.crate_name() && ours.name() == theirs.name())
        });
        let first = counterparts.clone().next();
        if let Some(program) = first {
            if counterparts.any(|ours| ours == theirs) {
                continue;
            }
            if program.plux_macros() != theirs.plux_macros() {
                return Err(LibraryError::PluxMacros {
                    path: path.to_owned(),
                    plugin: spec.to_string(),
                    kind: program.kind(),
                    name: program.name(),
                    library: theirs.plux_macros(),
                    program: program.plux_macros(),
                });
            }
            return Err(LibraryError::Interface {
                path: path.to_owned(),
                plugin: spec.to_string(),
                library: theirs,
                program,
            });
        }
    }
    Ok(())
}

/// What differs between two fingerprints of one interface or hook point, and what to do.
fn advice(library: &Fingerprint, program: &Fingerprint) -> String {
    let kind = program.kind();
    let krate = program.crate_name();
    if library.crate_name() != krate
        || library.name() != program.name()
        || library.is_hook_point() != program.is_hook_point()
    {
        return format!(
            "another item of that namespace; build the library against this program's {kind} \
             `{}` of {krate}",
            program.name()
        );
    }
    if library.namespace() != program.namespace() {
        return format!(
            "its namespace is `{}`, this program's `{}`; build the library against this \
             program's version of {krate}",
            library.namespace(),
            program.namespace()
        );
    }
    let features = |fingerprint: &Fingerprint| fingerprint.features().collect::<Vec<_>>();
    if features(library) != features(program) {
        return format!(
            "{krate} was compiled with other cargo features ({:?} in the library, {:?} in this \
             program); build the library with the features this program enables for {krate}",
            features(library),
            features(program)
        );
    }
    let what = if program.is_hook_point() {
        "its fn type, or the size or alignment of a type in it, differ"
    } else {
        "its methods after `#[cfg]` evaluation, their signatures, or the size or alignment of a \
         type in them differ"
    };
    format!(
        "{what}; build the library against this program's {krate} {} (a \
         `#[cfg(debug_assertions)]` in the {kind} or in a type it uses also needs the same \
         build profile settings)",
        program.crate_version()
    )
}
