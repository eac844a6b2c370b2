//! The runtime of [plux](https://docs.rs/plux): plugin specs, the link-time registry, and the
//! typed, thread-safe [`PluginManager`].
//!
//! Applications use the `plux` crate, which re-exports everything here together with the
//! `#[plugin]`, `#[plugin_interface]` and `plugin_spec!` macros; its documentation is the guide.
//!
//! | module concept | type |
//! |---|---|
//! | the plugin contract | [`Plugin`], [`PluginInterface`], [`Hook`], [`FunctionPlugin`] |
//! | describing a plugin | [`PluginSpec`], [`Location`], [`check_namespace`], [`check_name`] |
//! | finding plugins | [`Registry`] (link time), [`PluginFinder`] |
//! | the lifecycle | [`PluginManager`], [`PluginState`], [`PluginLifecycleListener`], [`Veto`] |
//! | switching plugins off | [`PluginManager::filter`], [`global_filter`], [`PluginPattern`] |
//! | what goes wrong | [`PluginError`], [`PluginErrorKind`] (the [error model](error)) |
//! | plugin libraries, opened at run time | [`export_plugins!`], [`dynamic`] (feature `dynamic`) |

#![warn(missing_docs)]
// On docs.rs (see `[package.metadata.docs.rs]`): a badge on each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Loading Rust libraries at run time needs `unsafe`; this module is the only place with it.
mod contain;
#[allow(unsafe_code)]
pub mod dynamic;
pub mod error;
mod filter;
mod finder;
// A plugin handed from one copy of plux to another by fingerprint is one cast: the plugin-library
// boundary's, with the registry of interfaces' linker section.
#[allow(unsafe_code)]
mod fingerprint;
mod function;
mod grammar;
pub mod inspect;
mod lifecycle;
mod listener;
mod location;
mod logged;
mod manager;
#[cfg(test)]
mod model;
mod name_sort;
mod order;
mod plugin;
mod process;
mod registry;
mod spec;
mod state;
#[cfg(test)]
mod state_tests;
mod sync;

pub use error::{DisabledReason, PluginError, PluginErrorKind, Stage};
pub use filter::{global_filter, GlobalFilter, PatternError, PluginPattern};
pub use finder::PluginFinder;
pub use function::{FunctionPlugin, Hook, HookFuture};
pub use grammar::{check_name, check_namespace, IdentKind, InvalidIdent};
pub use listener::{PluginLifecycleListener, Veto};
pub use location::Location;
pub use manager::PluginManager;
pub use plugin::{BoxError, LoadFuture, Plugin, PluginInterface};
pub use registry::{LinkRecord, LinkedCrate, Registry};
pub use spec::{FactoryFn, FactoryResult, PluginSpec, Product};
pub use state::PluginState;

/// What the macros expand to. Not public API: it changes without notice.
///
/// The generic helpers of every expansion live here once, with the compiler messages that turn a
/// type error into one error at the user's tokens that says what to write.
#[doc(hidden)]
pub mod __private;
