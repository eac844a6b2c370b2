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
use std::convert::Infallible;
use std::mem::ManuallyDrop;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use super::sync::{self, AtomicU64, Condvar, Mutex, MutexGuard, PoisonError, ThreadId};
use crate::contain::discard;
use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::plugin::Plugin;
use crate::process::PerProcess;
use crate::spec::linked::LinkedSpec;
use crate::spec::Key;
#[cfg(test)]
use crate::spec::RunKey;

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
pub(crate) type ThreadNumber = u64;

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
        here(|here| slot.get_or_run_here(here, &Key::Names(key), retry, &error, lifecycle))
            .unwrap_or_else(|Exiting| Err(error(PluginErrorKind::ThreadExiting)))
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

    /// Whether some thread or task runs its lifecycle right now.
    pub(crate) fn is_running(self) -> bool {
        !matches!(self.word().load(Acquire), FRESH | SETTLED)
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
        match self.claim_blocking(here, key, retry, &error)? {
            Claim::Loaded(loaded) => Ok(loaded),
            Claim::Mine(entered, previous) => {
                self.run(here.me(), entered, previous, error, lifecycle)
            }
        }
    }

    /// Claims the slot for this thread, waiting while another runs it; or its outcome.
    fn claim_blocking<'h>(
        self,
        here: Here<'h>,
        key: &Key<'_>,
        retry: bool,
        error: &impl Fn(PluginErrorKind) -> PluginError,
    ) -> Result<Claim<'a, 'h, T>, PluginError> {
        let wait = |word| {
            self.wait(here.me(), word, error)?;
            Ok(ControlFlow::<Infallible>::Continue(()))
        };
        match self.claim_contended(here, key, retry, error, wait)? {
            Ok(claim) => Ok(claim),
            Err(never) => match never {},
        }
    }

    /// Claims the slot for this thread (or the task it polls: see [`Here::as_task`]); or its
    /// outcome. While another runs it, `wait` waits: it returns `Continue` to read the slot
    /// again, or `Break(pending)` to give up for now (a task to be woken).
    fn claim_contended<'h, P>(
        self,
        here: Here<'h>,
        key: &Key<'_>,
        retry: bool,
        error: &impl Fn(PluginErrorKind) -> PluginError,
        mut wait: impl FnMut(u64) -> Result<ControlFlow<P>, PluginError>,
    ) -> Result<Result<Claim<'a, 'h, T>, P>, PluginError> {
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
                        return Ok(Ok(Claim::Loaded(loaded)));
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
                word => {
                    if let ControlFlow::Break(pending) = wait(word)? {
                        return Ok(Err(pending));
                    }
                }
            }
        };
        Ok(Ok(Claim::Mine(entered, previous)))
    }

    /// Claims the slot for this thread, to run its lifecycle step by step (see [`Held`]); or
    /// its outcome, when it has one (loaded, or recorded) or when claiming it would be
    /// re-entrant. Waits while another thread runs it.
    pub(crate) fn hold<'h>(
        self,
        here: Here<'h>,
        key: Key<'a>,
    ) -> Result<Holding<'a, 'h, T>, PluginError> {
        let error = |kind| held_error(&key, kind);
        match self.claim_blocking(here, &key, false, &error)? {
            Claim::Loaded(_) => Ok(Holding::Loaded),
            Claim::Mine(entered, previous) => {
                let held = Held {
                    entered,
                    claimed: Claimed {
                        slot: self,
                        me: here.me(),
                        key,
                        abandoned: Abandoned::Interrupted,
                    },
                };
                // The outcome it replaces may hold the last copy of a user's error.
                if let Some(previous) = previous {
                    discard(previous);
                }
                Ok(Holding::Held(held))
            }
        }
    }

    /// Claims the slot for the task that `here` polls (see [`Here::as_task`]), to run its
    /// lifecycle as futures do: step by step, across polls; or its outcome, when it has one or
    /// when claiming it would be re-entrant. While another thread or task runs it, registers
    /// `cx`'s waker (in `ticket`, which takes it out again if dropped) and is pending.
    pub(crate) fn poll_claim(
        self,
        key: Key<'a>,
        retry: bool,
        ticket: &mut Ticket,
        cx: &Context<'_>,
    ) -> Poll<Result<AsyncClaim<'a, T>, PluginError>> {
        let error = |kind| held_error(&key, kind);
        let claimed = here(|here| {
            let wait = |word| self.wait_async(here.me(), word, ticket, cx.waker(), &error);
            let claim = match self.claim_contended(here, &key, retry, &error, wait) {
                Ok(Ok(claim)) => claim,
                Ok(Err(Pending)) => return Poll::Pending,
                Err(error) => return Poll::Ready(Err(error)),
            };
            Poll::Ready(Ok(match claim {
                Claim::Loaded(loaded) => AsyncClaim::Loaded(loaded),
                // Entered for the check only: the task enters it again around each poll.
                Claim::Mine(_entered, previous) => {
                    if let Some(previous) = previous {
                        discard(previous);
                    }
                    AsyncClaim::Mine(Claimed {
                        slot: self,
                        me: here.me(),
                        key,
                        abandoned: Abandoned::Cancelled,
                    })
                }
            }))
        });
        claimed.unwrap_or_else(|Exiting| Poll::Ready(Err(error(PluginErrorKind::ThreadExiting))))
    }

    /// Publishes the outcome of the run of `me`, and settles the slot.
    #[inline]
    fn conclude(
        self,
        me: ThreadNumber,
        outcome: Outcome<T>,
        error: &impl Fn(PluginErrorKind) -> PluginError,
    ) -> Result<&'a Loaded<T>, PluginError> {
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
            Outcome::Disabled(reason) => Err(self.settle_disabled(me, *reason, error)),
            Outcome::Failed(failure) => Err(self.settle_failed(me, *failure)),
        }
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
        self.conclude(me, outcome, &error)
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
        let waits = waits();
        let mut edges = waits::lock(waits);
        // Read again under the graph's lock: a waited slot settles under it, so from here on
        // the runner cannot settle without this thread hearing of it.
        let now = self.word().load(Acquire);
        if now >> 1 != owner || now == SETTLED || now == FRESH {
            return Ok(());
        }
        // A thread asking for a slot it runs itself is the shortest cycle, and `begin`
        // reports it as one (its walk starts at the owner, which is `me`).
        if waits::begin(&mut edges, me, owner, self.id(), BLOCKING, None).is_err() {
            return Err(error(PluginErrorKind::Reentrant));
        }
        if !self.mark_waited(now) {
            // Settled meanwhile (it needed no lock, nobody waiting yet): the edge goes too.
            waits::end(&mut edges, me, BLOCKING);
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

    /// Sets [`WAITED`] in the word `now`, read under the graph's lock; false if the slot settled
    /// meanwhile (it needed no lock, nobody waiting yet).
    fn mark_waited(self, now: u64) -> bool {
        now & WAITED != 0
            || self
                .word()
                .compare_exchange(now, now | WAITED, Relaxed, Relaxed)
                .is_ok()
    }

    /// [`wait`](Self::wait) for a task: registers `waker` to be woken when the slot that `word`
    /// says runs settles, and breaks (pending); continues when the word changed meanwhile.
    fn wait_async(
        self,
        me: ThreadNumber,
        word: u64,
        ticket: &mut Ticket,
        waker: &Waker,
        error: &impl Fn(PluginErrorKind) -> PluginError,
    ) -> Result<ControlFlow<Pending>, PluginError> {
        let owner = word >> 1;
        // Cloned, and any waker it replaces dropped, outside the lock: they are the executor's
        // code.
        let waker = waker.clone();
        let waits = waits();
        let mut edges = waits::lock(waits);
        let now = self.word().load(Acquire);
        if now >> 1 != owner || now == SETTLED || now == FRESH {
            drop(edges);
            return Ok(ControlFlow::Continue(()));
        }
        let id = ticket.id();
        let replaced = match waits::begin(&mut edges, me, owner, self.id(), id, Some(waker)) {
            Ok(replaced) => replaced,
            Err(unused) => {
                drop(edges);
                drop(unused);
                return Err(error(PluginErrorKind::Reentrant));
            }
        };
        let waiting = self.mark_waited(now);
        let unused = if waiting {
            ticket.waiter = Some(me);
            None
        } else {
            waits::end(&mut edges, me, id)
        };
        drop(edges);
        drop((replaced, unused));
        Ok(if waiting {
            ControlFlow::Break(Pending)
        } else {
            ControlFlow::Continue(())
        })
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
        let waits = waits();
        let mut edges = waits::lock(waits);
        self.word().store(SETTLED, Release);
        let tasks = waits::settled(&mut edges, self.id());
        drop(edges);
        waits.woken.notify_all();
        wake(tasks);
    }

    /// Identifies the slot in the wait-for graph.
    fn id(self) -> usize {
        std::ptr::from_ref(self.run).cast::<()>() as usize
    }
}

/// What [`SlotRef::claim_contended`] got: the loaded plugin, or the slot for this thread, with
/// the outcome its run replaces.
enum Claim<'a, 'h, T: ?Sized + Plugin> {
    Loaded(&'a Loaded<T>),
    Mine(Entered<'h>, Option<Record>),
}

/// What [`SlotRef::hold`] got.
pub(crate) enum Holding<'a, 'h, T: ?Sized + Plugin> {
    /// Loaded already (by this run or another).
    Loaded,
    /// Claimed by this thread: its lifecycle is the caller's to run.
    Held(Held<'a, 'h, T>),
}

/// A slot claimed, whose lifecycle its claimant runs step by step: dropped unfinished, it
/// settles the slot failed, as [`Abandoned`] says, so that nobody waits for it forever.
pub(crate) struct Claimed<'a, T: ?Sized + Plugin> {
    slot: SlotRef<'a, T>,
    me: ThreadNumber,
    key: Key<'a>,
    abandoned: Abandoned,
}

/// How a [`Claimed`] slot dropped unfinished fails.
#[derive(Clone, Copy)]
enum Abandoned {
    /// The thread unwound ([`Interrupted`](PluginErrorKind::Interrupted)).
    Interrupted,
    /// The task's future was dropped ([`Cancelled`](PluginErrorKind::Cancelled)).
    Cancelled,
}

impl<'a, T: ?Sized + Plugin> Claimed<'a, T> {
    /// Settles the slot with the outcome of its lifecycle, which ran.
    pub(crate) fn finish(self, outcome: Outcome<T>) -> Result<&'a Loaded<T>, PluginError> {
        let (slot, me, key) = (self.slot, self.me, self.key);
        std::mem::forget(self);
        slot.conclude(me, outcome, &|kind| held_error(&key, kind))
    }
}

impl<T: ?Sized + Plugin> Drop for Claimed<'_, T> {
    fn drop(&mut self) {
        let kind = match self.abandoned {
            Abandoned::Interrupted => PluginErrorKind::Interrupted,
            Abandoned::Cancelled => PluginErrorKind::Cancelled,
        };
        self.slot
            .settle(self.me, Record::Failed(held_error(&self.key, kind)));
    }
}

/// What [`SlotRef::poll_claim`] got.
pub(crate) enum AsyncClaim<'a, T: ?Sized + Plugin> {
    /// Loaded already (by this run or another).
    Loaded(&'a Loaded<T>),
    /// Claimed by the task: its lifecycle is the caller's to run.
    Mine(Claimed<'a, T>),
}

/// A task's claim on a slot that another runs: it waits to be woken, not on a thread.
#[derive(Clone, Copy)]
struct Pending;

/// A task's registration in the wait-for graph: dropped (the task's future with it), it takes
/// its edge and waker out, so that a cancelled wait leaves nothing behind.
#[derive(Default)]
pub(crate) struct Ticket {
    /// Its number among the waits of the task (0 until it first waits).
    id: u64,
    /// The task it waited as, if it ever registered.
    waiter: Option<ThreadNumber>,
}

impl Ticket {
    fn id(&mut self) -> u64 {
        if self.id == BLOCKING {
            self.id = running::task_number();
        }
        self.id
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter {
            let waker = waits::end(&mut waits::lock(waits()), waiter, self.id);
            drop(waker);
        }
    }
}

/// Wakes the tasks that waited on a slot that settled, each inside a panic guard: a waker is
/// the executor's code.
fn wake(tasks: Vec<Waker>) {
    for task in tasks {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| task.wake())) {
            discard(panic);
        }
    }
}

/// A slot this thread claimed and runs the lifecycle of step by step, holding it meanwhile as
/// [`SlotRef::get_or_run_here`] does for a lifecycle in one piece: the manager's walk of
/// requirements holds a chain of them at once instead of recursing. Dropped unfinished (an
/// unwind), it settles the slot [`Interrupted`](PluginErrorKind::Interrupted).
pub(crate) struct Held<'a, 'h, T: ?Sized + Plugin> {
    // Dropped first: the run leaves this thread's record before the slot settles.
    entered: Entered<'h>,
    claimed: Claimed<'a, T>,
}

impl<'a, T: ?Sized + Plugin> Held<'a, '_, T> {
    /// Settles the slot with the outcome of its lifecycle, which ran.
    pub(crate) fn finish(self, outcome: Outcome<T>) -> Result<&'a Loaded<T>, PluginError> {
        let Held { entered, claimed } = self;
        drop(entered);
        claimed.finish(outcome)
    }
}

/// An error about the plugin that `key` names.
fn held_error(key: &Key<'_>, kind: PluginErrorKind) -> PluginError {
    let (namespace, name) = key.names();
    PluginError::new(namespace, name, kind)
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

/// A key of names borrowed for the whole program (a linked spec's): kept as it is.
type StaticKey = (&'static str, &'static str);

/// What every copy of plux-core in a process shares, so that the process has one plux: the
/// wait-for graph (and the condition variable its waiters sleep on), thread identity, and the
/// plugins each thread is running.
///
/// A plugin library links its own copy of plux-core, with statics and thread-locals of its own.
/// Once the program opens the library, the library's copy joins the program's ([`SHARED`]): from
/// then on a manager behaves the same whichever copy's code drives it (a library plugin calling
/// the program's manager waits in the program's graph and is woken by the program's runner).
pub(crate) struct Shared {
    waits: fn() -> &'static Waits,
    current_thread: fn() -> ThreadId,
    here: fn(&mut InHere<'_>) -> Result<(), Exiting>,
    number: fn() -> ThreadNumber,
}

/// What [`Shared`]'s `here` runs on the thread's record.
type InHere<'f> = dyn FnMut(Here<'_>) + 'f;

/// The process's (see [`PerProcess`]). Never joined in the model's copy of this file.
pub(crate) static SHARED: PerProcess<Shared> = PerProcess::new(Shared {
    waits: sync::waits,
    current_thread: sync::current_thread,
    here: running::here_dyn,
    number: running::own_number,
});

/// Whether this copy of plux-core is a plugin library's that joined the program's: then the
/// plugins it handles may be made by another copy's code.
pub(crate) fn is_joined() -> bool {
    SHARED.is_joined()
}

/// The process's wait-for graph.
fn waits() -> &'static Waits {
    (SHARED.get().waits)()
}

/// This thread, as the process's plux knows it (std's `ThreadId` is per copy of std).
pub(crate) fn current_thread() -> ThreadId {
    (SHARED.get().current_thread)()
}

use running::Entered;
pub(crate) use running::{entered, here, task_number, Behalf, Exiting, Here};

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
        /// How many names of `frames` have each hash ([`hash`]): a run checks them before
        /// scanning the frames, so that entering a run inside a chain of thousands (a walk of
        /// requirements holds one per link) costs the same as inside a few.
        hashes: RefCell<Option<HashMap<u64, usize>>>,
    }

    /// A hash of the names `(namespace, name)` (FNV-1a): cheap, and the same for a static and
    /// a copied pair of names.
    fn hash((namespace, name): (&str, &str)) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in namespace.bytes().chain([0xff]).chain(name.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }

    impl Frame {
        /// The hashes of the names it holds.
        fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
            let spilled = self.spilled.map(|spilled| hash(spilled.names()));
            let named = self
                .named
                .as_ref()
                .map(|(namespace, name)| hash((namespace, name)));
            spilled.into_iter().chain(named)
        }
    }

    sync::thread_local! {
        static RUNNING: Running = const {
            Running {
                me: Cell::new(0),
                depth: Cell::new(0),
                innermost: Cell::new(None),
                framed: Cell::new(0),
                frames: RefCell::new(Vec::new()),
                hashes: RefCell::new(None),
            }
        };
    }

    /// This thread, as the runs it makes see it.
    #[derive(Clone, Copy)]
    pub(crate) struct Here<'a>(&'a Running);

    /// Calls `f` with this thread: one thread-local access for any number of runs, which a
    /// `load_all` of many cheap plugins feels.
    ///
    /// [`Exiting`] from a thread-local's destructor that runs after plux's own was destroyed:
    /// without it, no run can be checked for re-entrance.
    #[inline]
    pub(crate) fn here<R>(f: impl FnOnce(Here<'_>) -> R) -> Result<R, Exiting> {
        if super::SHARED.is_joined() {
            return here_of(super::SHARED.get(), f);
        }
        RUNNING
            .try_with(|running| f(Here(running)))
            .map_err(|_| Exiting)
    }

    /// [`here`] in a plugin library's copy that joined the program's: the program's thread,
    /// reached through the program's code.
    #[cold]
    fn here_of<R>(host: &'static Shared, f: impl FnOnce(Here<'_>) -> R) -> Result<R, Exiting> {
        let mut f = Some(f);
        let mut out = None;
        (host.here)(&mut |here| out = f.take().map(|f| f(here)))?;
        match out {
            Some(out) => Ok(out),
            None => unreachable!("`here_dyn` calls its closure exactly once"),
        }
    }

    /// [`here`] for another copy of plux-core (see [`Shared`]).
    pub(super) fn here_dyn(f: &mut InHere<'_>) -> Result<(), Exiting> {
        RUNNING
            .try_with(|running| f(Here(running)))
            .map_err(|_| Exiting)
    }

    /// This thread is exiting, and what plux keeps per thread is gone.
    #[derive(Debug)]
    pub(crate) struct Exiting;

    // Inlined, as is `Entered`'s drop, and the guard is one pointer: a guard moved through
    // memory across calls costs store-to-load stalls that outweigh everything else here.
    impl<'a> Here<'a> {
        /// This thread's number.
        #[inline]
        pub(crate) fn me(self) -> ThreadNumber {
            match self.0.me.get() {
                0 => self.number(),
                me => me,
            }
        }

        #[cold]
        fn number(self) -> ThreadNumber {
            let me = fresh_number();
            self.0.me.set(me);
            me
        }

        /// What the workers of a parallel start that this thread makes take over from it.
        pub(crate) fn behalf(self) -> Behalf {
            let running = self.0;
            let frames = running.frames.borrow();
            let statics = |names: (&'static str, &'static str)| {
                (Cow::Borrowed(names.0), Cow::Borrowed(names.1))
            };
            let keys = frames
                .iter()
                .flat_map(|frame| {
                    let spilled = frame.spilled.map(|spilled| statics(spilled.names()));
                    spilled.into_iter().chain(frame.named.clone())
                })
                .chain(running.innermost.get().map(|inner| statics(inner.names())))
                .collect();
            Behalf {
                principal: self.me(),
                keys,
            }
        }

        /// Runs `f` as a worker of the parallel start that `behalf` describes, until it
        /// returns or unwinds: in the wait-for graph, its principal waits for it; and it is
        /// running what its principal runs, so that asking for any of those is
        /// [`Reentrant`](PluginErrorKind::Reentrant) here as it is there.
        ///
        /// The principal's own share runs under a number of its own: the slots it claims there
        /// settle without waiting for the other workers, unlike those it held before the start.
        pub(crate) fn act_for<R>(self, behalf: &Behalf, f: impl FnOnce(Here<'_>) -> R) -> R {
            let running = self.0;
            let own = self.me();
            let principal = behalf.principal;
            let worker = if own == principal {
                let worker = fresh_number();
                running.me.set(worker);
                worker
            } else {
                own
            };
            waits::hired(waits(), principal, worker);
            let mut acting = Acting {
                running,
                own,
                principal,
                worker,
                entered: Vec::new(),
            };
            if own != principal {
                for (namespace, name) in &behalf.keys {
                    acting
                        .entered
                        .extend(self.enter(&Key::Names((namespace, name))));
                }
            }
            let result = f(self);
            drop(acting);
            result
        }
    }

    /// A thread number never used before.
    fn fresh_number() -> ThreadNumber {
        (super::SHARED.get().number)()
    }

    /// A number for a task that runs lifecycles (see [`Here::as_task`]), never used before.
    pub(crate) fn task_number() -> ThreadNumber {
        fresh_number()
    }

    impl Here<'_> {
        /// Runs `f` (one poll of a task's future) as the task `number`: the slots it claims are
        /// the task's, and its waits are the task's in the wait-for graph, whichever thread
        /// polls it. The plugins this thread runs stay entered, so that the task, polled inside
        /// a lifecycle, asks for those as re-entrant.
        pub(crate) fn as_task<R>(self, number: ThreadNumber, f: impl FnOnce(Here<'_>) -> R) -> R {
            struct Restore<'r>(&'r Running, ThreadNumber);
            impl Drop for Restore<'_> {
                fn drop(&mut self) {
                    self.0.me.set(self.1);
                }
            }
            let running = self.0;
            let _restore = Restore(running, running.me.replace(number));
            f(self)
        }

        /// Whether this thread (or the task it polls) is inside a lifecycle.
        pub(crate) fn in_run(self) -> bool {
            self.0.depth.get() > 0
        }
    }

    /// Runs `f` with `key` entered on this thread (see [`Here::enter`]): a step of the
    /// lifecycle that a task runs, which asks for `key` as re-entrant.
    pub(crate) fn entered<R>(key: &Key<'_>, f: impl FnOnce() -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        let _exiting = here(|here| {
            let entered = here.enter(key);
            out = f.take().map(|f| f());
            drop(entered);
        });
        match (out, f) {
            (Some(out), _) => out,
            // On an exiting thread: the step runs all the same (nothing can ask for it there).
            (None, Some(f)) => f(),
            (None, None) => unreachable!("`f` runs once, and returns"),
        }
    }

    /// [`fresh_number`] from this copy's counter.
    pub(super) fn own_number() -> ThreadNumber {
        // Not one of shuttle's atomics in the model: numbering needs no scheduling.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Relaxed)
    }

    /// What the workers of a parallel start take over from the thread that starts it (see
    /// [`Here::act_for`]).
    pub(crate) struct Behalf {
        principal: ThreadNumber,
        /// The plugins it runs, outermost first.
        keys: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    }

    /// A worker at work: when it stops (or unwinds), it leaves what it took over, innermost
    /// first, gets its own number back and leaves the graph.
    struct Acting<'a> {
        running: &'a Running,
        own: ThreadNumber,
        principal: ThreadNumber,
        worker: ThreadNumber,
        entered: Vec<Entered<'a>>,
    }

    impl Drop for Acting<'_> {
        fn drop(&mut self) {
            while let Some(entered) = self.entered.pop() {
                drop(entered);
            }
            self.running.me.set(self.own);
            waits::dismissed(waits(), self.principal, self.worker);
        }
    }

    impl<'a> Here<'a> {
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
            let mut hashes = running.hashes.borrow_mut();
            let hashes = hashes.get_or_insert_with(HashMap::new);
            if innermost.is_some_and(|innermost| is(key, innermost.names()))
                || (hashes.contains_key(&hash(key.names())) && frames.iter().any(runs))
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
            let frame = Frame {
                depth,
                spilled: innermost,
                named,
            };
            for hash in frame.hashes() {
                *hashes.entry(hash).or_default() += 1;
            }
            frames.push(frame);
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
            let left = match frames.last() {
                Some(frame) if frame.depth == depth => frames.pop(),
                _ => None,
            };
            let restored = match left {
                Some(frame) => {
                    if let Some(hashes) = running.hashes.borrow_mut().as_mut() {
                        for hash in frame.hashes() {
                            if let Some(count) = hashes.get_mut(&hash) {
                                *count -= 1;
                                if *count == 0 {
                                    hashes.remove(&hash);
                                }
                            }
                        }
                    }
                    frame.spilled
                }
                None => None,
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
/// A thread in a parallel start waits for the start's workers, which act on its behalf (see
/// [`Here::act_for`]): those waits are in the graph too, as the workers of their principal, so
/// that a worker waiting on a slot its principal holds is a cycle, not a deadlock.
///
/// One condition variable for the process, not one per slot: waiting is rare (two threads
/// asking for one plugin at once), and a slot without one is smaller, which every warm lookup
/// and every `load_all` feels. A settling slot wakes every waiter; the others go back to sleep.
#[derive(Default)]
pub(crate) struct Waits {
    graph: Mutex<Graph>,
    woken: Condvar,
}

#[derive(Default)]
struct Graph {
    /// What each waiting thread or task waits on: a thread, on one slot; a task, on one per
    /// future of it that waits (`join!`).
    edges: HashMap<ThreadNumber, Vec<Edge>>,
    /// The workers of each thread in a parallel start: it waits for every one of them.
    workers: HashMap<ThreadNumber, Vec<ThreadNumber>>,
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
    /// Which wait of the waiter: [`BLOCKING`] for a thread's, a [`Ticket`]'s for a task's.
    ticket: u64,
    /// What wakes a waiting task (a thread sleeps on the graph's condition variable).
    waker: Option<Waker>,
}

/// The [`Edge::ticket`] of a thread that waits, blocked.
const BLOCKING: u64 = 0;

mod waits {
    use super::*;

    pub(super) type Edges<'a> = MutexGuard<'a, Graph>;

    pub(super) fn lock(waits: &Waits) -> Edges<'_> {
        // Only plux code runs under this lock.
        waits.graph.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that `me` waits on `slot`, run by `owner` (its wait `ticket`, woken by `waker`
    /// if it is a task's), unless that closes a cycle. Returns the waker of the same wait that
    /// it replaces, or, on a cycle, `waker` unused: to be dropped outside the lock.
    pub(super) fn begin(
        graph: &mut Edges<'_>,
        me: ThreadNumber,
        owner: ThreadNumber,
        slot: usize,
        ticket: u64,
        waker: Option<Waker>,
    ) -> Result<Option<Waker>, Option<Waker>> {
        if reaches(graph, owner, me) {
            return Err(waker);
        }
        let replaced = end(graph, me, ticket);
        let thread = current_thread();
        graph.edges.entry(me).or_default().push(Edge {
            owner,
            slot,
            thread,
            ticket,
            waker,
        });
        Ok(replaced)
    }

    /// `me`'s wait `ticket` is over; its waker, if it has one, to be dropped outside the lock.
    pub(super) fn end(graph: &mut Edges<'_>, me: ThreadNumber, ticket: u64) -> Option<Waker> {
        let edges = graph.edges.get_mut(&me)?;
        let at = edges.iter().position(|edge| edge.ticket == ticket)?;
        let edge = edges.swap_remove(at);
        if edges.is_empty() {
            graph.edges.remove(&me);
        }
        edge.waker
    }

    /// Whether `from` waits, through any chain of waits, on `to` (or is `to`).
    ///
    /// The graph has no cycle, so the walk ends; without parallel starts it is a single path.
    fn reaches(graph: &Graph, from: ThreadNumber, to: ThreadNumber) -> bool {
        let mut next = vec![from];
        while let Some(thread) = next.pop() {
            if thread == to {
                return true;
            }
            if let Some(edges) = graph.edges.get(&thread) {
                next.extend(edges.iter().map(|edge| edge.owner));
            }
            if let Some(workers) = graph.workers.get(&thread) {
                next.extend(workers);
            }
        }
        false
    }

    /// `slot` has its final outcome: whoever waits on it waits no more. Returns the tasks to
    /// wake, outside the lock.
    pub(super) fn settled(graph: &mut Edges<'_>, slot: usize) -> Vec<Waker> {
        let mut tasks = Vec::new();
        graph.edges.retain(|_, edges| {
            edges.retain_mut(|edge| {
                if edge.slot != slot {
                    return true;
                }
                tasks.extend(edge.waker.take());
                false
            });
            !edges.is_empty()
        });
        tasks
    }

    /// `principal` waits for `worker` until [`dismissed`] (a worker waits on nothing yet, so
    /// this closes no cycle).
    pub(super) fn hired(waits: &Waits, principal: ThreadNumber, worker: ThreadNumber) {
        lock(waits)
            .workers
            .entry(principal)
            .or_default()
            .push(worker);
    }

    /// `worker` has finished its part of `principal`'s start.
    pub(super) fn dismissed(waits: &Waits, principal: ThreadNumber, worker: ThreadNumber) {
        let mut graph = lock(waits);
        if let Some(workers) = graph.workers.get_mut(&principal) {
            if let Some(at) = workers.iter().position(|&w| w == worker) {
                workers.swap_remove(at);
            }
            if workers.is_empty() {
                graph.workers.remove(&principal);
            }
        }
    }
}

/// A task that works on behalf of another (the tasks of an async start inside a lifecycle, on
/// behalf of the lifecycle's thread or task): in the wait-for graph, the principal waits for it
/// until this drops.
pub(crate) struct Hired {
    principal: ThreadNumber,
    worker: ThreadNumber,
}

impl Hired {
    pub(crate) fn new(principal: ThreadNumber, worker: ThreadNumber) -> Self {
        waits::hired(waits(), principal, worker);
        Hired { principal, worker }
    }
}

impl Drop for Hired {
    fn drop(&mut self) {
        waits::dismissed(waits(), self.principal, self.worker);
    }
}

/// Whether `thread` is in the wait-for graph, and waiting on which slot (see `Slot::id`).
#[cfg(test)]
pub(crate) fn waits_on(thread: ThreadId) -> Option<usize> {
    waits::lock(waits())
        .edges
        .values()
        .flatten()
        .find(|edge| edge.thread == thread)
        .map(|edge| edge.slot)
}

#[cfg(test)]
impl<T: ?Sized + Plugin> Slot<T> {
    pub(crate) fn test_id(&self) -> usize {
        self.as_ref().id()
    }
}
