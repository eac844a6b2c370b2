//! The program's side: opening plugin libraries, checking them, and adding their plugins to the
//! registry.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::dynamic::abi::{
    AllocatorFns, Exports, Header, LibrarySpec, Str, ABI_VERSION, ENTRY_SYMBOL, MAGIC, PANIC,
    PLUX_SOURCE, PLUX_VERSION, RUSTC, TARGET,
};
use crate::dynamic::fingerprint::{interfaces, Fingerprint};
use crate::dynamic::{contain, joined};
use crate::spec::{Location, PluginSpec};

/// Why a plugin library was not opened. Nothing of a refused library is registered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LibraryError {
    /// There is no file at that path.
    #[error("plugin library {}: no such file", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file or directory could not be read.
    #[error("plugin library {}: {source}", path.display())]
    Io {
        /// The path given.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The system could not load the file as a shared library: not one, truncated, or for
    /// another platform.
    #[error("plugin library {}: not a loadable shared library ({reason})", path.display())]
    NotLoadable {
        /// The file.
        path: PathBuf,
        /// What the system loader said.
        reason: String,
    },
    /// The file is shorter than its own headers say: cut off, e.g. by an interrupted copy.
    #[error(
        "plugin library {}: truncated, {size} bytes where its headers need {needed}",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The size its headers need.
        needed: u64,
    },
    /// A shared library, but not a plux plugin library: it exports no entry point, or a bad one.
    #[error(
        "plugin library {}: not a plux plugin library ({reason}); a plugin library's crate has \
         `crate-type = [\"cdylib\"]` and calls `plux::export_plugins!();` once",
        path.display()
    )]
    NotPluxLibrary {
        /// The file.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// The library's header has another layout version: another plux major version made it.
    #[error(
        "plugin library {}: its plux header has layout {library}, this program reads layout {program}",
        path.display()
    )]
    Abi {
        /// The file.
        path: PathBuf,
        /// The library's layout version (and header size).
        library: String,
        /// This program's.
        program: String,
    },
    /// Built by another compiler: Rust has no stable ABI, so nothing else would be safe to read.
    #[error("plugin library {} was built by {library}, this program by {program}", path.display())]
    Rustc {
        /// The file.
        path: PathBuf,
        /// The library's `rustc -vV` first line.
        library: String,
        /// This program's.
        program: &'static str,
    },
    /// Built for another target.
    #[error("plugin library {} was built for {library}, this program for {program}", path.display())]
    Target {
        /// The file.
        path: PathBuf,
        /// The library's target triple.
        library: String,
        /// This program's.
        program: &'static str,
    },
    /// Built with another panic strategy: a library that aborts cannot have its panics
    /// contained; a program that aborts could not contain them either.
    #[error(
        "plugin library {} was built with panic = \"{library}\", this program with panic = \"{program}\"",
        path.display()
    )]
    PanicStrategy {
        /// The file.
        path: PathBuf,
        /// `unwind` or `abort`.
        library: String,
        /// This program's.
        program: &'static str,
    },
    /// Built against another version of plux.
    #[error(
        "plugin library {} was built against plux {library}, this program against plux {program}",
        path.display()
    )]
    PluxVersion {
        /// The file.
        path: PathBuf,
        /// The library's plux version.
        library: String,
        /// This program's.
        program: &'static str,
    },
    /// Built against the same version of plux as this program, from other sources (a git or
    /// path dependency between releases): the types it hands over may have another layout.
    #[error(
        "plugin library {} was built against plux {PLUX_VERSION} from other sources (source \
         fingerprint {library}, this program's {program}): build both against the same plux",
        path.display()
    )]
    PluxSource {
        /// The file.
        path: PathBuf,
        /// The fingerprint of the library's plux-core source.
        library: String,
        /// This program's.
        program: &'static str,
    },
    /// A plugin of the library is of another version or definition of one of the program's
    /// interfaces or hook points.
    #[error(
        "plugin library {}: plugin `{plugin}` is of interface {library}, but this program's is {program}",
        path.display()
    )]
    Interface {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// The interface the library was built against.
        library: &'static Fingerprint,
        /// This program's interface of that namespace (or name).
        program: &'static Fingerprint,
    },
    /// A plugin of the library is of a type that is neither an interface nor a hook point: the
    /// program could not check that it is the type it expects.
    #[error(
        "plugin library {}: plugin `{plugin}` ({site}) is not of a #[plugin_interface] or a \
         #[hook_point], so this program cannot check its type; only those can cross a library",
        path.display()
    )]
    Unchecked {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the plugin.
        plugin: String,
        /// Where the library declares it.
        site: Location,
    },
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
}

impl Library {
    /// The library's file (canonical path).
    pub fn path(&self) -> &'static Path {
        self.0.path
    }

    /// Its plugins, as the program's registry holds them (their location names the library).
    pub fn specs(&self) -> impl Iterator<Item = &'static PluginSpec> + '_ {
        self.0.specs.iter().copied()
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.0.path)
            .field("plugins", &self.0.specs.len())
            .finish()
    }
}

/// A library being opened, or opened: filled once, by the first thread to open it.
type OpenSlot = Arc<Mutex<Option<Library>>>;

/// Libraries by canonical path.
static OPENED: LazyLock<Mutex<HashMap<PathBuf, OpenSlot>>> = LazyLock::new(Mutex::default);

/// Opens the plugin library at `path`, checks it, and adds its plugins to the registry: a
/// [`PluginManager`](crate::PluginManager) that resolves its namespace from then on finds them
/// (one that had resolved it already finds them after
/// [`refresh`](crate::PluginManager::refresh)).
///
/// Opening a library that is already open (by any path to the same file) returns it again and
/// registers nothing more, also from many threads at once. A library is never unloaded.
///
/// ```no_run
/// use plux_core::dynamic;
///
/// let library = dynamic::open("plugins/libgerman_greeter.so")?;
/// for spec in library.specs() {
///     // e.g. `my.greeters/de: german_greeter at src/lib.rs:9:1 in library /…/libgerman_greeter.so`
///     println!("{spec}: {}", spec.location());
/// }
/// // From now on, `PluginManager::<dyn Greeter>::new()` finds `de` with the linked greeters.
/// # Ok::<(), dynamic::LibraryError>(())
/// ```
pub fn open(path: impl AsRef<Path>) -> Result<Library, LibraryError> {
    let path = path.as_ref();
    let canonical = std::fs::canonicalize(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => LibraryError::Missing {
            path: path.to_owned(),
        },
        _ => LibraryError::Io {
            path: path.to_owned(),
            source,
        },
    })?;
    let slot = OPENED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(canonical.clone())
        .or_default()
        .clone();
    // Threads opening the same file wait here for the first; no user code runs under it, only
    // the library's constructors and plux's own entry points.
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(library) = &*slot {
        return Ok(library.clone());
    }
    let library = load(canonical)?;
    *slot = Some(library.clone());
    Ok(library)
}

/// Opens every plugin library in `dir` (each file named like a shared library of this platform,
/// e.g. `*.so`), in file name order, as [`open`] does. One result per library: a bad library
/// does not stop the others.
///
/// ```no_run
/// for opened in plux_core::dynamic::open_dir("/usr/lib/my-app/plugins")? {
///     if let Err(error) = opened {
///         eprintln!("{error}");
///     }
/// }
/// # Ok::<(), plux_core::dynamic::LibraryError>(())
/// ```
pub fn open_dir(dir: impl AsRef<Path>) -> Result<Vec<Result<Library, LibraryError>>, LibraryError> {
    let dir = dir.as_ref();
    let io_error = |source: io::Error| match source.kind() {
        io::ErrorKind::NotFound => LibraryError::Missing {
            path: dir.to_owned(),
        },
        _ => LibraryError::Io {
            path: dir.to_owned(),
            source,
        },
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let is_library = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(std::env::consts::DLL_SUFFIX));
        if is_library && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files.into_iter().map(open).collect())
}

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

/// Loads, checks and registers the library at `path` (canonical).
fn load(path: PathBuf) -> Result<Library, LibraryError> {
    check_complete(&path)?;
    // SAFETY: loading a library runs its constructors, which is what opening a plugin library
    // means: the caller chose to trust that file. The handle is never closed (`ManuallyDrop`):
    // plugins, their vtables and their strings point into the library for the life of the
    // process, and a library's thread-local destructors would run after unmapping.
    let handle = match unsafe { libloading::Library::new(&path) } {
        Ok(handle) => ManuallyDrop::new(handle),
        Err(error) => {
            return Err(LibraryError::NotLoadable {
                path,
                reason: error.to_string(),
            })
        }
    };
    let not_plux = |path: &Path, reason: String| LibraryError::NotPluxLibrary {
        path: path.to_owned(),
        reason,
    };
    // SAFETY: a plux library's entry point has this signature (`export_plugins!`); a library
    // that exports the name with another one is not a plux library, which the header's magic
    // then tells, read before anything else.
    let entry: Entry = match unsafe { handle.get::<Entry>(ENTRY_SYMBOL.as_bytes()) } {
        Ok(entry) => *entry,
        Err(_) => return Err(not_plux(&path, format!("no `{ENTRY_SYMBOL}` symbol"))),
    };
    let header = entry();
    if header.is_null() {
        return Err(not_plux(&path, format!("`{ENTRY_SYMBOL}` returned null")));
    }
    // SAFETY: every plux header since the first starts with the 8 magic bytes, `repr(C)`.
    let magic = unsafe { header.cast::<[u8; 8]>().read_unaligned() };
    if magic != MAGIC {
        return Err(not_plux(&path, "its header has no plux magic".to_owned()));
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
    if abi_version != ABI_VERSION || header_size != our_size {
        return Err(LibraryError::Abi {
            path,
            library: format!("{abi_version} ({header_size} bytes)"),
            program: format!("{ABI_VERSION} ({our_size} bytes)"),
        });
    }
    // SAFETY: same magic, layout version and size: the header is a `Header`, in the library's
    // static memory, which stays mapped.
    let header: &'static Header = unsafe { &*header };
    check_built(&path, header)?;

    (header.install_allocator)(&ALLOCATOR);
    // SAFETY: the checks passed: the library's `Exports` has this program's layout (same rustc,
    // target and plux) and is a `static` of the library, which stays mapped.
    let exports: &'static Exports = unsafe { &*(header.exports)().cast::<Exports>() };
    (exports.install_raise)(contain::raise_here);
    // Two paths to one file (a hard link) are one library to the loader: registered once. The
    // lock is held until the library is listed, so that two such opens cannot both register.
    let mut libraries = LIBRARIES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(library) = libraries
        .iter()
        .find(|library| std::ptr::eq(library.0.exports, exports))
    {
        return Ok(library.clone());
    }
    let library_specs = (exports.specs)();
    check_types(&path, library_specs)?;

    let path: &'static Path = Box::leak(path.into_boxed_path());
    let shown: &'static str = Box::leak(path.display().to_string().into_boxed_str());
    let specs: Vec<PluginSpec> = library_specs
        .iter()
        .map(|spec| PluginSpec::of_library(shown, LibrarySpec { spec, exports }))
        .collect();
    let specs = joined::add(specs);
    log::info!(
        target: "plux",
        "opened plugin library {} ({} plugins)",
        path.display(),
        specs.len()
    );
    let library = Library(Arc::new(Opened {
        path,
        specs,
        exports,
    }));
    libraries.push(library.clone());
    Ok(library)
}

/// The loader maps a library's segments without checking that the file holds them: a cut-off
/// file would crash the process when a missing page is touched. Checked first, for ELF.
fn check_complete(path: &Path) -> Result<(), LibraryError> {
    let io_error = |source| LibraryError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    match crate::dynamic::elf::required_len(path).map_err(io_error)? {
        Some(needed) if needed > size => Err(LibraryError::Truncated {
            path: path.to_owned(),
            size,
            needed,
        }),
        _ => Ok(()),
    }
}

/// What the library was built with, against this program: the first that differs is the error.
fn check_built(path: &Path, header: &Header) -> Result<(), LibraryError> {
    type Skew = fn(PathBuf, String, &'static str) -> LibraryError;
    let checks: [(Str, &str, &'static str, Skew); 5] = [
        (header.rustc, "rustc", RUSTC, |path, library, program| {
            LibraryError::Rustc {
                path,
                library,
                program,
            }
        }),
        (header.target, "target", TARGET, |path, library, program| {
            LibraryError::Target {
                path,
                library,
                program,
            }
        }),
        (
            header.panic,
            "panic strategy",
            PANIC,
            |path, library, program| LibraryError::PanicStrategy {
                path,
                library,
                program,
            },
        ),
        (
            header.plux_version,
            "plux version",
            PLUX_VERSION,
            |path, library, program| LibraryError::PluxVersion {
                path,
                library,
                program,
            },
        ),
        (
            header.plux_source,
            "plux source",
            PLUX_SOURCE,
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
            return Err(skew(path.to_owned(), library.to_owned(), program));
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

/// Every plugin of the library is of an interface or hook point, the program's own version of it
/// when the program has one.
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
            if !counterparts.any(|ours| ours == theirs) {
                return Err(LibraryError::Interface {
                    path: path.to_owned(),
                    plugin: spec.to_string(),
                    library: theirs,
                    program,
                });
            }
        }
    }
    Ok(())
}
