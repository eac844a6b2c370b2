//! What a plugin library and the program that opens it exchange.
//!
//! First a [`Header`] of `#[repr(C)]` fields, at fixed offsets, readable whatever built the
//! library: a magic number, the layout version, and what the library was built with. Only when
//! every one of those matches the program does the program install its allocator in the library
//! and read the [`Exports`], which are plain Rust values: from then on both sides are the same
//! rustc, target, panic strategy and plux source, so Rust types have the same layout on both.

use std::ffi::c_void;
use std::sync::LazyLock;

use crate::dynamic::contain::{resume, Caught};
use crate::filter::{self, GlobalFilter};
use crate::plugin::BoxError;
use crate::spec::{Make, PluginSpec, Product};
use crate::{registry, state};

/// The first bytes of every [`Header`].
pub const MAGIC: [u8; 8] = *b"plux-lib";

/// The layout of [`Header`] and [`Exports`]: a change to either bumps it.
pub const ABI_VERSION: u32 = 3;

/// The symbol a plugin library exports: `extern "C" fn() -> *const Header`.
#[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
pub const ENTRY_SYMBOL: &str = "plux_library_v1";

/// The release and commit of the rustc that compiled this plux-core (`rustc -vV`'s first line).
pub const RUSTC: &str = env!("PLUX_RUSTC_VERSION");

/// The target triple this plux-core was compiled for.
pub const TARGET: &str = env!("PLUX_TARGET");

/// This plux-core's version.
pub const PLUX_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A fingerprint of this plux-core's source files (FNV-1a, by its build script), which tells
/// apart two builds of one version from different sources.
pub const PLUX_SOURCE: &str = env!("PLUX_SOURCE");

/// The panic strategy this plux-core was compiled with.
pub const PANIC: &str = if cfg!(panic = "unwind") {
    "unwind"
} else {
    "abort"
};

/// A `&'static str` as two `repr(C)` words.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Str {
    /// The first byte.
    pub ptr: *const u8,
    /// The length in bytes.
    pub len: usize,
}

impl Str {
    /// Borrows `s`.
    pub const fn new(s: &'static str) -> Self {
        Str {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }
}

/// The allocator of the program, as the functions a library's [`HostAllocator`] calls.
///
/// [`HostAllocator`]: crate::dynamic::export::HostAllocator
#[repr(C)]
pub struct AllocatorFns {
    /// `std::alloc::alloc` of the program.
    pub alloc: unsafe extern "C" fn(size: usize, align: usize) -> *mut u8,
    /// `std::alloc::alloc_zeroed` of the program.
    pub alloc_zeroed: unsafe extern "C" fn(size: usize, align: usize) -> *mut u8,
    /// `std::alloc::dealloc` of the program.
    pub dealloc: unsafe extern "C" fn(ptr: *mut u8, size: usize, align: usize),
    /// `std::alloc::realloc` of the program.
    pub realloc:
        unsafe extern "C" fn(ptr: *mut u8, size: usize, align: usize, new_size: usize) -> *mut u8,
}

/// What a library's entry point returns: `#[repr(C)]`, so that a program can read it, and refuse
/// the library, whatever built it.
#[repr(C)]
pub struct Header {
    /// `MAGIC`.
    pub magic: [u8; 8],
    /// `ABI_VERSION`.
    pub abi_version: u32,
    /// `size_of::<Header>()`.
    pub header_size: u32,
    /// `RUSTC`.
    pub rustc: Str,
    /// `TARGET`.
    pub target: Str,
    /// `PANIC`.
    pub panic: Str,
    /// `PLUX_VERSION`.
    pub plux_version: Str,
    /// `PLUX_SOURCE`.
    pub plux_source: Str,
    /// Makes the library allocate with the program's allocator. Called once the checks pass,
    /// before [`exports`](Self::exports).
    pub install_allocator: extern "C" fn(*const AllocatorFns),
    /// The library's [`Exports`], as `*const Exports`.
    pub exports: extern "C" fn() -> *const c_void,
}

/// Runs a spec's factory into the program's [`Product`]; `Err` is a panic caught in the library.
pub type CreateFn = fn(&PluginSpec, Product<'_>) -> Result<Result<(), BoxError>, Caught>;

/// The library's plugins and the entry points of their lifecycle, each catching panics on the
/// library's side. Read only after the [`Header`] checks pass.
pub struct Exports {
    /// The library's registry.
    pub specs: fn() -> &'static [PluginSpec],
    /// Runs a spec's factory.
    pub create: CreateFn,
    /// Runs a spec's `should_load` check; `Ok(true)` for a spec without one.
    pub should_load: fn(&PluginSpec) -> Result<bool, Caught>,
    /// Makes the library's copy of plux use the program's `Process`. Called once the checks
    /// pass, before any plugin of the library runs.
    pub join: fn(&'static Process),
    /// Which crates' plugins the library exports (`None` when its entry point did not say).
    pub exported: fn() -> Option<&'static Exported>,
    /// Makes the library raise the panics it catches with the program's function, so that they
    /// unwind into the program as the program's own. Called right after the [`Header`] checks.
    pub install_raise: fn(fn(Caught) -> !),
}

/// The plux of the program, which every library's copy of plux-core joins, so that a process
/// has one plux however many copies of its code it holds: one registry (a manager made in
/// library code finds the program's plugins), one global filter, one wait-for graph with its
/// condition variable, one numbering of threads and one record of the plugins each thread is
/// running (a library plugin that calls the program's manager waits and is woken like a
/// linked one, and re-entrance through it is `Reentrant`).
pub struct Process {
    state: fn() -> &'static state::Shared,
    registry: fn() -> &'static registry::Shared,
    filter: fn() -> &'static LazyLock<GlobalFilter>,
}

impl Process {
    /// This copy of plux-core's.
    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) const THIS: Process = Process {
        state: || state::SHARED.own(),
        registry: || registry::REGISTRY.own(),
        filter: || filter::FILTER.own(),
    };

    /// Makes this copy of plux-core use `program`'s instead of its own.
    pub(crate) fn join(program: &'static Process) {
        state::SHARED.join((program.state)());
        registry::REGISTRY.join((program.registry)());
        filter::FILTER.join((program.filter)());
    }
}

/// Which crates' plugins a library exports, as `export_plugins!` wrote it: its own crate's
/// (the crate that calls the macro), and those it names in `also = [..]`. The registry of a
/// library also holds the plugins of every crate it links; those of other crates are not the
/// library's to give (the program may link them too).
#[derive(Debug)]
pub struct Exported {
    /// `module_path!()` where `export_plugins!` was called: its first segment is the crate.
    pub module_path: &'static str,
    /// The library package's version (`CARGO_PKG_VERSION`), when cargo built it.
    pub version: Option<&'static str>,
    /// More crates whose plugins the library exports.
    pub also: &'static [&'static str],
}

impl Exported {
    /// The library's own crate, as `module_path!()` names it.
    pub fn crate_name(&self) -> &'static str {
        self.module_path
            .split("::")
            .next()
            .unwrap_or(self.module_path)
    }

    /// Whether the plugins that crate `name` (as `module_path!()` names it) declares are exported.
    pub fn exports(&self, name: &str) -> bool {
        self.crate_name() == name || self.also.contains(&name)
    }
}

/// A spec of a plugin library, with the entry points that run its code on the library's side.
#[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
pub(crate) struct LibrarySpec {
    /// The library's own spec (its factory and check are the library's functions).
    pub(crate) spec: &'static PluginSpec,
    /// The library's entry points.
    pub(crate) exports: &'static Exports,
}

/// A plugin library's spec: made and checked through the library's entry points, which contain
/// panics on the library's side; what they caught is raised again here.
impl Make for LibrarySpec {
    fn create(&self, product: Product<'_>) -> Result<(), BoxError> {
        resume((self.exports.create)(self.spec, product))
    }

    fn check(&self, _: fn() -> bool) -> bool {
        resume((self.exports.should_load)(self.spec))
    }

    fn in_library(&self) -> bool {
        true
    }
}
