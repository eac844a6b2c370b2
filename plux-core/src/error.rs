//! The error model: [`PluginError`], with the plugin it is about and a [`PluginErrorKind`].
//!
//! | kind | when | the listener hears | `load` again | [`retry`](crate::PluginManager::retry) |
//! |---|---|---|---|---|
//! | [`NotFound`](PluginErrorKind::NotFound) | no spec of that name in the namespace | — | same error | same error |
//! | [`InvalidIdent`](PluginErrorKind::InvalidIdent) | the name asked for, or the manager's namespace, breaks the [grammar](crate::IdentKind::rule), e.g. `""` | `on_resolve_exception` (namespace) | same error | same error |
//! | [`Duplicate`](PluginErrorKind::Duplicate) | two specs share namespace and name; names every site | `on_resolve_exception` | same error | same error |
//! | [`Disabled`](PluginErrorKind::Disabled) | a filter, `should_load() == false`, `should_load_with(args)` declining, a requirement that did not load, or a listener's veto | `on_disabled` | same error, nothing re-runs | runs the lifecycle again |
//! | [`Factory`](PluginErrorKind::Factory) | the factory returned `Err` | `on_init_exception` | same error, nothing re-runs | runs the lifecycle again |
//! | [`WrongType`](PluginErrorKind::WrongType) | the factory made something that is not the manager's `T` | `on_init_exception` | same error | runs the lifecycle again |
//! | [`Load`](PluginErrorKind::Load) | `load` returned `Err` | `on_load_exception` | same error, nothing re-runs | runs the lifecycle again |
//! | [`Rejected`](PluginErrorKind::Rejected) | `load` succeeded, then a listener's [`confirm`](crate::PluginLifecycleListener::confirm) returned `Err` | `on_load_exception` | same error, nothing re-runs | runs the lifecycle again |
//! | [`Panicked`](PluginErrorKind::Panicked) | a filter, the factory, `should_load`, a listener's `approve`, `load` or a listener's `confirm` panicked | `on_init_exception` (filter, factory) or `on_load_exception` | same error, nothing re-runs | runs the lifecycle again |
//! | [`OrderUnknown`](PluginErrorKind::OrderUnknown) | an `after`/`before`/`requires` constraint names no plugin of the namespace | `on_resolve_exception` | same error | same error |
//! | [`OrderCycle`](PluginErrorKind::OrderCycle) | `after`/`before` constraints form a cycle; every plugin on it gets this error | `on_resolve_exception` | same error | same error |
//! | [`Reentrant`](PluginErrorKind::Reentrant) | a plugin is asked for while its own lifecycle runs: on the same thread, or on a thread that (through any chain of threads waiting inside plux managers) the asking thread would wait for; the workers of a `load_all_parallel` count as the thread that started it | — (the call that asked gets it; the plugin being loaded decides what to do with it) | — | — |
//! | [`Interrupted`](PluginErrorKind::Interrupted) | the manager itself was unwound mid-lifecycle (a bug) | — | same error | runs the lifecycle again |
//! | [`ThreadExiting`](PluginErrorKind::ThreadExiting) | asked for from a thread-local's destructor, once the thread's plux state is gone | — | same error on that thread | same error on that thread |
//! | [`LoadsAsync`](PluginErrorKind::LoadsAsync) | a plugin whose `load` is `async` asked for through the blocking API (`load`, `load_all`, ...) | — | same error, nothing runs | same error |
//! | [`Unload`](PluginErrorKind::Unload) | `unload` returned an error (a panic there is `Panicked` at [`Stage::Unload`]) | — (returned by `unload_all`) | — | — |
//! | [`Cancelled`](PluginErrorKind::Cancelled) | the future of an async load was dropped while the plugin's lifecycle ran (a `select!`, a timeout, a shutdown) | — | same error, nothing re-runs | runs the lifecycle again |
//!
//! A failed or disabled plugin is *sticky*: `load` returns the recorded error without running any
//! plugin code again, so a broken plugin costs nothing on the next call. `retry` clears the record
//! and runs the whole lifecycle once more (e.g. after configuration changed); a success replaces
//! the old error. A loaded plugin is never re-run.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use crate::grammar::InvalidIdent;
use crate::location::Location;

/// The step of the lifecycle that went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// A filter deciding whether the plugin may run.
    Filter,
    /// The factory (resolved → init).
    Init,
    /// [`Plugin::should_load`](crate::Plugin::should_load).
    ShouldLoad,
    /// A listener's [`approve`](crate::PluginLifecycleListener::approve).
    Approve,
    /// [`Plugin::load`](crate::Plugin::load) (init → loaded).
    Load,
    /// A listener's [`confirm`](crate::PluginLifecycleListener::confirm), after `load`.
    Confirm,
    /// [`Plugin::unload`](crate::Plugin::unload), when the manager unloads its plugins.
    Unload,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Filter => "filter",
            Stage::Init => "factory",
            Stage::ShouldLoad => "should_load",
            Stage::Approve => "a listener's approve",
            Stage::Load => "load",
            Stage::Confirm => "a listener's confirm",
            Stage::Unload => "unload",
        })
    }
}

/// Why a plugin is disabled. Disabled is an outcome, not a failure: `load_all` skips it quietly
/// (the listener still hears of it) and `try_load_all` does not stop for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DisabledReason {
    /// [`Plugin::should_load`](crate::Plugin::should_load) returned `false`.
    ShouldLoad,
    /// A filter of this manager (the `index`-th added with
    /// [`filter`](crate::PluginManager::filter)) rejected the spec.
    Filter {
        /// Position of the filter, from 0, in the order they were added.
        index: usize,
    },
    /// A pattern of the process-wide [`global_filter`](crate::global_filter) matched the spec.
    GlobalFilter {
        /// The pattern that matched, as text.
        pattern: String,
    },
    /// A plugin it [requires](crate::PluginSpec::with_requires) did not load: it failed, or is
    /// disabled (for a reason of its own, which may be a requirement in turn).
    Requirement {
        /// The requirement's name.
        name: String,
        /// Why it did not load: its error, as text.
        why: String,
    },
    /// The plugin's own [`should_load_with`](crate::Plugin::should_load_with) declined the
    /// manager's load arguments.
    Declined {
        /// The reason it gave.
        reason: String,
    },
    /// A listener's [`approve`](crate::PluginLifecycleListener::approve) returned a
    /// [`Veto`](crate::Veto).
    Vetoed {
        /// Position of the listener, from 0, in the order they were added.
        listener: usize,
        /// The veto's reason.
        reason: String,
    },
}

impl fmt::Display for DisabledReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisabledReason::ShouldLoad => f.write_str("should_load() returned false"),
            DisabledReason::Filter { index } => {
                write!(f, "rejected by filter #{index} of the manager")
            }
            DisabledReason::GlobalFilter { pattern } => {
                write!(f, "matched the global filter pattern `{pattern}`")
            }
            DisabledReason::Requirement { name, why } => {
                write!(f, "requires `{name}`, which did not load ({why})")
            }
            DisabledReason::Declined { reason } => write!(f, "declined to load: {reason}"),
            DisabledReason::Vetoed { listener, reason } => {
                write!(f, "vetoed by listener #{listener}: {reason}")
            }
        }
    }
}

/// What went wrong; see the [module docs](self) for when each kind occurs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PluginErrorKind {
    /// No plugin of that name in the namespace.
    NotFound {
        /// The namespace has no plugins at all, and the program has no `plux::link_plugins!()`:
        /// the plugin crates are most likely not linked (rustc drops a crate no code names). The
        /// message then says what to add.
        unlinked: bool,
    },
    /// The manager's namespace, or the name asked for, breaks the
    /// [grammar](crate::IdentKind::rule), so no plugin can have it.
    InvalidIdent(InvalidIdent),
    /// The plugin is disabled.
    Disabled(DisabledReason),
    /// The factory returned an error.
    Factory(Arc<dyn Error + Send + Sync>),
    /// `load` returned an error.
    Load(Arc<dyn Error + Send + Sync>),
    /// `unload` returned an error (see
    /// [`PluginManager::unload_all`](crate::PluginManager::unload_all)).
    Unload(Arc<dyn Error + Send + Sync>),
    /// `load` succeeded, but a listener's [`confirm`](crate::PluginLifecycleListener::confirm)
    /// failed the plugin with this reason.
    Rejected {
        /// Position of the listener, from 0, in the order they were added.
        listener: usize,
        /// Its reason.
        reason: Arc<dyn Error + Send + Sync>,
    },
    /// User code panicked; the panic was caught.
    Panicked {
        /// Where it panicked.
        stage: Stage,
        /// The panic message, when it was a string.
        message: String,
    },
    /// The factory made a plugin of another type than the manager's `T`.
    WrongType {
        /// The manager's plugin type.
        expected: &'static str,
        /// The type the factory made.
        found: &'static str,
    },
    /// Two or more specs share this namespace and name; none of them is loaded.
    Duplicate(Vec<Location>),
    /// An `after`/`before`/`requires` constraint of this plugin names no plugin of the namespace.
    OrderUnknown {
        /// `"after"`, `"before"` or `"requires"`.
        relation: &'static str,
        /// The name that was not found.
        missing: String,
        /// The plugin of the namespace whose name is closest, if one is close: the likely typo.
        suggestion: Option<String>,
    },
    /// The `after`/`before` constraints of these plugins (sorted names) form a cycle: the
    /// declarations are contradictory, whatever runs (see [`Reentrant`](Self::Reentrant) for a
    /// cycle at run time). Every member's error shares this one list, so a cycle costs memory
    /// linear in its length; the message names the first 20 of them.
    OrderCycle(Arc<[String]>),
    /// The plugin was asked for while its own lifecycle runs: its loading requires itself (a
    /// run-time cycle, unlike [`OrderCycle`](Self::OrderCycle), which is in the declarations).
    Reentrant,
    /// The manager was unwound in the middle of this plugin's lifecycle.
    Interrupted,
    /// The plugin was asked for on a thread that is exiting, from a thread-local's destructor
    /// that runs after plux's own per-thread state was destroyed: its lifecycle cannot run
    /// there. A plugin loaded already is still returned; load it before the thread ends, or
    /// from another thread.
    ThreadExiting,
    /// The plugin's `load` is `async` (see [`Plugin::LOADS_ASYNC`](crate::Plugin::LOADS_ASYNC)),
    /// and it was asked for through the blocking API, which would have to block a thread on a
    /// future: nothing ran. Load it with
    /// [`load_async`](crate::PluginManager::load_async) or
    /// [`load_all_async`](crate::PluginManager::load_all_async); once loaded, `load` returns it.
    LoadsAsync,
    /// The future that ran the plugin's async lifecycle was dropped before it finished (a
    /// `select!`, a timeout, a shutdown): the plugin, and what its `load` had set up, were
    /// dropped. Sticky like any failure; [`retry_async`](crate::PluginManager::retry_async) runs the
    /// lifecycle again.
    Cancelled,
}

impl fmt::Display for PluginErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginErrorKind::NotFound { unlinked } => {
                let hint = if *unlinked { UNLINKED_HINT } else { "" };
                write!(f, "not found{hint}")
            }
            PluginErrorKind::InvalidIdent(invalid) => write!(f, "{invalid}"),
            PluginErrorKind::Disabled(reason) => write!(f, "disabled: {reason}"),
            PluginErrorKind::Factory(cause) => write!(f, "factory failed: {cause}"),
            PluginErrorKind::Load(cause) => write!(f, "load failed: {cause}"),
            PluginErrorKind::Unload(cause) => write!(f, "unload failed: {cause}"),
            PluginErrorKind::Rejected { listener, reason } => {
                write!(f, "failed by listener #{listener} after load: {reason}")
            }
            PluginErrorKind::Panicked { stage, message } => {
                write!(f, "{stage} panicked: {message}")
            }
            PluginErrorKind::WrongType { expected, found } => write!(
                f,
                "the factory makes `{found}`, but this manager manages `{expected}`"
            ),
            PluginErrorKind::Duplicate(sites) => {
                write!(f, "declared {} times: {}", sites.len(), DisplaySites(sites))
            }
            PluginErrorKind::OrderUnknown {
                relation,
                missing,
                suggestion,
            } => write!(
                f,
                "`{relation} = [{missing:?}]` names no plugin of this namespace{}",
                DidYouMean(suggestion.as_deref())
            ),
            PluginErrorKind::OrderCycle(names) => {
                write!(f, "ordering cycle between {}", DisplayNames(names))
            }
            PluginErrorKind::Reentrant => f.write_str(
                "re-entrant load: the plugin was asked for again while it is being loaded",
            ),
            PluginErrorKind::Interrupted => {
                f.write_str("lifecycle interrupted by a panic inside the manager")
            }
            PluginErrorKind::ThreadExiting => f.write_str(
                "asked for on an exiting thread, from a thread-local's destructor: load it before",
            ),
            PluginErrorKind::LoadsAsync => {
                f.write_str("its `load` is async: load it with `load_async` or `load_all_async`")
            }
            PluginErrorKind::Cancelled => {
                f.write_str("cancelled: the future loading it was dropped before the load finished")
            }
        }
    }
}

/// No source: a kind is part of a [`PluginError`], whose `source()` is the plugin's own error.
impl Error for PluginErrorKind {}

/// What a [`NotFound`](PluginErrorKind::NotFound) in an empty namespace of a program without
/// `link_plugins!` adds to its message.
const UNLINKED_HINT: &str = ": the namespace has no plugins, and this program has no \
    `plux::link_plugins!()`; rustc links a plugin crate only when code names it. Add \
    `plux::link_plugins!();` to the program's main crate, or name each plugin crate \
    (`use my_plugins as _;`)";

/// "; did you mean `x`?" when there is a suggestion.
struct DidYouMean<'a>(Option<&'a str>);

impl fmt::Display for DidYouMean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) => write!(f, "; did you mean `{name}`?"),
            None => Ok(()),
        }
    }
}

/// How many members of an ordering cycle its message names before "and N more".
pub(crate) const CYCLE_NAMES_SHOWN: usize = 20;

/// The names of a cycle, the first [`CYCLE_NAMES_SHOWN`] of them: a message about one member
/// of a ring of thousands must not be as long as the ring.
pub(crate) struct DisplayNames<'a>(pub(crate) &'a [String]);

impl fmt::Display for DisplayNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().take(CYCLE_NAMES_SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        match self.0.len().saturating_sub(CYCLE_NAMES_SHOWN) {
            0 => Ok(()),
            more => write!(f, " and {more} more"),
        }
    }
}

/// An ordering cycle as it is reported once for all its members, by the log and by the health
/// check.
pub(crate) struct DisplayCycle<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) members: &'a [String],
}

impl fmt::Display for DisplayCycle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "namespace `{}`: ordering cycle of {} plugins between {}; none of them loads",
            self.namespace,
            self.members.len(),
            DisplayNames(self.members)
        )
    }
}

struct DisplaySites<'a>(&'a [Location]);

impl fmt::Display for DisplaySites<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, site) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{site}")?;
        }
        Ok(())
    }
}

/// An error about one plugin, or about a whole namespace: the namespace, the plugin's name (none
/// for an error about the namespace itself), and [what went wrong](PluginErrorKind).
///
/// Which kind for which case, what the listeners hear, and what `load` and `retry` do next: the
/// table of the [error model](self). `source()` is the plugin's own error, when it returned one.
///
/// ```
/// use plux_core::{PluginErrorKind, PluginManager, FunctionPlugin};
///
/// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("my.hooks");
/// let err = manager.load("missing").unwrap_err();
/// assert!(matches!(err.kind(), PluginErrorKind::NotFound { .. }));
/// assert_eq!(err.name(), Some("missing"));
/// // This program has no `link_plugins!` and the namespace no plugins: the message says why
/// // that may be.
/// assert!(err.to_string().starts_with("plugin `my.hooks/missing`: not found: the namespace has no plugins"));
///
/// let invalid = PluginManager::<FunctionPlugin<fn()>>::in_namespace("my..hooks");
/// let err = invalid.try_load_all().unwrap_err();
/// assert_eq!(err.name(), None); // about the namespace, not a plugin
/// ```
#[derive(Debug, Clone)]
pub struct PluginError {
    namespace: Arc<str>,
    name: Option<Arc<str>>,
    kind: PluginErrorKind,
}

impl PluginError {
    pub(crate) fn new(namespace: &str, name: &str, kind: PluginErrorKind) -> Self {
        PluginError {
            namespace: namespace.into(),
            name: Some(name.into()),
            kind,
        }
    }

    /// An error about the namespace itself, not one of its plugins.
    pub(crate) fn of_namespace(namespace: &str, kind: PluginErrorKind) -> Self {
        PluginError {
            namespace: namespace.into(),
            name: None,
            kind,
        }
    }

    /// The namespace of the plugin.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name of the plugin; `None` when the error is about the namespace itself (an invalid
    /// namespace).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &PluginErrorKind {
        &self.kind
    }

    /// Whether the plugin is disabled rather than broken.
    pub fn is_disabled(&self) -> bool {
        matches!(self.kind, PluginErrorKind::Disabled(_))
    }
}

impl PluginErrorKind {
    /// The error a factory, `load` or `unload` returned, as the plugin made it (downcast it to the
    /// plugin's own error type).
    pub fn cause(&self) -> Option<&(dyn Error + Send + Sync + 'static)> {
        match self {
            PluginErrorKind::Factory(cause)
            | PluginErrorKind::Load(cause)
            | PluginErrorKind::Unload(cause)
            | PluginErrorKind::Rejected { reason: cause, .. } => Some(&**cause),
            _ => None,
        }
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            None => write!(f, "namespace `{}`: {}", self.namespace, self.kind),
            Some(name) => write!(f, "plugin `{}/{name}`: {}", self.namespace, self.kind),
        }
    }
}

/// The source is the plugin's own error (for [`Factory`](PluginErrorKind::Factory) and
/// [`Load`](PluginErrorKind::Load)), so `err.source()` downcasts to it; a plugin library's error
/// comes wrapped, so that a panic in it is contained (see [`dynamic`](crate::dynamic)).
impl Error for PluginError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.kind
            .cause()
            .map(|cause| cause as &(dyn Error + 'static))
    }
}
