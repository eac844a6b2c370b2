//! The library side: what `export_plugins!` puts in a plugin library.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::dynamic::abi::{
    AllocatorFns, Exported, Exports, Header, Process, Str, ABI_VERSION, MAGIC, PANIC, PLUX_SOURCE,
    PLUX_VERSION, RUSTC, TARGET,
};
use crate::dynamic::contain::{catch, install_raise};
use crate::dynamic::guard::guard_error;
use crate::registry::Registry;

/// Exports the plugins of a plugin library: put it once in a crate built as a `cdylib`, and a
/// program opens the library with [`dynamic::open`](crate::dynamic).
///
/// It exports the plugins that the calling crate declares, and those of the crates named in
/// `also = [..]` (as `module_path!()` names them: the package name with `_` for `-`). Plugins
/// of other crates the library links (a dependency that also ships plugins) are not exported:
/// the program may link that crate itself, and its plugins are not the library's to add. Naming
/// a crate the library does not depend on is a compile error.
///
/// It also makes the library allocate with the allocator of the program that opens it, so
/// that values made on one side may be freed on the other: the library cannot have a
/// `#[global_allocator]` of its own.
///
/// ```
/// // src/lib.rs of a crate with `crate-type = ["cdylib"]`, of `#[plugin]`s of interfaces and
/// // hook points that a crate shared with the program declares.
/// plux_core::export_plugins!(); // `plux::export_plugins!()` through the facade
/// # fn main() {}
/// ```
///
/// A library whose plugins are spread over several crates of its own names them:
///
/// ```
/// # mod hidden {
/// plux_core::export_plugins!(also = [log]); // e.g. `also = [my_plugins_core]`
/// # }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_plugins {
    () => {
        $crate::export_plugins!(also = []);
    };
    (also = [$($krate:ident),* $(,)?]) => {
        $(
            // A crate the library does not depend on is an error of this call.
            const _: () = {
                #[allow(unused_imports)]
                use ::$krate as _;
            };
        )*

        #[global_allocator]
        static __PLUX_HOST_ALLOCATOR: $crate::__private::HostAllocator =
            $crate::__private::HostAllocator;

        /// The entry point of this plugin library, for plux.
        // The one symbol a host looks up: it needs a fixed, unmangled name.
        #[allow(unsafe_code)]
        #[no_mangle]
        pub extern "C" fn plux_library_v1() -> *const $crate::__private::Header {
            static EXPORTED: $crate::__private::Exported = $crate::__private::Exported {
                module_path: ::core::module_path!(),
                version: ::core::option_env!("CARGO_PKG_VERSION"),
                also: &[$(::core::stringify!($krate)),*],
            };
            $crate::__private::library_header(&EXPORTED)
        }
    };
    ($($other:tt)*) => {
        ::core::compile_error!(
            "write `plux::export_plugins!();`, or `plux::export_plugins!(also = [other_crate]);` \
             to export the plugins of more crates of your own"
        );
    };
}

/// The allocator of a plugin library: the program's once the program has opened the library,
/// the system allocator before (while the library's constructors run).
pub struct HostAllocator;

static HOST: AtomicPtr<AllocatorFns> = AtomicPtr::new(ptr::null_mut());

// SAFETY: every method forwards its arguments unchanged either to `System` or to the program's
// allocator, both of which uphold `GlobalAlloc`'s contract. A block is freed by the allocator
// that made it as long as the switch happens before the library allocates anything it keeps:
// the program installs its allocator before calling anything in the library but its
// constructors (see docs/dynamic.md).
unsafe impl GlobalAlloc for HostAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match host() {
            // SAFETY: forwarded from our caller, who upholds `alloc`'s contract.
            Some(fns) => unsafe { (fns.alloc)(layout.size(), layout.align()) },
            // SAFETY: as above.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match host() {
            // SAFETY: forwarded from our caller, who upholds `alloc_zeroed`'s contract.
            Some(fns) => unsafe { (fns.alloc_zeroed)(layout.size(), layout.align()) },
            // SAFETY: as above.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match host() {
            // SAFETY: forwarded from our caller, who upholds `dealloc`'s contract.
            Some(fns) => unsafe { (fns.dealloc)(block, layout.size(), layout.align()) },
            // SAFETY: as above.
            None => unsafe { System.dealloc(block, layout) },
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match host() {
            // SAFETY: forwarded from our caller, who upholds `realloc`'s contract.
            Some(fns) => unsafe { (fns.realloc)(block, layout.size(), layout.align(), new_size) },
            // SAFETY: as above.
            None => unsafe { System.realloc(block, layout, new_size) },
        }
    }
}

fn host() -> Option<&'static AllocatorFns> {
    // SAFETY: `install_allocator` stores only pointers to the program's `static` table, which
    // lives as long as the process.
    unsafe { HOST.load(Ordering::Acquire).as_ref() }
}

extern "C" fn install_allocator(fns: *const AllocatorFns) {
    HOST.store(fns.cast_mut(), Ordering::Release);
}

extern "C" fn exports() -> *const c_void {
    ptr::from_ref(&EXPORTS).cast()
}

/// What `export_plugins!` says the library exports: set by its entry point, which a program
/// calls before anything else.
static EXPORTED: AtomicPtr<Exported> = AtomicPtr::new(ptr::null_mut());

fn exported() -> Option<&'static Exported> {
    // SAFETY: `library_header` stores only `&'static Exported`s.
    unsafe { EXPORTED.load(Ordering::Acquire).as_ref() }
}

static EXPORTS: Exports = Exports {
    specs: Registry::linked_here,
    exported,
    create: |spec, product| catch(|| spec.make_into(product).map_err(guard_error)),
    should_load: |spec| match spec.should_load() {
        None => Ok(true),
        Some(should_load) => catch(should_load),
    },
    join: Process::join,
    install_raise,
};

/// This library's exports, for tests that fake what a library exports.
#[doc(hidden)]
pub fn library_exports() -> &'static Exports {
    &EXPORTS
}

/// A `Header` is only ever read.
struct SharedHeader(Header);

// SAFETY: the header's pointers are to `'static` string literals and its fns are plain fns:
// nothing in it is ever written, so sharing it between threads is sound.
unsafe impl Sync for SharedHeader {}

static HEADER: SharedHeader = SharedHeader(Header {
    magic: MAGIC,
    abi_version: ABI_VERSION,
    header_size: size_of::<Header>() as u32,
    rustc: Str::new(RUSTC),
    target: Str::new(TARGET),
    panic: Str::new(PANIC),
    plux_version: Str::new(PLUX_VERSION),
    plux_source: Str::new(PLUX_SOURCE),
    install_allocator,
    exports,
});

/// The header of this library, with what it was built with; records what it exports.
pub fn library_header(exported: &'static Exported) -> *const Header {
    EXPORTED.store(ptr::from_ref(exported).cast_mut(), Ordering::Release);
    &HEADER.0
}

/// A copy of this library's header, for tests that fake what a library was built with.
#[doc(hidden)]
pub fn header_copy() -> Header {
    let h = &HEADER.0;
    Header {
        magic: h.magic,
        abi_version: h.abi_version,
        header_size: h.header_size,
        rustc: h.rustc,
        target: h.target,
        panic: h.panic,
        plux_version: h.plux_version,
        plux_source: h.plux_source,
        install_allocator: h.install_allocator,
        exports: h.exports,
    }
}
