//! The state of one plugin in a manager, and the exactly-once machinery that moves it.
//!
//! Each plugin has a slot. The lifecycle of a slot runs at most once at a time, on the thread that
//! first asks for it; other threads asking meanwhile wait for its outcome. A thread that asks for a
//! plugin whose lifecycle it is running itself, or that would wait on a thread which (through any
//! chain of waits) waits on it, gets [`PluginErrorKind::Reentrant`] instead of a deadlock. So does a
//! thread that asks any manager for a plugin (namespace and name) whose lifecycle it is running
//! through another manager: without that, a plugin that loads itself through a fresh manager
//! would recurse until the stack overflows.
//!
//! No user code runs under a slot's lock: an outcome a slot replaces may hold the last reference
//! to a user's error, so it is moved out and dropped after unlocking, inside a panic guard.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use super::sync::{self, Condvar, Mutex, MutexGuard, PoisonError, ThreadId};
use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::lifecycle::discard;
use crate::plugin::Plugin;

/// Where a plugin is in its lifecycle, as seen by
/// [`PluginManager::state`](crate::PluginManager::state).
#[non_exhaustive]
pub enum PluginState<'a, T: ?Sized + Plugin> {
    /// Found in the namespace; its factory has not run yet.
    Resolved,
    /// Its lifecycle is running on some thread right now.
    Loading,
    /// Loaded: the plugin, and what its `load` returned.
    Loaded {
        /// The plugin, as `load` and `load_all` return it.
        plugin: &'a Arc<T>,
        /// What [`Plugin::load`] returned.
        output: &'a T::Output,
    },
    /// Disabled: by a filter, by `should_load`, or by a listener's veto.
    Disabled(DisabledReason),
    /// Failed; the error says at which step.
    Failed(PluginError),
}

/// Shows the state without the plugin itself, so that it works for any `T` (`dyn Trait` is
/// rarely `Debug`).
impl<T: ?Sized + Plugin> std::fmt::Debug for PluginState<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginState::Resolved => f.write_str("Resolved"),
            PluginState::Loading => f.write_str("Loading"),
            PluginState::Loaded { .. } => f.write_str("Loaded"),
            PluginState::Disabled(reason) => f.debug_tuple("Disabled").field(reason).finish(),
            PluginState::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
        }
    }
}

impl<T: ?Sized + Plugin> std::fmt::Display for PluginState<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginState::Resolved => f.write_str("resolved"),
            PluginState::Loading => f.write_str("loading"),
            PluginState::Loaded { .. } => f.write_str("loaded"),
            PluginState::Disabled(reason) => write!(f, "disabled: {reason}"),
            PluginState::Failed(error) => write!(f, "failed: {}", error.kind()),
        }
    }
}

/// A loaded plugin and its load output.
#[derive(Debug)]
pub(crate) struct Loaded<T: ?Sized + Plugin> {
    pub(crate) plugin: Arc<T>,
    pub(crate) output: T::Output,
}

/// How one run of the lifecycle ended.
pub(crate) enum Outcome<T: ?Sized + Plugin> {
    Loaded(Loaded<T>),
    Disabled(DisabledReason),
    Failed(PluginError),
}

#[derive(Debug)]
enum SlotState {
    Resolved,
    /// Its lifecycle runs on `owner`. `waited`: some thread waits for the outcome; only then
    /// must the runner settle the wait-for graph and wake the waiters, which cost a global lock
    /// and a futex call even when nobody waits.
    Running {
        owner: ThreadId,
        waited: bool,
    },
    Loaded,
    /// Boxed, like `Failed`: a slot stays small (its lock and the loaded plugin share a cache
    /// line), and most slots never hold either.
    Disabled(Box<DisabledReason>),
    Failed(Box<PluginError>),
}

pub(crate) struct Slot<T: ?Sized + Plugin> {
    /// Set once, when loaded; read without locking on every warm lookup.
    loaded: OnceLock<Loaded<T>>,
    state: Mutex<SlotState>,
    changed: Condvar,
}

impl<T: ?Sized + Plugin> Slot<T> {
    pub(crate) fn new() -> Self {
        Self::with_state(SlotState::Resolved)
    }

    /// A slot that can never load (e.g. a duplicated name).
    pub(crate) fn broken(error: PluginError) -> Self {
        Self::with_state(SlotState::Failed(Box::new(error)))
    }

    fn with_state(state: SlotState) -> Self {
        Slot {
            loaded: OnceLock::new(),
            state: Mutex::new(state),
            changed: Condvar::new(),
        }
    }

    pub(crate) fn loaded(&self) -> Option<&Loaded<T>> {
        self.loaded.get()
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        // Plugin code never runs under this lock, so poison can only come from a bug of ours;
        // the state it guards is still consistent (every write is a single assignment).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn state(&self) -> PluginState<'_, T> {
        if let Some(loaded) = self.loaded() {
            return PluginState::Loaded {
                plugin: &loaded.plugin,
                output: &loaded.output,
            };
        }
        match &*self.lock() {
            SlotState::Resolved => PluginState::Resolved,
            SlotState::Running { .. } => PluginState::Loading,
            SlotState::Disabled(reason) => PluginState::Disabled((**reason).clone()),
            SlotState::Failed(error) => PluginState::Failed((**error).clone()),
            // `loaded` is set before the state says so, so this is a race with a concurrent
            // load that has just finished.
            SlotState::Loaded => PluginState::Loading,
        }
    }

    /// Returns the loaded plugin, running `lifecycle` first if no thread has run it yet.
    ///
    /// A recorded failure or disabled outcome is returned as an error without running anything,
    /// unless `retry` is set; failures that no rerun can fix (`permanent`) are never rerun.
    /// `key` (namespace, name) names the plugin across managers, for the re-entrance check.
    pub(crate) fn get_or_run(
        &self,
        key: RunKey<'_>,
        retry: bool,
        error: impl Fn(PluginErrorKind) -> PluginError,
        lifecycle: impl FnOnce() -> Outcome<T>,
    ) -> Result<&Loaded<T>, PluginError> {
        if let Some(loaded) = self.loaded() {
            return Ok(loaded);
        }
        let mut state = self.lock();
        loop {
            match &mut *state {
                SlotState::Resolved => break,
                // A thread asking for a slot it runs itself is the shortest cycle, and `begin`
                // reports it as one (its walk starts at the owner, which is `me`).
                SlotState::Running { owner, waited } => {
                    if !waits::begin(sync::current_thread(), *owner, self.id()) {
                        return Err(error(PluginErrorKind::Reentrant));
                    }
                    *waited = true;
                    // No `end` after waking: the runner removes this edge when the slot settles,
                    // under this lock and before notifying. A spurious wakeup finds the edge
                    // still there and `begin` replaces it.
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                SlotState::Loaded => {
                    return self
                        .loaded()
                        .ok_or_else(|| error(PluginErrorKind::Interrupted))
                }
                SlotState::Disabled(_) if retry => break,
                SlotState::Disabled(reason) => {
                    return Err(error(PluginErrorKind::Disabled((**reason).clone())))
                }
                SlotState::Failed(failure) if retry && !permanent(failure) => break,
                SlotState::Failed(failure) => return Err((**failure).clone()),
            }
        }
        // Still under the lock (no user code runs here): claims the plugin for this thread
        // unless this thread is running it already, through any manager.
        let Some(entered) = running::enter(key) else {
            return Err(error(PluginErrorKind::Reentrant));
        };
        let previous = std::mem::replace(
            &mut *state,
            SlotState::Running {
                owner: entered.me,
                waited: false,
            },
        );
        drop(state);

        let guard = RunGuard {
            slot: self,
            error: &error,
        };
        // The outcome a retry replaces may hold the last copy of a user's error.
        if !matches!(previous, SlotState::Resolved) {
            discard(previous);
        }
        let outcome = lifecycle();
        drop(entered);
        std::mem::forget(guard);

        let (stored, result) = match outcome {
            Outcome::Loaded(loaded) => {
                // Set before the state says so, and outside the lock: were it somehow set
                // already, the rejected plugin would be dropped here, which is user code.
                if let Err(rejected) = self.loaded.set(loaded) {
                    discard(rejected);
                }
                (SlotState::Loaded, Ok(()))
            }
            Outcome::Disabled(reason) => (
                SlotState::Disabled(Box::new(reason.clone())),
                Err(error(PluginErrorKind::Disabled(reason))),
            ),
            Outcome::Failed(failure) => {
                (SlotState::Failed(Box::new(failure.clone())), Err(failure))
            }
        };
        let mut state = self.lock();
        let waited = state.waited();
        // Replaces `Running`, which holds nothing of the user's.
        *state = stored;
        if waited {
            self.settle();
            drop(state);
            self.changed.notify_all();
        }
        result.and_then(|()| {
            self.loaded()
                .ok_or_else(|| error(PluginErrorKind::Interrupted))
        })
    }

    /// Identifies the slot in the wait-for graph.
    fn id(&self) -> usize {
        std::ptr::from_ref(self).cast::<()>() as usize
    }

    /// The slot's outcome is final: nobody waits for its owner any more, even before the waiting
    /// threads wake up. Called with the state locked, before waking them.
    fn settle(&self) {
        waits::settled(self.id());
    }
}

impl SlotState {
    fn waited(&self) -> bool {
        matches!(self, SlotState::Running { waited: true, .. })
    }
}

fn permanent(error: &PluginError) -> bool {
    matches!(
        error.kind(),
        PluginErrorKind::Duplicate(_)
            | PluginErrorKind::InvalidIdent(_)
            | PluginErrorKind::OrderUnknown { .. }
            | PluginErrorKind::OrderCycle(_)
    )
}

/// Marks the slot interrupted if the lifecycle unwinds, so that waiting threads wake up.
struct RunGuard<'a, T: ?Sized + Plugin, E: Fn(PluginErrorKind) -> PluginError> {
    slot: &'a Slot<T>,
    error: &'a E,
}

impl<T: ?Sized + Plugin, E: Fn(PluginErrorKind) -> PluginError> Drop for RunGuard<'_, T, E> {
    fn drop(&mut self) {
        let mut state = self.slot.lock();
        let waited = state.waited();
        *state = SlotState::Failed(Box::new((self.error)(PluginErrorKind::Interrupted)));
        if waited {
            self.slot.settle();
            drop(state);
            self.slot.changed.notify_all();
        }
    }
}

/// The plugin a manager is asked for, by namespace and name: the same across managers.
pub(crate) type RunKey<'a> = (&'a Cow<'static, str>, &'a Cow<'static, str>);

/// The plugins whose lifecycle this thread is running, innermost last, whatever their manager.
mod running {
    use std::cell::{Cell, RefCell};

    use super::*;

    /// This thread's id (read once: every lifecycle needs it) and its stack of running plugins.
    struct Running {
        me: Cell<Option<ThreadId>>,
        stack: RefCell<Vec<(Cow<'static, str>, Cow<'static, str>)>>,
    }

    sync::thread_local! {
        static RUNNING: Running = const {
            Running {
                me: Cell::new(None),
                stack: RefCell::new(Vec::new()),
            }
        };
    }

    /// Pushes `key` until the returned guard drops (also when the lifecycle unwinds); `None`
    /// when this thread is running `key` already.
    pub(super) fn enter((namespace, name): RunKey<'_>) -> Option<Entered> {
        RUNNING.with(|running| {
            let mut stack = running.stack.borrow_mut();
            if stack.iter().any(|(ns, n)| n == name && ns == namespace) {
                return None;
            }
            stack.push((namespace.clone(), name.clone()));
            let me = running.me.get().unwrap_or_else(|| {
                let me = sync::current_thread();
                running.me.set(Some(me));
                me
            });
            Some(Entered { me })
        })
    }

    pub(super) struct Entered {
        /// The running thread.
        pub(super) me: ThreadId,
    }

    impl Drop for Entered {
        fn drop(&mut self) {
            // The names are plux's own `Cow`s: dropping them runs no user code.
            RUNNING.with(|running| running.stack.borrow_mut().pop());
        }
    }
}

/// Which thread waits for which: the edges of the wait-for graph, across every manager.
///
/// An edge lives from the moment a thread decides to wait until the slot it waits for settles
/// (not until the waiter wakes up, which may be later: the owner may ask for something of the
/// waiter's in between, and must not see a cycle that no longer exists). Every insertion checks
/// for a cycle, so the graph never has one.
mod waits {
    use super::*;

    fn edges() -> MutexGuard<'static, sync::WaitEdges> {
        sync::wait_edges()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that `me` waits on `slot`, run by `owner`, unless that closes a cycle (then
    /// returns false).
    pub(super) fn begin(me: ThreadId, owner: ThreadId, slot: usize) -> bool {
        let mut edges = edges();
        let mut next = owner;
        loop {
            if next == me {
                return false;
            }
            match edges.get(&next) {
                Some(&(further, _)) => next = further,
                None => break,
            }
        }
        edges.insert(me, (owner, slot));
        true
    }

    /// `slot` has its final outcome: whoever waits on it waits no more.
    pub(super) fn settled(slot: usize) {
        edges().retain(|_, &mut (_, waited)| waited != slot);
    }

    /// Whether `thread` waits, and on which slot.
    #[cfg(test)]
    pub(super) fn waits_on(thread: ThreadId) -> Option<usize> {
        edges().get(&thread).map(|&(_, slot)| slot)
    }
}

/// Whether `thread` is in the wait-for graph, and waiting on which slot (see `Slot::id`).
#[cfg(test)]
pub(crate) fn waits_on(thread: ThreadId) -> Option<usize> {
    waits::waits_on(thread)
}

#[cfg(test)]
impl<T: ?Sized + Plugin> Slot<T> {
    pub(crate) fn test_id(&self) -> usize {
        self.id()
    }
}
