//! The async start: the plugins of a namespace loaded as futures, each started as soon as the
//! plugins it follows are done, all of them concurrently on the caller's task — no thread
//! spawned, any executor.
//!
//! A plugin whose `load` is a future ([`Plugin::LOADS_ASYNC`]) runs as a *task* of the start:
//! a number of its own in the wait-for graph, its slot claimed across polls. Another task or
//! thread asking for it meanwhile waits for its outcome: a task is woken, a thread blocks (the
//! blocking API refuses such plugins, so only a plugin's own code can block that way). A plugin
//! whose `load` is not a future runs inline, as `load_all` runs it, unless another runs it
//! already: then it waits as a task, so that no executor thread blocks on it.
//!
//! Dropping the start (a `select!`, a timeout) drops its tasks: a plugin whose lifecycle a task
//! had claimed settles [`Cancelled`](crate::PluginErrorKind::Cancelled), its plugin and load
//! future dropped inside a panic guard; a plugin not started yet stays as it was.

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use super::parallel::{Plan, Progress};
use super::{PluginManager, Resolved};
use crate::contain::discard;
use crate::error::{PluginError, PluginErrorKind};
use crate::finder::IndexEntry;
use crate::lifecycle::received;
use crate::plugin::{BoxError, LoadFuture, Plugin};
use crate::spec::Key;
use crate::state::{
    entered, here, task_number, AsyncClaim, Exiting, Here, Hired, Loaded, Outcome, SlotRef,
    ThreadNumber, Ticket,
};

impl<T: ?Sized + Plugin> PluginManager<T> {
    /// Loads the plugin `name` (or returns it, if already loaded), awaiting its `load` if it
    /// is a future: what [`load`](Self::load) does, for plugins whose `load` is `async`.
    ///
    /// Its requirements load first, concurrently where they do not depend on each other. A task
    /// that asks for a plugin another task or thread is loading awaits that load, without
    /// blocking a thread; a plugin whose `load` asks for itself (directly, through other
    /// plugins, or through another manager) gets [`Reentrant`](PluginErrorKind::Reentrant).
    ///
    /// ```
    /// use plux_core::{BoxError, LoadFuture, Plugin, PluginManager, PluginSpec};
    ///
    /// #[derive(Default)]
    /// struct Database { connected: bool }
    ///
    /// impl Plugin for Database {
    ///     type Args = ();
    ///     type Output = ();
    ///     const LOADS_ASYNC: bool = true;
    ///     fn load(&mut self, _: &()) -> Result<(), BoxError> {
    ///         Err("loads asynchronously".into())
    ///     }
    ///     fn load_async<'a>(&'a mut self, _: &'a ()) -> LoadFuture<'a, ()> {
    ///         Box::pin(async move {
    ///             self.connected = true; // connect, await the handshake...
    ///             Ok(())
    ///         })
    ///     }
    /// }
    ///
    /// let make = || Ok(Box::new(Database::default()));
    /// let manager = PluginManager::<Database>::in_namespace("app.db")
    ///     .finder(vec![PluginSpec::new("app.db", "main", make)?]);
    ///
    /// // Not loaded yet, the blocking API refuses it rather than block a thread on a future.
    /// assert!(manager.load("main").is_err());
    /// // Any executor drives the async API.
    /// let database = futures::executor::block_on(manager.load_async("main"))?;
    /// assert!(database.connected);
    /// // Loaded, the blocking API returns it too.
    /// assert!(manager.load("main").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn load_async(&self, name: &str) -> Result<Arc<T>, PluginError> {
        self.load_one_async(name, false).await
    }

    /// [`retry`](Self::retry) for plugins whose `load` is `async`: runs the lifecycle of a failed
    /// (or [`Cancelled`](PluginErrorKind::Cancelled)) or disabled plugin once more, awaiting
    /// its `load`.
    pub async fn retry_async(&self, name: &str) -> Result<Arc<T>, PluginError> {
        self.load_one_async(name, true).await
    }

    /// Loads every plugin of the namespace and returns those that loaded, in load order: what
    /// [`load_all`](Self::load_all) does, for plugins whose `load` is `async`, and what
    /// [`load_all_parallel`](Self::load_all_parallel) does, on the caller's task instead of
    /// threads.
    ///
    /// A plugin starts once every plugin it must come after is done (those it names in `after`
    /// and `requires`, and those that name it in `before`); the plugins that do not depend on
    /// each other load concurrently, as futures polled by this one: no thread is spawned, and
    /// any executor drives it. Everything else holds as in `load_all`: each plugin's lifecycle
    /// runs exactly once per manager, across tasks and threads; listeners, filters, vetoes and
    /// errors are the same; a panic while polling a plugin's load fails that plugin only.
    ///
    /// Dropped before it finishes, it drops the loads in flight: those plugins are
    /// [`Cancelled`](PluginErrorKind::Cancelled) (see [`retry_async`](Self::retry_async)); the
    /// plugins it had not started are left as they were, for the next call.
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginManager, PluginSpec};
    ///
    /// fn hook() {}
    /// let make = || Ok(Box::new(FunctionPlugin::new(hook as fn())));
    /// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("app.services").finder(vec![
    ///     PluginSpec::new("app.services", "database", make)?,
    ///     PluginSpec::new("app.services", "cache", make)?.with_requires(["database"])?,
    /// ]);
    /// let loaded = futures::executor::block_on(manager.load_all_async());
    /// assert_eq!(loaded.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn load_all_async(&self) -> Vec<Arc<T>> {
        self.report_dropped_once();
        let resolved = self.resolved();
        let mut start = Start::new(self, Schedule::of(resolved, |_| true), Mode::All);
        match poll_fn(|cx| start.poll(cx)).await {
            Ok(()) => self.loaded(),
            Err(exiting) => self.loaded_on_exit(exiting),
        }
    }

    /// [`load_all_async`](Self::load_all_async) that stops at the first failure and returns
    /// its error, as [`try_load_all`](Self::try_load_all) does: once a plugin fails, no other
    /// starts, those in flight finish, and the error is that of the failed plugin earliest in
    /// load order. Disabled plugins are skipped, not errors.
    pub async fn try_load_all_async(&self) -> Result<Vec<Arc<T>>, PluginError> {
        let resolved = self.resolved();
        if let Some(error) = &resolved.invalid_namespace {
            return Err(error.clone());
        }
        let mut start = Start::new(self, Schedule::of(resolved, |_| true), Mode::UntilFailure);
        match poll_fn(|cx| start.poll(cx)).await {
            Ok(()) => match start.failure.take() {
                Some((_, error)) => Err(error),
                None => Ok(self.loaded()),
            },
            Err(Exiting) => Err(PluginError::of_namespace(
                &self.namespace,
                PluginErrorKind::ThreadExiting,
            )),
        }
    }

    /// [`load_async`](Self::load_async) (or [`retry_async`](Self::retry_async)): a start of
    /// `name` and what it requires, directly or not.
    async fn load_one_async(&self, name: &str, retry: bool) -> Result<Arc<T>, PluginError> {
        let resolved = self.resolved();
        let (_, slot) = self.find(resolved, name)?;
        if let (Some(loaded), false) = (slot.loaded(), retry) {
            return Ok(loaded.plugin.clone());
        }
        let Some(target) = resolved.index.position(name) else {
            return Err(PluginError::new(
                &self.namespace,
                name,
                PluginErrorKind::Interrupted,
            ));
        };
        let wanted = requirement_closure(resolved, target);
        let schedule = Schedule::of(resolved, |i| wanted.get(i).copied().unwrap_or(false));
        let mut start = Start::new(self, schedule, Mode::One { target, retry });
        let polled = poll_fn(|cx| start.poll(cx)).await;
        match (polled, start.target.take()) {
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(PluginError::new(
                &self.namespace,
                name,
                PluginErrorKind::Interrupted,
            )),
            (Err(exiting), _) => Err(self.exiting(exiting, name)),
        }
    }

    /// The lifecycle of a plugin as a task of a start: claims its slot (or awaits the run of
    /// another), runs it, settles it.
    async fn task<'a>(
        &'a self,
        entry: IndexEntry<'a>,
        slot: SlotRef<'a, T>,
        retry: bool,
    ) -> Result<&'a Loaded<T>, PluginError> {
        let key = entry.spec().run_key();
        let mut ticket = Ticket::default();
        let claimed = match poll_fn(|cx| slot.poll_claim(key, retry, &mut ticket, cx)).await? {
            AsyncClaim::Loaded(loaded) => return Ok(loaded),
            AsyncClaim::Mine(claimed) => claimed,
        };
        drop(ticket);
        let outcome = self.lifecycle_async(entry, key).await;
        claimed.finish(outcome)
    }

    /// The lifecycle of `entry`, whose `load` is awaited; each step with its key entered, so
    /// that whatever it asks for is checked for re-entrance.
    async fn lifecycle_async<'a>(&'a self, entry: IndexEntry<'a>, key: Key<'a>) -> Outcome<T> {
        let spec = entry.spec();
        let mut plugin = match entered(&key, || self.until_load(entry)) {
            Ok(plugin) => plugin,
            Err(outcome) => return outcome,
        };
        // The factory's `Arc` is the only one, as in the blocking lifecycle.
        let args = &self.args;
        let loaded = match Arc::get_mut(&mut plugin) {
            Some(unique) => Contained::new(Some(key), move || unique.load_async(args)).await,
            None => return entered(&key, || self.lifecycle(spec, None).kept(plugin)),
        };
        entered(&key, || {
            self.lifecycle(spec, None).after_load(plugin, loaded)
        })
    }

    /// The lifecycle of `entry` up to its `load`; its requirements, done already, are read.
    fn until_load(&self, entry: IndexEntry<'_>) -> Result<Arc<T>, Outcome<T>> {
        let spec = entry.spec();
        let requirements = || self.requirements_settled(spec);
        self.lifecycle(spec, entry.requires().then_some(&requirements))
            .until_load()
    }
}

/// `target` and what it requires, directly or not (positions in the index's entries).
fn requirement_closure<T: ?Sized + Plugin>(resolved: &Resolved<T>, target: usize) -> Vec<bool> {
    let entries = resolved.index.entries();
    let mut wanted = vec![false; entries.len()];
    // An explicit walk: a chain may be as long as the namespace.
    let mut walk = vec![target];
    while let Some(i) = walk.pop() {
        match wanted.get_mut(i) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        if let Some(entry) = entries.get(i) {
            let requires = entry.spec().requires();
            walk.extend(requires.filter_map(|name| resolved.index.position(name)));
        }
    }
    wanted
}

/// What a start loads, and what its caller receives.
#[derive(Clone, Copy)]
enum Mode {
    /// Every plugin; failures are reported, not returned.
    All,
    /// Every plugin until one fails; that failure is returned.
    UntilFailure,
    /// `target` and its requirements; `target`'s outcome is returned, and its lifecycle runs
    /// again if `retry`.
    One { target: usize, retry: bool },
}

/// In which order a start takes its plugins.
enum Schedule {
    /// Each as soon as those it follows are done (the parallel start's plan): for plugins whose
    /// `load` is a future, which load concurrently.
    Planned {
        progress: Progress,
        successors: Vec<Vec<usize>>,
    },
    /// One after the other, in load order (which honours every constraint): for plugins whose
    /// `load` is not a future, which run inline, one at a time anyway; what `load_all` does,
    /// without the plan's cost.
    InLoadOrder {
        order: Vec<usize>,
        /// How many of `order` were taken.
        taken: usize,
        /// Whether the last one taken is not done yet.
        busy: bool,
    },
}

impl Schedule {
    /// The order of a start of the plugins that `started` keeps (positions in the index's
    /// entries).
    fn of<T: ?Sized + Plugin>(resolved: &Resolved<T>, started: impl Fn(usize) -> bool) -> Self {
        if T::LOADS_ASYNC {
            let plan = Plan::of(resolved, started);
            return Schedule::Planned {
                progress: plan.first,
                successors: plan.successors,
            };
        }
        let order = resolved.index.order().into_iter().filter(|&i| started(i));
        Schedule::InLoadOrder {
            order: order.collect(),
            taken: 0,
            busy: false,
        }
    }

    /// The next plugin that may start, if one may.
    fn next_ready(&mut self) -> Option<usize> {
        match self {
            Schedule::Planned { progress, .. } => progress.next_ready(),
            Schedule::InLoadOrder { busy: true, .. } => None,
            Schedule::InLoadOrder { order, taken, busy } => {
                let next = order.get(*taken).copied()?;
                *taken += 1;
                *busy = true;
                Some(next)
            }
        }
    }

    /// Plugin `i` is done; its position in load order (the rank of its failure).
    fn done(&mut self, i: usize) -> usize {
        match self {
            Schedule::Planned {
                progress,
                successors,
            } => {
                progress.done(i, successors);
                progress.rank(i)
            }
            Schedule::InLoadOrder { taken, busy, .. } => {
                *busy = false;
                taken.saturating_sub(1)
            }
        }
    }

    /// Whether every plugin of the start is done.
    fn is_done(&self) -> bool {
        match self {
            Schedule::Planned { progress, .. } => progress.is_done(),
            Schedule::InLoadOrder {
                order, taken, busy, ..
            } => !busy && *taken == order.len(),
        }
    }
}

/// A start in progress: the plan, the tasks in flight, and what the caller receives.
struct Start<'a, T: ?Sized + Plugin> {
    manager: &'a PluginManager<T>,
    resolved: &'a Resolved<T>,
    mode: Mode,
    schedule: Schedule,
    /// The tasks in flight, by position in the index's entries: few, in a namespace of any size.
    tasks: HashMap<usize, Task<'a, T>>,
    wakeups: Arc<Wakeups>,
    /// Wakers of tasks that finished, that nothing else holds: for the next tasks.
    spare: Vec<Arc<TaskWaker>>,
    /// Decided at the first poll: the thread or task whose lifecycle the start runs inside
    /// (its tasks work on its behalf), if any.
    principal: Option<Option<ThreadNumber>>,
    /// Whether a plugin failed, and no other starts ([`Mode::UntilFailure`]).
    stopped: bool,
    /// The failure earliest in load order, with its rank ([`Mode::UntilFailure`]).
    failure: Option<(usize, PluginError)>,
    /// The target's outcome ([`Mode::One`]).
    target: Option<Result<Arc<T>, PluginError>>,
}

/// A plugin's lifecycle in flight, as a task of a start.
struct Task<'a, T: ?Sized + Plugin> {
    future: TaskFuture<'a, T>,
    number: ThreadNumber,
    waker: Waker,
    wakes: Arc<TaskWaker>,
    /// Dropped after the future: the principal waits for the task until its claim is settled.
    _hired: Option<Hired>,
}

type TaskFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<&'a Loaded<T>, PluginError>> + Send + 'a>>;

impl<'a, T: ?Sized + Plugin> Start<'a, T> {
    fn new(manager: &'a PluginManager<T>, schedule: Schedule, mode: Mode) -> Self {
        let resolved = manager.resolved();
        Start {
            manager,
            resolved,
            mode,
            schedule,
            tasks: HashMap::new(),
            wakeups: Arc::new(Wakeups::default()),
            spare: Vec::new(),
            principal: None,
            stopped: false,
            failure: None,
            target: None,
        }
    }

    /// Starts what is ready and polls what was woken, until nothing more moves; ready once
    /// every plugin of the start is done (or, stopped, once the tasks in flight are).
    fn poll(&mut self, cx: &Context<'_>) -> Poll<Result<(), Exiting>> {
        self.wakeups.listen(cx.waker());
        let polled = match self.mode {
            Mode::All => here(|here| self.step(here)),
            Mode::UntilFailure | Mode::One { .. } => received(|| here(|here| self.step(here))),
        };
        match polled {
            Ok(true) => Poll::Ready(Ok(())),
            Ok(false) => Poll::Pending,
            Err(exiting) => Poll::Ready(Err(exiting)),
        }
    }

    /// [`poll`](Self::poll) on this thread; whether the start is done.
    fn step(&mut self, here: Here<'_>) -> bool {
        let principal = *self
            .principal
            .get_or_insert_with(|| here.in_run().then(|| here.me()));
        loop {
            let mut moved = false;
            while !self.stopped {
                let Some(i) = self.schedule.next_ready() else {
                    break;
                };
                moved = true;
                self.start(here, i, principal);
            }
            let mut woken = self.wakeups.take();
            if woken.is_empty() && !moved {
                break;
            }
            woken.sort_unstable();
            woken.dedup();
            for i in woken {
                self.poll_task(here, i);
            }
        }
        self.tasks.is_empty() && (self.stopped || self.schedule.is_done())
    }

    /// Starts plugin `i`: inline if its `load` is not a future and nobody runs it, else as a
    /// task, polled at once.
    fn start(&mut self, here: Here<'_>, i: usize, principal: Option<ThreadNumber>) {
        let Some((entry, slot)) = self.manager.entry(self.resolved, i) else {
            return self.finish(i, Err(None));
        };
        let retry = matches!(self.mode, Mode::One { target, retry: true } if target == i);
        if !T::LOADS_ASYNC && !slot.is_running() {
            let outcome = self.manager.drive(here, entry, slot, retry);
            return self.finish(i, outcome.map_err(Some));
        }
        let number = task_number();
        let wakes = match self.spare.pop() {
            Some(wakes) => wakes,
            None => Arc::new(TaskWaker {
                task: AtomicUsize::new(i),
                wakeups: self.wakeups.clone(),
            }),
        };
        wakes.task.store(i, Ordering::Relaxed);
        let task = Task {
            future: Box::pin(self.manager.task(entry, slot, retry)),
            number,
            waker: Waker::from(wakes.clone()),
            wakes,
            _hired: principal.map(|principal| Hired::new(principal, number)),
        };
        self.tasks.insert(i, task);
        self.poll_task(here, i);
    }

    /// Polls the task of plugin `i`, as that task; finishes it if it is done.
    fn poll_task(&mut self, here: Here<'_>, i: usize) {
        let Some(task) = self.tasks.get_mut(&i) else {
            return;
        };
        let mut cx = Context::from_waker(&task.waker);
        let future = &mut task.future;
        let polled = here.as_task(task.number, |_| {
            catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)))
        });
        let outcome = match polled {
            Ok(Poll::Pending) => return,
            Ok(Poll::Ready(outcome)) => outcome.map_err(Some),
            // Every step of a task contains the user code it runs: a bug of plux's, which
            // leaves the plugin interrupted (the task's claim settles it so as it drops).
            Err(panic) => {
                discard(panic);
                Err(None)
            }
        };
        if let Some(task) = self.tasks.remove(&i) {
            let Task {
                future,
                wakes,
                waker,
                ..
            } = task;
            discard(future);
            drop(waker);
            if Arc::strong_count(&wakes) == 1 {
                self.spare.push(wakes);
            }
        }
        self.finish(i, outcome);
    }

    /// Plugin `i` is done, with this outcome (`Err(None)`: interrupted); the plugins that wait
    /// for it may start.
    fn finish(&mut self, i: usize, outcome: Result<&'a Loaded<T>, Option<PluginError>>) {
        let rank = self.schedule.done(i);
        let outcome = outcome.map_err(|error| error.unwrap_or_else(|| self.interrupted(i)));
        match self.mode {
            Mode::All => {}
            Mode::UntilFailure => {
                if let Err(error) = outcome {
                    if !error.is_disabled() {
                        self.stopped = true;
                        if self
                            .failure
                            .as_ref()
                            .map_or(true, |(first, _)| rank < *first)
                        {
                            self.failure = Some((rank, error));
                        }
                    }
                }
            }
            Mode::One { target, .. } => {
                if target == i {
                    self.target = Some(outcome.map(|loaded| loaded.plugin.clone()));
                }
            }
        }
    }

    /// The error of plugin `i` when its task was interrupted.
    fn interrupted(&self, i: usize) -> PluginError {
        let name = self
            .resolved
            .index
            .entries()
            .get(i)
            .map(|entry| entry.spec().name());
        PluginError::new(
            &self.manager.namespace,
            name.unwrap_or_default(),
            PluginErrorKind::Interrupted,
        )
    }
}

impl<T: ?Sized + Plugin> Drop for Start<'_, T> {
    /// A start dropped unfinished drops its tasks (each settles its plugin
    /// [`Cancelled`](PluginErrorKind::Cancelled)), and what they hold of the plugins' code
    /// inside a panic guard.
    fn drop(&mut self) {
        for (_, task) in self.tasks.drain() {
            discard(task);
        }
    }
}

/// A plugin's future (its `load`, its `unload`) as plux awaits it: made at the first poll, each
/// poll inside a panic guard, and with the plugin's key entered when it is a lifecycle's, so that
/// what it asks for is checked for re-entrance.
pub(super) struct Contained<'a, O, S> {
    key: Option<Key<'a>>,
    /// Makes the future: the plugin's code too.
    start: Option<S>,
    future: Option<LoadFuture<'a, O>>,
}

impl<'a, O, S: FnOnce() -> LoadFuture<'a, O>> Contained<'a, O, S> {
    pub(super) fn new(key: Option<Key<'a>>, start: S) -> Self {
        Contained {
            key,
            start: Some(start),
            future: None,
        }
    }
}

/// What the plugin's future gave: its result, or the panic that stopped it.
pub(super) type ContainedResult<O> = Result<Result<O, BoxError>, Box<dyn std::any::Any + Send>>;

impl<'a, O, S: FnOnce() -> LoadFuture<'a, O> + Unpin> Future for Contained<'a, O, S> {
    type Output = ContainedResult<O>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (start, future) = (&mut this.start, &mut this.future);
        let mut poll = || {
            catch_unwind(AssertUnwindSafe(|| {
                if let Some(start) = start.take() {
                    *future = Some(start());
                }
                match future {
                    Some(future) => future.as_mut().poll(cx),
                    None => Poll::Pending,
                }
            }))
        };
        let polled = match &this.key {
            Some(key) => entered(key, poll),
            None => poll(),
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => {
                this.future = None;
                Poll::Ready(Ok(result))
            }
            Err(panic) => {
                // The future's `Drop` is the plugin's code too.
                if let Some(future) = this.future.take() {
                    discard(future);
                }
                Poll::Ready(Err(panic))
            }
        }
    }
}

/// Which tasks of a start were woken, and the waker of the task that polls the start.
#[derive(Default)]
struct Wakeups {
    woken: Mutex<Vec<usize>>,
    /// Shared, so that a wake clones it under the lock and wakes it outside: a waker is the
    /// executor's code.
    parent: Mutex<Option<Arc<Waker>>>,
}

impl Wakeups {
    fn lock<V>(mutex: &Mutex<V>) -> MutexGuard<'_, V> {
        // Only plux code runs under these locks.
        mutex.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The start is polled with `waker`: the one to wake when a task is.
    fn listen(&self, waker: &Waker) {
        if Self::lock(&self.parent)
            .as_ref()
            .is_some_and(|parent| parent.will_wake(waker))
        {
            return;
        }
        let waker = Arc::new(waker.clone());
        let replaced = Self::lock(&self.parent).replace(waker);
        drop(replaced);
    }

    /// The tasks woken since last asked.
    fn take(&self) -> Vec<usize> {
        std::mem::take(&mut *Self::lock(&self.woken))
    }
}

/// The waker of one task of a start: marks it woken and wakes the start's task.
struct TaskWaker {
    /// The task's position in the index's entries (a waker is reused by later tasks once
    /// nothing else holds it).
    task: AtomicUsize,
    wakeups: Arc<Wakeups>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let wakeups = &self.wakeups;
        Wakeups::lock(&wakeups.woken).push(self.task.load(Ordering::Relaxed));
        let parent = Wakeups::lock(&wakeups.parent).clone();
        if let Some(parent) = parent {
            parent.wake_by_ref();
        }
    }
}
