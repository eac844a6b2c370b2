//! Plugin libraries: plugins built as a `cdylib`, which an installed program opens at run time,
//! checked before use.
//!
//! **A plugin library** is a crate of ordinary `#[plugin]` items, of interfaces and hook points
//! that the program shares with it through a common crate, built as a `cdylib`, with one line:
//! [`plux::export_plugins!()`](crate::export_plugins). **The program** opens it (feature
//! `dynamic`) with `dynamic::open(path)`, or every library of a directory with
//! `dynamic::open_dir(dir)`: its plugins join the program's registry, and a
//! [`PluginManager`](crate::PluginManager) finds them like linked ones (same lifecycle,
//! listeners, filters, ordering, `inspect`, whose locations name the library). A manager that
//! had already resolved its namespace finds them after
//! [`refresh`](crate::PluginManager::refresh).
//!
//! Before any of its plugins registers, the program checks that the library was built by the
//! same rustc, for the same target, with the same panic strategy, against the same plux
//! (version, plux-core's and plux-macros' sources), and that each plugin's interface or hook
//! point is the program's by [`Fingerprint`]: its methods as the compiler kept them after
//! `#[cfg]` evaluation, their signatures, the size and alignment of the types in them, and the
//! declaring crate's cargo features; not its doc comments, formatting or version. A mismatch is
//! a `LibraryError` naming both sides and what to do, and nothing of the library registers.
//!
//! It also checks that the library only adds: none of its plugins has a name the program has,
//! and it is not a second copy of an open library. A refusal is logged at `WARN`.
//! `requirements()` prints what a library must match; `check_library` checks a built library
//! against that, without the program.
//!
//! `open` and `open_dir` are `unsafe`: opening a library runs its initialisers before any
//! check, and what it says of itself is trusted beyond what can be checked (see `open`'s
//! `# Safety`).
//!
//! The hazards of loading Rust from Rust, and how each is handled or refused, are in
//! `docs/dynamic.md` of the repository. In short:
//!
//! | hazard | here |
//! |---|---|
//! | `TypeId` differs between artifacts | plugins cross by [`Fingerprint`] of their interface, never by `TypeId` |
//! | a `#[cfg]`, a cargo feature or a struct's layout changes an interface, not its tokens | the fingerprint's definition is a `const` the compiler evaluates per build; the crate's features are in it |
//! | two copies of std: a library's panic cannot be caught by the program | its lifecycle, its plugins' methods, `Drop` and errors, and its hook fns catch on the library's side and re-raise on the program's |
//! | two allocators | the library allocates with the program's (`export_plugins!` installs it) |
//! | plux's statics and thread-locals exist twice | the library's copy joins the program's when opened: one registry, filter, wait-for graph and thread record per process |
//! | other crates' statics exist twice | documented: each side has its own; share through load arguments |
//! | unloading | never: a library stays mapped for the life of the process |
//! | a truncated file, which the loader would map past its end | refused before loading (ELF) |
//! | a FIFO or device, which would block the reader; another machine's library, which the loader calls "No such file" | refused before loading, as such |
//! | a library that takes away what the program has: its dependencies' plugins, a name the program has, a second copy | it exports only its own crate's plugins; the others are refused, naming both sides |
//!
//! Only plugins of interfaces and hook points cross (their type has a fingerprint); a library
//! with any other plugin is refused.

pub(crate) mod abi;
pub(crate) mod contain;
#[cfg(feature = "dynamic")]
mod elf;
pub(crate) mod export;
pub(crate) mod guard;
#[cfg(feature = "dynamic")]
mod host;
#[cfg(feature = "dynamic")]
pub(crate) mod joined;
#[cfg(feature = "dynamic")]
mod requirements;

pub use crate::fingerprint::Fingerprint;
#[cfg(feature = "dynamic")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
pub use host::{
    check_library, libraries, open, open_dir, Library, LibraryError, OpenedDir, Refused,
};
#[cfg(feature = "dynamic")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
pub use requirements::{requirements, RequiredType, Requirements, RequirementsError};
