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
//! A slot is claimed and settled through one atomic word: a load nobody else asks for meanwhile
//! (every load of a `load_all`, in practice) takes no lock. Only a thread that finds the slot
//! running takes a lock, the wait-for graph's, to check for a cycle and sleep; the runner then
//! settles under that lock and wakes it.
//!
//! No user code runs under a plux lock: an outcome a slot replaces may hold the last reference
//! to a user's error, so it is moved out and dropped after unlocking, inside a panic guard.

use std::borrow::Cow;
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Arc, OnceLock};

use super::sync::{self, AtomicU64, Condvar, Mutex, MutexGuard, PoisonError, ThreadId};
use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::lifecycle::discard;
use crate::plugin::Plugin;
use crate::spec::linked::LinkedSpec;

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

/// How one run of the lifecycle ended. The rare outcomes are boxed, so that the common one
/// comes back in registers.
pub(crate) enum Outcome<T: ?Sized + Plugin> {
    Loaded(Loaded<T>),
    Disabled(Box<DisabledReason>),
    Failed(Box<PluginError>),
}

/// A settled outcome that is not a loaded plugin.
pub(crate) enum Record {
    Disabled(DisabledReason),
    Failed(PluginError),
}

/// [`Run`] of a slot whose lifecycle never ran.
const FRESH: u64 = 0;
/// [`Run`] of a slot whose outcome is final until a retry: loaded, or recorded.
const SETTLED: u64 = 1;
/// Set in [`Run`] while running when some thread waits for the outcome: only then must
/// the runner take the wait-for graph's lock to settle, and wake the waiters.
const WAITED: u64 = 1;

/// [`Run`] while thread `owner` runs the lifecycle (numbers start at 1, so this is
/// neither `FRESH` nor `SETTLED`).
fn running(owner: ThreadNumber) -> u64 {
    owner << 1
}

/// A number for each thread that runs or awaits a lifecycle, unique in the process: the slot's
/// word holds its owner, and std's `ThreadId` has no stable integer form.
type ThreadNumber = u64;

/// A slot on its own, with records of its own (tests, the model and a manager's `refresh` use
/// one so); a manager keeps the parts of its slots in arrays, with one [`Records`] for many
/// slots, and works on them through a [`SlotRef`].
pub(crate) struct Slot<T: ?Sized + Plugin> {
    loaded: OnceLock<Loaded<T>>,
    run: Run,
    records: Records,
}

/// `FRESH`, `SETTLED` or `running(owner)` (maybe `| WAITED`): the one word of a slot that an
/// uncontended load claims and settles, with a compare-and-swap each and no lock.
pub(crate) struct Run(AtomicU64);

/// The outcomes of the settled slots of a group (a manager's chunk of slots) that did not load,
/// by the slot's position in the group, under one lock: most slots never have one, and a
/// lock of its own would make each slot's 8 bytes 24.
pub(crate) struct Records(Mutex<Vec<(usize, Record)>>);

/// A slot: its loaded plugin, set once and read without locking on every warm lookup, its run
/// word, and the records of its group, where its own is at `at`. The loaded plugins of a
/// manager are apart from the rest, so that they are dense: a warm lookup in a large namespace
/// then finds its slot in a cache more often.
pub(crate) struct SlotRef<'a, T: ?Sized + Plugin> {
    loaded: &'a OnceLock<Loaded<T>>,
    run: &'a Run,
    records: &'a Records,
    at: usize,
}

impl<T: ?Sized + Plugin> Clone for SlotRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized + Plugin> Copy for SlotRef<'_, T> {}

impl Run {
    /// The word of a slot whose lifecycle never ran.
    pub(crate) fn fresh() -> Self {
        Run(AtomicU64::new(FRESH))
    }

    /// The word of a slot that can never load (its record says why: see [`Records::broken`]).
    pub(crate) fn broken() -> Self {
        Run(AtomicU64::new(SETTLED))
    }
}

impl Records {
    pub(crate) fn new() -> Self {
        Records(Mutex::new(Vec::new()))
    }

    /// Records why the slot at `at`, whose word is [`Run::broken`], can never load (e.g. a
    /// duplicated name).
    pub(crate) fn broken(&mut self, at: usize, error: PluginError) {
        self.put(at, Record::Failed(error));
    }

    /// Moves in the record of a slot that moves to `at` (see [`Slot::into_parts`]).
    pub(crate) fn put(&mut self, at: usize, record: Record) {
        let records = self.0.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(replaced) = replace_record(records, at, record) {
            discard(replaced);
        }
    }

    /// Moves out the record of the slot at `at`, if it has one.
    pub(crate) fn take(&mut self, at: usize) -> Option<Record> {
        take_record(self.0.get_mut().unwrap_or_else(PoisonError::into_inner), at)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(usize, Record)>> {
        // Plugin code never runs under this lock, so poison can only come from a bug of ours;
        // the records it guards are still consistent (every write is a single push or removal).
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Takes the record of the slot at `at` out of its group's records.
fn take_record(records: &mut Vec<(usize, Record)>, at: usize) -> Option<Record> {
    let found = records.iter().position(|(other, _)| *other == at)?;
    Some(records.swap_remove(found).1)
}

/// Sets the record of the slot at `at` in its group's records; the one it replaces, if any.
fn replace_record(records: &mut Vec<(usize, Record)>, at: usize, record: Record) -> Option<Record> {
    match record_at(records, at) {
        Some(recorded) => Some(std::mem::replace(recorded, record)),
        None => {
            records.push((at, record));
            None
        }
    }
}

/// The record of the slot at `at`, in its group's records.
fn record_at(records: &mut [(usize, Record)], at: usize) -> Option<&mut Record> {
    records
        .iter_mut()
        .find_map(|(other, record)| (*other == at).then_some(record))
}

impl<T: ?Sized + Plugin> Slot<T> {
    pub(crate) fn new() -> Self {
        Slot {
            loaded: OnceLock::new(),
            run: Run::fresh(),
            records: Records::new(),
        }
    }

    /// A slot that can never load (e.g. a duplicated name).
    pub(crate) fn broken(error: PluginError) -> Self {
        let mut records = Records::new();
        records.broken(0, error);
        Slot {
            loaded: OnceLock::new(),
            run: Run::broken(),
            records,
        }
    }

    /// Whether it holds a loaded plugin.
    pub(crate) fn is_loaded(&self) -> bool {
        self.loaded.get().is_some()
    }

    /// Its loaded plugin, its word and its record: what a manager's group of slots keeps of it.
    pub(crate) fn into_parts(mut self) -> (OnceLock<Loaded<T>>, Run, Option<Record>) {
        let record = self.records.take(0);
        (self.loaded, self.run, record)
    }

    /// A slot of the parts that [`into_parts`](Self::into_parts) took apart.
    pub(crate) fn from_parts(
        loaded: OnceLock<Loaded<T>>,
        run: Run,
        record: Option<Record>,
    ) -> Self {
        let mut records = Records::new();
        if let Some(record) = record {
            records.put(0, record);
        }
        Slot {
            loaded,
            run,
            records,
        }
    }

    #[cfg(test)]
    pub(crate) fn as_ref(&self) -> SlotRef<'_, T> {
        SlotRef::new(&self.loaded, &self.run, &self.records, 0)
    }

    #[cfg(test)]
    pub(crate) fn state(&self) -> PluginState<'_, T> {
        self.as_ref().state()
    }

    /// Returns the loaded plugin, running `lifecycle` first if no thread has run it yet.
    ///
    /// A recorded failure or disabled outcome is returned as an error without running anything,
    /// unless `retry` is set; failures that no rerun can fix (`permanent`) are never rerun.
    /// `key` (namespace, name) names the plugin across managers, for the re-entrance check.
    ///
    /// The manager calls [`SlotRef::get_or_run_here`]; tests, this.
    #[cfg(test)]
    pub(crate) fn get_or_run<'k>(
        &self,
        key: RunKey<'k>,
        retry: bool,
        error: impl Fn(PluginErrorKind) -> PluginError,
        lifecycle: impl FnOnce() -> Outcome<T>,
    ) -> Result<&Loaded<T>, PluginError> {
        let slot = self.as_ref();
        if let Some(loaded) = slot.loaded() {
            return Ok(loaded);
        }
        here(|here| slot.get_or_run_here(here, &Key::Names(key), retry, error, lifecycle))
    }
}

impl<'a, T: ?Sized + Plugin> SlotRef<'a, T> {
    pub(crate) fn new(
        loaded: &'a OnceLock<Loaded<T>>,
        run: &'a Run,
        records: &'a Records,
        at: usize,
    ) -> Self {
        SlotRef {
            loaded,
            run,
            records,
            at,
        }
    }

    fn word(self) -> &'a AtomicU64 {
        &self.run.0
    }

    #[inline]
    pub(crate) fn loaded(self) -> Option<&'a Loaded<T>> {
        self.loaded.get()
    }

    pub(crate) fn state(self) -> PluginState<'a, T> {
        let loaded = || {
            self.loaded().map(|loaded| PluginState::Loaded {
                plugin: &loaded.plugin,
                output: &loaded.output,
            })
        };
        if let Some(state) = loaded() {
            return state;
        }
        match self.word().load(Acquire) {
            FRESH => PluginState::Resolved,
            SETTLED => match record_at(&mut self.records.lock(), self.at) {
                Some(Record::Disabled(reason)) => PluginState::Disabled(reason.clone()),
                Some(Record::Failed(error)) => PluginState::Failed(error.clone()),
                // A retry took the record and runs again, or a load has just finished.
                None => loaded().unwrap_or(PluginState::Loading),
            },
            _ => PluginState::Loading,
        }
    }

    /// [`Slot::get_or_run`] on this thread, as `here` sees it.
    ///
    /// Inlined up to the lifecycle: the common case, a fresh slot claimed at the first try
    /// (every load of a `load_all`, in practice), is a few loads and a compare-and-swap, and
    /// the rest of the machine stays out of the caller's way.
    #[inline]
    pub(crate) fn get_or_run_here(
        self,
        here: Here<'_>,
        key: &Key<'_>,
        retry: bool,
        error: impl Fn(PluginErrorKind) -> PluginError,
        lifecycle: impl FnOnce() -> Outcome<T>,
    ) -> Result<&'a Loaded<T>, PluginError> {
        if let Some(loaded) = self.loaded() {
            return Ok(loaded);
        }
        if self.word().load(Relaxed) == FRESH {
            // Not running it already (through any manager): else the loop below says so.
            if let Some(entered) = here.enter(key) {
                let me = here.me();
                if self.claim(FRESH, me) {
                    return self.run(me, entered, None, error, lifecycle);
                }
            }
        }
        self.get_or_run_contended(here, key, retry, error, lifecycle)
    }

    /// [`get_or_run_here`](Self::get_or_run_here) of a slot that is not fresh, or that another
    /// thread claimed first.
    #[inline(never)]
    fn get_or_run_contended(
        self,
        here: Here<'_>,
        key: &Key<'_>,
        retry: bool,
        error: impl Fn(PluginErrorKind) -> PluginError,
        lifecycle: impl FnOnce() -> Outcome<T>,
    ) -> Result<&'a Loaded<T>, PluginError> {
        let (entered, previous) = loop {
            match self.word().load(Acquire) {
                FRESH => {
                    // Claims the plugin for this thread unless this thread is running it
                    // already, through any manager.
                    let Some(entered) = here.enter(key) else {
                        return Err(error(PluginErrorKind::Reentrant));
                    };
                    if self.claim(FRESH, here.me()) {
                        break (entered, None);
                    }
                }
                SETTLED => {
                    if let Some(loaded) = self.loaded() {
                        return Ok(loaded);
                    }
                    // Claimed under the records' lock, so that the record taken is the one
                    // the claim replaces.
                    let mut records = self.records.lock();
                    match record_at(&mut records, self.at) {
                        Some(Record::Disabled(_)) if retry => {}
                        Some(Record::Disabled(reason)) => {
                            return Err(error(PluginErrorKind::Disabled(reason.clone())))
                        }
                        Some(Record::Failed(failure)) if retry && !permanent(failure) => {}
                        Some(Record::Failed(failure)) => return Err(failure.clone()),
                        // Another retry took it and runs again (or has just loaded it).
                        None => continue,
                    }
                    let Some(entered) = here.enter(key) else {
                        return Err(error(PluginErrorKind::Reentrant));
                    };
                    if self.claim(SETTLED, here.me()) {
                        break (entered, take_record(&mut records, self.at));
                    }
                }
                word => self.wait(here.me(), word, &error)?,
            }
        };
        self.run(here.me(), entered, previous, error, lifecycle)
    }

    /// Runs the lifecycle of the slot that `me` has claimed (and `entered`), replacing the
    /// `previous` outcome of a retry, and settles the slot.
    #[inline]
    fn run(
        self,
        me: ThreadNumber,
        entered: Entered<'_>,
        previous: Option<Record>,
        error: impl Fn(PluginErrorKind) -> PluginError,
        lifecycle: impl FnOnce() -> Outcome<T>,
    ) -> Result<&'a Loaded<T>, PluginError> {
        let guard = RunGuard {
            slot: &self,
            me,
            error: &error,
        };
        // The outcome a retry replaces may hold the last copy of a user's error.
        if let Some(previous) = previous {
            discard(previous);
        }
        let outcome = lifecycle();
        drop(entered);
        std::mem::forget(guard);

        match outcome {
            Outcome::Loaded(loaded) => {
                // Set before the word says so, and outside any lock. Only the thread that
                // claimed the slot sets it, once; were it somehow set already, the plugin is
                // leaked, not dropped: its `Drop` is user code, and would run unguarded.
                let loaded = ManuallyDrop::new(loaded);
                let published = self.loaded.get_or_init(|| ManuallyDrop::into_inner(loaded));
                self.release(me);
                Ok(published)
            }
            Outcome::Disabled(reason) => Err(self.settle_disabled(me, *reason, &error)),
            Outcome::Failed(failure) => Err(self.settle_failed(me, *failure)),
        }
    }

    #[cold]
    fn settle_disabled(
        self,
        me: ThreadNumber,
        reason: DisabledReason,
        error: &impl Fn(PluginErrorKind) -> PluginError,
    ) -> PluginError {
        let disabled = error(PluginErrorKind::Disabled(reason.clone()));
        self.settle(me, Record::Disabled(reason));
        disabled
    }

    #[cold]
    fn settle_failed(self, me: ThreadNumber, failure: PluginError) -> PluginError {
        self.settle(me, Record::Failed(failure.clone()));
        failure
    }

    /// Moves the slot from `from` to running on `me`; false if another thread moved it first.
    fn claim(self, from: u64, me: ThreadNumber) -> bool {
        self.word()
            .compare_exchange(from, running(me), Acquire, Relaxed)
            .is_ok()
    }

    /// Waits for the lifecycle that `word` says runs, unless waiting would close a cycle of
    /// waits. Returns when the word may have changed: the caller reads it again.
    fn wait(
        self,
        me: ThreadNumber,
        word: u64,
        error: &impl Fn(PluginErrorKind) -> PluginError,
    ) -> Result<(), PluginError> {
        let owner = word >> 1;
        let waits = sync::waits();
        let mut edges = waits::lock(waits);
        // Read again under the graph's lock: a waited slot settles under it, so from here on
        // the runner cannot settle without this thread hearing of it.
        let now = self.word().load(Acquire);
        if now >> 1 != owner || now == SETTLED || now == FRESH {
            return Ok(());
        }
        // A thread asking for a slot it runs itself is the shortest cycle, and `begin`
        // reports it as one (its walk starts at the owner, which is `me`).
        if !waits::begin(&mut edges, me, owner, self.id()) {
            return Err(error(PluginErrorKind::Reentrant));
        }
        if now & WAITED == 0
            && self
                .word()
                .compare_exchange(now, now | WAITED, Relaxed, Relaxed)
                .is_err()
        {
            // Settled meanwhile (it needed no lock, nobody waiting yet): the edge goes too.
            edges.remove(&me);
            return Ok(());
        }
        // No `end` after waking: the runner removes this edge when the slot settles, under
        // this lock and before notifying. A spurious wakeup finds the edge still there and
        // `begin` replaces it.
        drop(
            waits
                .woken
                .wait(edges)
                .unwrap_or_else(PoisonError::into_inner),
        );
        Ok(())
    }

    /// Records the outcome of the run of `me`, which did not load, and marks the slot settled,
    /// waking its waiters if it has any.
    fn settle(self, me: ThreadNumber, record: Record) {
        // Nothing to replace in principle (a run starts by taking the record), but what
        // might be there may hold a user's error: dropped outside the lock.
        let mut records = self.records.lock();
        let replaced = replace_record(&mut records, self.at, record);
        drop(records);
        if let Some(replaced) = replaced {
            discard(replaced);
        }
        self.release(me);
    }

    /// Marks the slot that `me` ran settled, its outcome set, waking its waiters if it has any.
    #[inline]
    fn release(self, me: ThreadNumber) {
        if self
            .word()
            .compare_exchange(running(me), SETTLED, Release, Relaxed)
            .is_err()
        {
            self.release_waited();
        }
    }

    /// [`release`](Self::release) of a slot that some thread waits for.
    #[cold]
    fn release_waited(self) {
        // `WAITED`: every waiter holds the graph's lock from reading the word until it
        // sleeps, so settling under it wakes every one of them.
        let waits = sync::waits();
        let mut edges = waits::lock(waits);
        self.word().store(SETTLED, Release);
        waits::settled(&mut edges, self.id());
        drop(edges);
        waits.woken.notify_all();
    }

    /// Identifies the slot in the wait-for graph.
    fn id(self) -> usize {
        std::ptr::from_ref(self.run).cast::<()>() as usize
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
///
/// It borrows the slot rather than copying it: a copy of the four words, just passed in memory,
/// reads them back wider than they were written, which stalls every run.
struct RunGuard<'g, 'a, T: ?Sized + Plugin, E: Fn(PluginErrorKind) -> PluginError> {
    slot: &'g SlotRef<'a, T>,
    me: ThreadNumber,
    error: &'g E,
}

impl<T: ?Sized + Plugin, E: Fn(PluginErrorKind) -> PluginError> Drop for RunGuard<'_, '_, T, E> {
    fn drop(&mut self) {
        let interrupted = (self.error)(PluginErrorKind::Interrupted);
        self.slot.settle(self.me, Record::Failed(interrupted));
    }
}

/// The plugin a manager is asked for, by namespace and name: the same across managers.
pub(crate) type RunKey<'a> = (&'a Cow<'static, str>, &'a Cow<'static, str>);

/// A key of names borrowed for the whole program (a linked spec's): kept as it is.
type StaticKey = (&'static str, &'static str);

/// What a run is keyed by (see [`PluginSpec::run_key`]): a linked spec, whose names are read
/// only when compared, by a run inside it (reading them on every run costs a cache miss on the
/// name); or the names.
#[derive(Clone, Copy)]
pub(crate) enum Key<'a> {
    Linked(&'static LinkedSpec),
    Names(RunKey<'a>),
}

impl Key<'_> {
    fn names(&self) -> (&str, &str) {
        match *self {
            Key::Linked(spec) => (spec.namespace(), spec.name()),
            Key::Names((namespace, name)) => (namespace, name),
        }
    }
}

use running::Entered;
pub(crate) use running::{here, Here};

/// The plugins whose lifecycle this thread is running, innermost last, whatever their manager.
mod running {
    use std::cell::{Cell, RefCell};
    use std::sync::atomic::AtomicU64;

    use super::*;

    /// What a run inside another (or of names that must be copied) records of itself.
    struct Frame {
        /// The depth of the run.
        depth: usize,
        /// The innermost run, which it moved here.
        spilled: Option<Innermost>,
        /// Its own names, when they are not static (then they are copied).
        named: Option<(Cow<'static, str>, Cow<'static, str>)>,
    }

    /// A run that needs nothing copied: of a spec or of names that live as long as the
    /// program.
    #[derive(Clone, Copy)]
    enum Innermost {
        Linked(&'static LinkedSpec),
        Names(StaticKey),
    }

    impl Innermost {
        /// The key, when it needs nothing copied.
        #[inline]
        fn of(key: &Key<'_>) -> Option<Self> {
            match *key {
                Key::Linked(spec) => Some(Innermost::Linked(spec)),
                Key::Names((Cow::Borrowed(namespace), Cow::Borrowed(name))) => {
                    Some(Innermost::Names((namespace, name)))
                }
                Key::Names(_) => None,
            }
        }

        fn names(self) -> (&'static str, &'static str) {
            match self {
                Innermost::Linked(spec) => (spec.namespace(), spec.name()),
                Innermost::Names(names) => names,
            }
        }
    }

    /// Whether `key` names the plugin `(namespace, name)`.
    fn is(key: Key<'_>, (other_namespace, other_name): (&str, &str)) -> bool {
        let (namespace, name) = key.names();
        name == other_name && namespace == other_namespace
    }

    /// This thread's number (0 until first needed) and the plugins it is running.
    ///
    /// The innermost run, when its names are static (as in any `load_all` of the registry's
    /// plugins), stays in a `Cell`: entering and leaving it is then a few plain loads and
    /// stores. A run inside another pushes a [`Frame`], which takes the innermost along.
    pub(crate) struct Running {
        me: Cell<ThreadNumber>,
        /// How many runs this thread is in.
        depth: Cell<usize>,
        innermost: Cell<Option<Innermost>>,
        /// How many frames `frames` has: read on every exit, without borrowing them.
        framed: Cell<usize>,
        frames: RefCell<Vec<Frame>>,
    }

    sync::thread_local! {
        static RUNNING: Running = const {
            Running {
                me: Cell::new(0),
                depth: Cell::new(0),
                innermost: Cell::new(None),
                framed: Cell::new(0),
                frames: RefCell::new(Vec::new()),
            }
        };
    }

    /// This thread, as the runs it makes see it.
    #[derive(Clone, Copy)]
    pub(crate) struct Here<'a>(&'a Running);

    /// Calls `f` with this thread: one thread-local access for any number of runs, which a
    /// `load_all` of many cheap plugins feels.
    #[inline]
    pub(crate) fn here<R>(f: impl FnOnce(Here<'_>) -> R) -> R {
        RUNNING.with(|running| f(Here(running)))
    }

    // Inlined, as is `Entered`'s drop, and the guard is one pointer: a guard moved through
    // memory across calls costs store-to-load stalls that outweigh everything else here.
    impl<'a> Here<'a> {
        /// This thread's number.
        #[inline]
        pub(super) fn me(self) -> ThreadNumber {
            match self.0.me.get() {
                0 => self.number(),
                me => me,
            }
        }

        #[cold]
        fn number(self) -> ThreadNumber {
            // Not one of shuttle's atomics in the model: numbering needs no scheduling.
            static NEXT: AtomicU64 = AtomicU64::new(1);
            let me = NEXT.fetch_add(1, Relaxed);
            self.0.me.set(me);
            me
        }

        /// Records `key` as running until the returned guard drops (also when the lifecycle
        /// unwinds); `None` when this thread is running `key` already.
        #[inline]
        pub(super) fn enter(self, key: &Key<'_>) -> Option<Entered<'a>> {
            let running = self.0;
            let depth = running.depth.get();
            match Innermost::of(key) {
                Some(innermost) if depth == 0 => running.innermost.set(Some(innermost)),
                _ => self.enter_framed(*key, depth)?,
            }
            running.depth.set(depth + 1);
            Some(Entered { running })
        }

        /// [`enter`](Self::enter) inside another run, or of names that must be copied: checks
        /// the running plugins, and pushes a frame.
        #[cold]
        fn enter_framed(self, key: Key<'_>, depth: usize) -> Option<()> {
            let running = self.0;
            let mut frames = running.frames.borrow_mut();
            let innermost = running.innermost.get();
            let runs = |frame: &Frame| {
                frame
                    .spilled
                    .is_some_and(|spilled| is(key, spilled.names()))
                    || frame
                        .named
                        .as_ref()
                        .is_some_and(|(namespace, name)| is(key, (namespace, name)))
            };
            if innermost.is_some_and(|innermost| is(key, innermost.names()))
                || frames.iter().any(runs)
            {
                return None;
            }
            let named = match (Innermost::of(&key), key) {
                (Some(innermost), _) => {
                    running.innermost.set(Some(innermost));
                    None
                }
                (None, Key::Names((namespace, name))) => {
                    running.innermost.set(None);
                    Some((namespace.clone(), name.clone()))
                }
                (None, Key::Linked(_)) => None,
            };
            frames.push(Frame {
                depth,
                spilled: innermost,
                named,
            });
            running.framed.set(frames.len());
            Some(())
        }
    }

    pub(super) struct Entered<'a> {
        running: &'a Running,
    }

    impl Drop for Entered<'_> {
        #[inline]
        fn drop(&mut self) {
            let running = self.running;
            let depth = running.depth.get() - 1;
            running.depth.set(depth);
            if running.framed.get() > 0 {
                self.leave_framed(depth);
            } else {
                running.innermost.set(None);
            }
        }
    }

    impl Entered<'_> {
        #[cold]
        fn leave_framed(&self, depth: usize) {
            let running = self.running;
            let mut frames = running.frames.borrow_mut();
            // The names are plux's own `Cow`s: dropping them runs no user code.
            let restored = if frames.last().is_some_and(|frame| frame.depth == depth) {
                frames.pop().and_then(|frame| frame.spilled)
            } else {
                None
            };
            running.innermost.set(restored);
            running.framed.set(frames.len());
        }
    }
}

/// Which thread waits for which: the edges of the wait-for graph, across every manager, and the
/// condition variable that every waiter sleeps on.
///
/// An edge lives from the moment a thread decides to wait until the slot it waits for settles
/// (not until the waiter wakes up, which may be later: the owner may ask for something of the
/// waiter's in between, and must not see a cycle that no longer exists). Every insertion checks
/// for a cycle, so the graph never has one.
///
/// One condition variable for the process, not one per slot: waiting is rare (two threads
/// asking for one plugin at once), and a slot without one is smaller, which every warm lookup
/// and every `load_all` feels. A settling slot wakes every waiter; the others go back to sleep.
#[derive(Default)]
pub(crate) struct Waits {
    edges: Mutex<HashMap<ThreadNumber, Edge>>,
    woken: Condvar,
}

/// What a waiting thread waits on.
struct Edge {
    /// The thread running the slot.
    owner: ThreadNumber,
    /// The slot (see `Slot::id`).
    slot: usize,
    /// The waiting thread as the standard library knows it: how tests find it.
    #[cfg_attr(not(test), allow(dead_code))]
    thread: ThreadId,
}

mod waits {
    use super::*;

    pub(super) type Edges<'a> = MutexGuard<'a, HashMap<ThreadNumber, Edge>>;

    pub(super) fn lock(waits: &Waits) -> Edges<'_> {
        // Only plux code runs under this lock.
        waits.edges.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that `me` waits on `slot`, run by `owner`, unless that closes a cycle (then
    /// returns false).
    pub(super) fn begin(
        edges: &mut Edges<'_>,
        me: ThreadNumber,
        owner: ThreadNumber,
        slot: usize,
    ) -> bool {
        let mut next = owner;
        loop {
            if next == me {
                return false;
            }
            match edges.get(&next) {
                Some(edge) => next = edge.owner,
                None => break,
            }
        }
        let thread = sync::current_thread();
        edges.insert(
            me,
            Edge {
                owner,
                slot,
                thread,
            },
        );
        true
    }

    /// `slot` has its final outcome: whoever waits on it waits no more.
    pub(super) fn settled(edges: &mut Edges<'_>, slot: usize) {
        edges.retain(|_, edge| edge.slot != slot);
    }
}

/// Whether `thread` is in the wait-for graph, and waiting on which slot (see `Slot::id`).
#[cfg(test)]
pub(crate) fn waits_on(thread: ThreadId) -> Option<usize> {
    waits::lock(sync::waits())
        .values()
        .find(|edge| edge.thread == thread)
        .map(|edge| edge.slot)
}

#[cfg(test)]
impl<T: ?Sized + Plugin> Slot<T> {
    pub(crate) fn test_id(&self) -> usize {
        self.as_ref().id()
    }
}
