//! [`PluginManager`]: finds the plugins of a namespace and drives each through its lifecycle.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use crate::contain::{discard, panic_message};
use crate::error::{DisabledReason, DisplayCycle, PluginError, PluginErrorKind};
use crate::finder::{Entries, IndexEntry, PluginFinder, SpecIndex};
use crate::grammar::{check_name, check_namespace};
use crate::lifecycle::{log_failure, received, Filter, Lifecycle, Listeners};
use crate::listener::PluginLifecycleListener;
use crate::logged::{self, plux_log};
use crate::plugin::{Plugin, PluginInterface};
use crate::registry::Registry;
use crate::spec::PluginSpec;
use crate::state::{
    current_thread, here, Exiting, Here, Loaded, PluginState, Records, Run, Slot, SlotRef,
};
use crate::sync::ThreadId;

mod asynchronous;
mod parallel;
mod requirements;
mod unload;

/// Loads the plugins of one namespace as `T`, each at most once, from any number of threads.
///
/// `T` is what you get back: a trait object of your plugin interface (`dyn CliPlugin`), a
/// concrete plugin type (`ServicePlugin`), or a [`FunctionPlugin`](crate::FunctionPlugin).
///
/// # Lifecycle
///
/// Every plugin of the namespace is **resolved** when the manager first needs its specs. Loading
/// one runs, once: the filters, its requirements (loaded first, in this manager), the factory
/// (**init**), [`Plugin::should_load`] and [`Plugin::should_load_with`] (which sees the load
/// arguments), the listeners'
/// [`approve`](PluginLifecycleListener::approve), and [`Plugin::load`] with the manager's load
/// arguments, which the listeners may still fail in
/// [`confirm`](PluginLifecycleListener::confirm) (**loaded**). A filter, `should_load() == false`, `should_load_with` declining, a
/// requirement that did not load or a listener's veto makes it *disabled*; an error or a panic
/// at any step makes it *failed*. Either outcome is recorded, logged (see [Logging](#logging)) and reported to the listeners, and the other
/// plugins carry on. See [`PluginError`] for the error model and [`PluginLifecycleListener`] for
/// the hooks.
///
/// # Logging
///
/// plux logs through the [`log`](https://docs.rs/log) facade, target `plux`, and says each
/// failure once, where someone will see it:
///
/// | what | level |
/// |---|---|
/// | a failure the call returns to you: [`load`](Self::load), [`retry`](Self::retry), [`try_load_all`](Self::try_load_all) (and a requirement's failure, which the dependent's [`Requirement`](crate::DisabledReason::Requirement) reason carries) | DEBUG: you have the error |
/// | a failure nobody receives: a plugin that fails in [`load_all`](Self::load_all), [`load_all_parallel`](Self::load_all_parallel) or [`call_all`](Self::call_all) | ERROR, or the level chosen with [`log_failures`](Self::log_failures) |
/// | a conflict in the declarations (a duplicated name, an `after`/`before`/`requires` that names no plugin, an ordering cycle, once per cycle), an invalid namespace | once per manager at the level above, by the first `load_all`, `load_all_parallel` or `call_all`; `load` of the plugin returns it |
/// | a disabled plugin, each step of a lifecycle, each plugin resolved | DEBUG |
/// | a listener, a finder or a plugin value's `Drop` that panicked | ERROR: nobody else hears of it |
/// | a program without `link_plugins!` whose interface or hook point has no plugins; a `link_plugins!` that could not check its compilation | WARN, once per process (and on standard error when no logger shows WARN) |
///
/// Listeners hear of every outcome whatever the level ([`PluginLifecycleListener`]), and
/// [`inspect`](crate::inspect) lists them all.
///
/// # Making one
///
/// | the plugins are | their manager |
/// |---|---|
/// | of an interface (`#[plugin_interface]`), a hook point (`#[hook_point]`) or a type registered as itself (`#[plugin(namespace = "..")]`) | [`PluginManager::<T>::new()`](Self::new), or [`with_args(args)`](Self::with_args) when their `load` takes arguments |
/// | in a namespace given by name (`#[plugin(namespace = "..")] fn`, `plugin_spec!`) | [`PluginManager::<T>::in_namespace("..")`](Self::in_namespace) |
///
/// Then, optionally: [`listener`](Self::listener), [`filter`](Self::filter),
/// [`finder`](Self::finder).
///
/// # Example
///
/// ```
/// use plux_core::{BoxError, Plugin, PluginInterface, PluginManager, PluginSpec};
///
/// #[derive(Default)]
/// struct Service { port: u16 }
///
/// // What `#[plugin(namespace = "app.services")]` on `impl Plugin for Service` declares.
/// impl PluginInterface for Service {
///     const NAMESPACE: &'static str = "app.services";
/// }
///
/// impl Plugin for Service {
///     type Args = u16; // the base port, handed to every `load`
///     type Output = ();
///     fn load(&mut self, base: &u16) -> Result<(), BoxError> {
///         self.port = base + 1;
///         Ok(())
///     }
/// }
///
/// // Specs usually come from `#[plugin]` through the link-time registry; here, a finder of our own.
/// let specs = vec![PluginSpec::new("app.services", "s3", || Ok(Box::new(Service::default())))?];
/// let manager = PluginManager::<Service>::with_args(8000).finder(specs);
///
/// assert_eq!(manager.load("s3")?.port, 8001);
/// assert!(manager.is_loaded("s3"));
/// assert_eq!(manager.list_names(), ["s3"]);
/// assert_eq!(manager.load_all().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PluginManager<T: ?Sized + Plugin> {
    namespace: Cow<'static, str>,
    args: T::Args,
    listeners: Listeners<T>,
    filters: Vec<Filter>,
    finder: Option<Box<dyn PluginFinder>>,
    resolved: OnceLock<Resolved<T>>,
    reported: Reported,
    /// The level of failures nobody receives (see [Logging](Self#logging)).
    unreceived: log::LevelFilter,
    /// Whether a `load_all` has logged the resolution's conflicts.
    conflicts_logged: AtomicBool,
    /// Whether the namespace is declared by `T` (an interface, a hook point, a type registered
    /// as itself): then it is meant to have plugins, and an empty one in a program without
    /// `link_plugins!` is worth a warning.
    declared: bool,
    /// Whether the plugins were unloaded (see [`unload_all`](Self::unload_all)).
    unloaded: AtomicBool,
}

/// Whether the resolution has been reported to the listeners. Until it has, only the thread
/// reporting it may use it (its listeners call back into the manager from the hooks); every
/// other thread waits, so that no hook of a plugin precedes its `on_resolve_after`.
#[derive(Default)]
struct Reported {
    done: AtomicBool,
    report: Mutex<Report>,
    changed: Condvar,
}

#[derive(Default)]
struct Report {
    /// The reporting thread, once known; `None` before.
    reporter: Option<ThreadId>,
    /// Whether a thread sleeps until the report is done: waking nobody is no system call.
    waiting: bool,
}

impl Reported {
    #[inline]
    fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    fn begin(&self) {
        self.lock().reporter = Some(current_thread());
    }

    fn finish(&self) {
        let report = self.lock();
        self.done.store(true, Ordering::Release);
        let waiting = report.waiting;
        drop(report);
        if waiting {
            self.changed.notify_all();
        }
    }

    /// Returns once the report is done, or at once on the reporting thread.
    fn wait(&self) {
        let me = current_thread();
        let mut report = self.lock();
        while !self.is_done() && report.reporter != Some(me) {
            report.waiting = true;
            report = self
                .changed
                .wait(report)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Report> {
        // Only plux code runs under this lock.
        self.report.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks the report done even if reporting unwinds, so that no thread waits forever.
struct Reporting<'a>(&'a Reported);

impl Drop for Reporting<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// The specs of the namespace, sorted by name, each with its slot.
struct Resolved<T: ?Sized + Plugin> {
    index: Index,
    slots: Slots<T>,
    /// Set when the namespace itself is invalid: every lookup fails with it.
    invalid_namespace: Option<PluginError>,
}

/// The registry's shared index of the namespace, or this manager's own, of its finder's specs.
enum Index {
    Registry(&'static SpecIndex),
    Own(SpecIndex),
}

impl std::ops::Deref for Index {
    type Target = SpecIndex;

    fn deref(&self) -> &SpecIndex {
        match self {
            Index::Registry(index) => index,
            Index::Own(index) => index,
        }
    }
}

/// Plugins per chunk of slots.
const CHUNK: usize = 64;
/// Chunks per group: the table of a group's chunks is made when one of its plugins is first
/// asked for, so that a fresh manager makes one cell per [`GROUP`] × [`CHUNK`] plugins, not one
/// per chunk (a namespace of 10 000 made 157 cells up front, and its first `exists` cost 2.5×
/// that of a namespace of 1 000).
const GROUP: usize = 16;

/// One slot per plugin, made a chunk at a time when a plugin of the chunk is first asked for,
/// in groups of chunks made the same way: a fresh manager's first `exists` or `load` costs the
/// same in a namespace of 10 or 10 000.
struct Slots<T: ?Sized + Plugin> {
    groups: Box<[OnceLock<Group<T>>]>,
    /// The number of chunks.
    chunks: usize,
}

/// The cells of [`GROUP`] chunks.
type Group<T> = Box<[OnceLock<Chunk<T>>; GROUP]>;

/// Up to [`CHUNK`] slots, of consecutive entries, in two arrays (see [`SlotRef`]) and their
/// records, in one allocation.
struct Chunk<T: ?Sized + Plugin>(Box<ChunkSlots<T>>);

struct ChunkSlots<T: ?Sized + Plugin> {
    loaded: [OnceLock<Loaded<T>>; CHUNK],
    run: [Run; CHUNK],
    records: Records,
}

impl<T: ?Sized + Plugin> Chunk<T> {
    /// The slots of the [`CHUNK`] entries from `start`, fresh, or broken for an entry's
    /// conflict.
    fn new(
        entries: Entries<'_>,
        start: usize,
        broken: impl Fn(&PluginSpec, &PluginErrorKind) -> PluginError,
    ) -> Self {
        let mut chunk = Chunk::fresh();
        if !entries.has_conflicts() {
            return chunk;
        }
        for (j, run) in chunk.0.run.iter_mut().enumerate() {
            let Some(entry) = entries.get(start + j) else {
                break;
            };
            if let Some(conflict) = entry.conflict() {
                *run = Run::broken();
                chunk.0.records.broken(j, broken(entry.spec(), conflict));
            }
        }
        chunk
    }

    fn fresh() -> Self {
        Chunk(Box::new(ChunkSlots {
            loaded: std::array::from_fn(|_| OnceLock::new()),
            run: std::array::from_fn(|_| Run::fresh()),
            records: Records::new(),
        }))
    }

    fn get(&self, j: usize) -> Option<SlotRef<'_, T>> {
        let slots = &*self.0;
        Some(SlotRef::new(
            slots.loaded.get(j)?,
            slots.run.get(j)?,
            &slots.records,
            j,
        ))
    }

    fn into_slots(self) -> impl Iterator<Item = Slot<T>> {
        let ChunkSlots {
            loaded,
            run,
            mut records,
        } = *self.0;
        loaded
            .into_iter()
            .zip(run)
            .enumerate()
            .map(move |(j, (loaded, run))| Slot::from_parts(loaded, run, records.take(j)))
    }
}

impl<T: ?Sized + Plugin> FromIterator<Slot<T>> for Chunk<T> {
    /// At most [`CHUNK`] of `slots`.
    fn from_iter<I: IntoIterator<Item = Slot<T>>>(slots: I) -> Self {
        let mut chunk = Chunk::fresh();
        let ChunkSlots {
            loaded: l,
            run: r,
            records,
        } = &mut *chunk.0;
        for (j, ((slot, l), r)) in slots.into_iter().zip(l).zip(r).enumerate() {
            let (loaded, run, record) = slot.into_parts();
            // Replaces a fresh slot: nothing of the user's.
            (*l, *r) = (loaded, run);
            if let Some(record) = record {
                records.put(j, record);
            }
        }
        chunk
    }
}

impl<T: ?Sized + Plugin> Slots<T> {
    fn new(len: usize) -> Self {
        let chunks = len.div_ceil(CHUNK);
        Slots {
            groups: (0..chunks.div_ceil(GROUP))
                .map(|_| OnceLock::new())
                .collect(),
            chunks,
        }
    }

    /// `chunks` in order: those of `Some` made, the others to be made when asked for.
    fn from_chunks(chunks: Vec<Option<Chunk<T>>>) -> Self {
        let slots = Slots::new(chunks.len() * CHUNK);
        for (c, chunk) in chunks.into_iter().enumerate() {
            if let (Some(chunk), Some(cell)) = (chunk, slots.cell(c)) {
                let _ = cell.set(chunk);
            }
        }
        slots
    }

    /// The made chunks, each with its number.
    fn into_chunks(self) -> impl Iterator<Item = (usize, Chunk<T>)> {
        self.groups
            .into_vec()
            .into_iter()
            .enumerate()
            .filter_map(|(g, group)| Some((g, group.into_inner()?)))
            .flat_map(|(g, group)| {
                group
                    .into_iter()
                    .enumerate()
                    .filter_map(move |(c, chunk)| Some((g * GROUP + c, chunk.into_inner()?)))
            })
    }

    /// The cell of chunk `c`, its group made if it was not.
    fn cell(&self, c: usize) -> Option<&OnceLock<Chunk<T>>> {
        if c >= self.chunks {
            return None;
        }
        let group = self
            .groups
            .get(c / GROUP)?
            .get_or_init(|| Box::new(std::array::from_fn(|_| OnceLock::new())));
        group.get(c % GROUP)
    }

    /// The plugin of entry `i`, if loaded (then its chunk is made).
    #[inline]
    fn loaded(&self, i: usize) -> Option<&Loaded<T>> {
        let c = i / CHUNK;
        let chunk = self.groups.get(c / GROUP)?.get()?.get(c % GROUP)?.get()?;
        chunk.0.loaded.get(i % CHUNK)?.get()
    }

    /// The slot of entry `i` of `index`; a conflict of the entry makes its slot broken.
    fn get(
        &self,
        i: usize,
        index: &SpecIndex,
        broken: impl Fn(&PluginSpec, &PluginErrorKind) -> PluginError,
    ) -> Option<SlotRef<'_, T>> {
        let chunk = self.cell(i / CHUNK)?.get_or_init(|| {
            let start = i - i % CHUNK;
            Chunk::new(index.entries(), start, broken)
        });
        chunk.get(i % CHUNK)
    }
}

impl<T: ?Sized + PluginInterface<Args = ()>> PluginManager<T> {
    /// A manager of the namespace that `T` declares: `PluginManager::<dyn CliPlugin>::new()`
    /// finds every `#[plugin] impl CliPlugin`, `PluginManager::<Startup>::new()` every hook of the
    /// hook point `Startup`. For plugins that load with arguments, see
    /// [`with_args`](Self::with_args).
    pub fn new() -> Self {
        Self::build(Cow::Borrowed(T::NAMESPACE), ()).declared()
    }
}

impl<T: ?Sized + PluginInterface<Args = ()>> Default for PluginManager<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized + PluginInterface> PluginManager<T> {
    /// A manager of the namespace that `T` declares, which hands `args` to every plugin's
    /// `load`.
    pub fn with_args(args: T::Args) -> Self {
        Self::build(Cow::Borrowed(T::NAMESPACE), args).declared()
    }

    fn declared(self) -> Self {
        PluginManager {
            declared: true,
            ..self
        }
    }
}

impl<T: ?Sized + Plugin<Args = ()>> PluginManager<T> {
    /// A manager of a namespace given by name, for plugin types that declare none (a
    /// [`FunctionPlugin`](crate::FunctionPlugin), a type registered with `plugin_spec!`).
    pub fn in_namespace(namespace: impl Into<Cow<'static, str>>) -> Self {
        Self::build(namespace.into(), ())
    }
}

impl<T: ?Sized + Plugin> PluginManager<T> {
    fn build(namespace: Cow<'static, str>, args: T::Args) -> Self {
        PluginManager {
            namespace,
            args,
            listeners: Listeners::new(),
            filters: Vec::new(),
            finder: None,
            resolved: OnceLock::new(),
            reported: Reported::default(),
            unreceived: log::LevelFilter::Error,
            conflicts_logged: AtomicBool::new(false),
            declared: false,
            unloaded: AtomicBool::new(false),
        }
    }

    /// The load arguments this manager hands every plugin's `load` (see
    /// [`with_args`](Self::with_args)).
    ///
    /// ```
    /// use plux_core::{PluginManager, FunctionPlugin};
    ///
    /// let hooks = PluginManager::<FunctionPlugin<fn()>>::in_namespace("my.hooks");
    /// assert_eq!(hooks.args(), &());
    /// ```
    pub fn args(&self) -> &T::Args {
        &self.args
    }

    /// The level at which this manager logs the failures that nobody receives (a plugin that
    /// fails inside [`load_all`](Self::load_all), a conflict in the declarations): ERROR unless
    /// chosen here, `LevelFilter::Off` for none. Failures returned to the caller are logged at
    /// DEBUG whatever this says. See [Logging](Self#logging).
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginManager};
    ///
    /// // A `list` command shows failed plugins in its table: a WARN line is enough.
    /// let commands = PluginManager::<FunctionPlugin<fn()>>::in_namespace("my.commands")
    ///     .log_failures(log::LevelFilter::Warn);
    /// commands.load_all();
    /// ```
    pub fn log_failures(mut self, level: log::LevelFilter) -> Self {
        self.unreceived = level;
        self
    }

    /// Adds a listener (see also [`add_listener`](Self::add_listener)); an `Arc` of one is one.
    pub fn listener(self, listener: impl PluginLifecycleListener<T> + 'static) -> Self {
        self.add_listener(listener);
        self
    }

    /// Adds a filter: plugins for which it returns `false` are disabled before their factory
    /// runs, with [`DisabledReason::Filter`](crate::DisabledReason::Filter).
    pub fn filter(mut self, keep: impl Fn(&PluginSpec) -> bool + Send + Sync + 'static) -> Self {
        self.filters.push(Box::new(keep));
        self
    }

    /// Takes specs from `finder` instead of the link-time [`Registry`].
    pub fn finder(mut self, finder: impl PluginFinder + 'static) -> Self {
        self.finder = Some(Box::new(finder));
        self.resolved = OnceLock::new();
        self.reported = Reported::default();
        self.conflicts_logged = AtomicBool::new(false);
        self
    }

    /// Adds a listener to a manager that may already be in use; it hears of what happens from
    /// now on.
    pub fn add_listener(&self, listener: impl PluginLifecycleListener<T> + 'static) {
        self.listeners.add(Arc::new(listener));
    }

    /// The namespace this manager loads.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Loads the plugin `name` (or returns it, if already loaded).
    ///
    /// Loading again returns the same instance without running anything; a plugin that failed or
    /// is disabled returns its recorded error without running anything (see [`retry`](Self::retry)).
    pub fn load(&self, name: &str) -> Result<Arc<T>, PluginError> {
        let resolved = self.resolved();
        // A loaded plugin needs only its loaded half of the slot: the name map and that are all
        // a warm lookup reads.
        if let Some(loaded) = resolved
            .index
            .position(name)
            .and_then(|i| resolved.slots.loaded(i))
        {
            return Ok(loaded.plugin.clone());
        }
        let (entry, slot) = self.find(resolved, name)?;
        received(|| here(|here| self.drive(here, entry, slot, false)))
            .unwrap_or_else(|exiting| Err(self.exiting(exiting, name)))
            .map(|loaded| loaded.plugin.clone())
    }

    /// Runs the lifecycle of a failed or disabled plugin once more (e.g. after its configuration
    /// changed); a success replaces the recorded error. A loaded plugin is returned as it is;
    /// a duplicated name stays an error.
    pub fn retry(&self, name: &str) -> Result<Arc<T>, PluginError> {
        let (entry, slot) = self.find(self.resolved(), name)?;
        received(|| here(|here| self.drive(here, entry, slot, true)))
            .unwrap_or_else(|exiting| Err(self.exiting(exiting, name)))
            .map(|loaded| loaded.plugin.clone())
    }

    /// [`retry`](Self::retry)s the plugin `name` together with the requirements that failed
    /// it: every plugin it requires, directly or not, that is not loaded is retried first,
    /// requirements before the plugins that require them, then `name` itself.
    ///
    /// This is how a chain recovers once what broke it is fixed (a library opened and
    /// [`refresh`](Self::refresh)ed, a configuration changed): `retry` alone runs only `name`'s
    /// lifecycle, and finds a failed requirement failed still.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use plux_core::{BoxError, Plugin, PluginManager, PluginSpec};
    ///
    /// static DATABASE_UP: AtomicBool = AtomicBool::new(false);
    ///
    /// struct Service;
    /// impl Plugin for Service {
    ///     type Args = ();
    ///     type Output = ();
    ///     fn load(&mut self, _: &()) -> Result<(), BoxError> {
    ///         if DATABASE_UP.load(Ordering::SeqCst) { Ok(()) } else { Err("database down".into()) }
    ///     }
    /// }
    ///
    /// let make = || Ok(Box::new(Service));
    /// let manager = PluginManager::<Service>::in_namespace("app").finder(vec![
    ///     PluginSpec::new("app", "database", make)?,
    ///     PluginSpec::new("app", "cache", make)?.with_requires(["database"])?,
    ///     PluginSpec::new("app", "web", || Ok(Box::new(Service)))?.with_requires(["cache"])?,
    /// ]);
    /// assert!(manager.load("web").is_err());
    ///
    /// DATABASE_UP.store(true, Ordering::SeqCst);
    /// assert!(manager.retry("web").is_err()); // `cache` is still recorded as failed
    /// manager.retry_with_requirements("web")?;
    /// assert_eq!(manager.loaded().len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retry_with_requirements(&self, name: &str) -> Result<Arc<T>, PluginError> {
        let resolved = self.resolved();
        // An explicit walk, not recursion: a chain may be as long as the namespace.
        let mut failed_it = Vec::new();
        let mut seen = HashSet::new();
        let mut walk = vec![(name, false)];
        while let Some((next, expanded)) = walk.pop() {
            if expanded {
                failed_it.push(next);
                continue;
            }
            let Some((entry, slot)) = self.find(resolved, next).ok() else {
                continue;
            };
            if slot.loaded().is_some() || !seen.insert(next) {
                continue;
            }
            walk.push((next, true));
            let requires: Vec<&str> = entry.spec().requires().collect();
            walk.extend(requires.into_iter().rev().map(|required| (required, false)));
        }
        for requirement in failed_it.iter().filter(|&&failed| failed != name) {
            // Its outcome is recorded, and `name`'s lifecycle reads it.
            let _ = self.retry(requirement);
        }
        self.retry(name)
    }

    /// Loads every plugin of the namespace, in load order, and returns those that loaded.
    ///
    /// The load order is by priority (higher first), then name, within the plugins' `after` and
    /// `before` constraints; it is the order of every listing of the manager.
    ///
    /// Failures and disabled plugins are reported to the listeners and logged, not returned;
    /// see [`try_load_all`](Self::try_load_all) to stop at the first failure instead, and
    /// [`load_all_parallel`](Self::load_all_parallel) to load on several threads.
    pub fn load_all(&self) -> Vec<Arc<T>> {
        self.report_dropped_once();
        if T::LOADS_ASYNC {
            return self.refuse_blocking();
        }
        let mut plugins = Vec::with_capacity(self.resolved().index.order().len());
        let all = here(|here| {
            for (entry, slot) in self.slots() {
                match self.drive(here, entry, slot, false) {
                    Ok(loaded) => plugins.push(loaded.plugin.clone()),
                    // Reported to the listeners and logged already.
                    Err(error) => drop(error),
                }
            }
        });
        match all {
            Ok(()) => plugins,
            Err(exiting) => self.loaded_on_exit(exiting),
        }
    }

    /// Loads the plugins in load order and stops at the first that fails, returning its error
    /// (plux's `propagate_exceptions`). Disabled plugins are skipped, not errors.
    pub fn try_load_all(&self) -> Result<Vec<Arc<T>>, PluginError> {
        if let Some(error) = &self.resolved().invalid_namespace {
            return Err(error.clone());
        }
        if T::LOADS_ASYNC {
            return Err(PluginError::of_namespace(
                &self.namespace,
                PluginErrorKind::LoadsAsync,
            ));
        }
        let mut plugins = Vec::new();
        received(|| {
            here(|here| {
                for (entry, slot) in self.slots() {
                    match self.drive(here, entry, slot, false) {
                        Ok(loaded) => plugins.push(loaded.plugin.clone()),
                        Err(error) if error.is_disabled() => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(plugins)
            })
        })
        .unwrap_or_else(|Exiting| {
            Err(PluginError::of_namespace(
                &self.namespace,
                PluginErrorKind::ThreadExiting,
            ))
        })
    }

    /// The names of every plugin of the namespace, in load order, whatever their state.
    pub fn list_names(&self) -> Vec<&str> {
        let mut names = Vec::with_capacity(self.resolved().index.order().len());
        names.extend(self.specs().map(PluginSpec::name));
        names
    }

    /// The specs of every plugin of the namespace, in load order.
    pub fn list_specs(&self) -> Vec<&PluginSpec> {
        self.specs().collect()
    }

    /// Whether the namespace has a plugin called `name`.
    pub fn exists(&self, name: &str) -> bool {
        self.resolved().index.position(name).is_some()
    }

    /// Whether the plugin `name` is loaded.
    pub fn is_loaded(&self, name: &str) -> bool {
        self.find(self.resolved(), name)
            .is_ok_and(|(_, slot)| slot.loaded().is_some())
    }

    /// The state of the plugin `name`, or `None` if the namespace has no such plugin.
    pub fn state(&self, name: &str) -> Option<PluginState<'_, T>> {
        self.find(self.resolved(), name)
            .ok()
            .map(|(_, slot)| slot.state())
    }

    /// Every plugin of the namespace with its state, in load order (plux's containers).
    pub fn states(&self) -> Vec<(&PluginSpec, PluginState<'_, T>)> {
        self.slots()
            .map(|(entry, slot)| (entry.spec(), slot.state()))
            .collect()
    }

    /// The plugins loaded so far, in load order; loads nothing.
    pub fn loaded(&self) -> Vec<Arc<T>> {
        self.slots()
            .filter_map(|(_, slot)| slot.loaded())
            .map(|loaded| loaded.plugin.clone())
            .collect()
    }

    /// Resolves the namespace again, to find plugins that were not there when this manager
    /// resolved it: those of [plugin libraries](crate::dynamic) opened since, or new specs of its
    /// [`finder`](Self::finder). Returns the names it did not have before, in load order; the
    /// listeners hear of each as of a fresh resolution.
    ///
    /// Every name, its conflicts and the load order are resolved again, as a new manager would
    /// resolve them; the lifecycles that ran are not. So every plugin the manager had keeps its
    /// state (a loaded plugin stays loaded, a failed one failed), except where the conflicts
    /// changed:
    ///
    /// - a name now in conflict (an ordering cycle that new specs make, a finder's new
    ///   duplicate) has that conflict, as it would for a new manager, unless it was loaded: a
    ///   loaded plugin stays loaded whatever the new specs say (a plugin library cannot declare
    ///   a name the program has: `dynamic::open` refuses it);
    /// - a name whose conflict the new specs resolve (an `after`, `before` or `requires` that
    ///   named no plugin and now does, a duplicate gone) is fresh, and loads when next asked for;
    ///   the listeners hear of it in `on_resolve_after` as of a new plugin.
    ///
    /// A plugin that did not load because of such a requirement is disabled, and stays so until
    /// asked again: [`retry`](Self::retry) it, or
    /// [`retry_with_requirements`](Self::retry_with_requirements) to retry the requirements
    /// that failed it first. A manager that has not resolved its namespace yet has nothing to
    /// refresh: its first use sees everything.
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginManager, PluginSpec};
    /// use std::sync::{Arc, Mutex};
    ///
    /// fn hook() {}
    /// let spec = |name: &'static str| {
    ///     PluginSpec::new("my.hooks", name, || Ok(Box::new(FunctionPlugin::new(hook as fn()))))
    /// };
    /// // A finder whose specs grow, like the registry when a library is opened.
    /// let specs = Arc::new(Mutex::new(vec![spec("a")?]));
    /// let finder = {
    ///     let specs = specs.clone();
    ///     move |_: &str| specs.lock().unwrap().clone()
    /// };
    /// # struct Finder<F>(F);
    /// # impl<F: Fn(&str) -> Vec<PluginSpec> + Send + Sync> plux_core::PluginFinder for Finder<F> {
    /// #     fn find_plugins(&self, namespace: &str) -> Vec<PluginSpec> { (self.0)(namespace) }
    /// # }
    /// let mut hooks = PluginManager::<FunctionPlugin<fn()>>::in_namespace("my.hooks")
    ///     .finder(Finder(finder));
    /// hooks.load("a")?;
    ///
    /// specs.lock().unwrap().push(spec("b")?);
    /// assert_eq!(hooks.list_names(), ["a"]); // resolved before "b" existed
    /// assert_eq!(hooks.refresh(), ["b"]);
    /// assert_eq!(hooks.list_names(), ["a", "b"]);
    /// assert!(hooks.is_loaded("a")); // kept its state
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh(&mut self) -> Vec<String> {
        let Some(old) = self.resolved.take() else {
            return Vec::new();
        };
        let fresh = self.resolve();
        *self.conflicts_logged.get_mut() = false;
        // The slots the manager made so far, by name (a chunk never asked for has none).
        let mut kept: HashMap<String, Slot<T>> = HashMap::new();
        for (c, chunk) in old.slots.into_chunks() {
            for (j, slot) in chunk.into_slots().enumerate() {
                if let Some(spec) = old.index.specs().get(c * CHUNK + j) {
                    kept.insert(spec.name().to_owned(), slot);
                }
            }
        }
        let mut reported: HashSet<String> = HashSet::new();
        let mut added: HashSet<String> = HashSet::new();
        let mut chunks: Vec<Option<Chunk<T>>> = Vec::new();
        let entries = fresh.index.entries();
        for start in (0..entries.len()).step_by(CHUNK) {
            let mut slots = Vec::with_capacity(CHUNK);
            let mut any_kept = false;
            for entry in (start..entries.len().min(start + CHUNK)).filter_map(|i| entries.get(i)) {
                let name = entry.spec().name();
                let before = old
                    .index
                    .position(name)
                    .and_then(|i| old.index.entries().get(i));
                // Whether its conflict is gone: what the manager recorded of it was that
                // conflict, and no lifecycle ran.
                let mut cleared = false;
                match before {
                    None => {
                        added.insert(name.to_owned());
                        reported.insert(name.to_owned());
                    }
                    Some(before) if before.conflict().is_none() && entry.conflict().is_some() => {
                        reported.insert(name.to_owned());
                    }
                    Some(before) if before.conflict().is_some() && entry.conflict().is_none() => {
                        cleared = true;
                        reported.insert(name.to_owned());
                    }
                    Some(_) => {}
                }
                let slot = match (kept.remove(name), entry.conflict()) {
                    (Some(slot), None) if !cleared => {
                        any_kept = true;
                        slot
                    }
                    // A loaded plugin is never dropped: callers hold it, and a new conflict
                    // (an ordering cycle a library's plugin makes) does not unmake it.
                    (Some(slot), Some(_)) if slot.is_loaded() => {
                        any_kept = true;
                        slot
                    }
                    (old_slot, conflict) => {
                        // A name now in conflict that had not loaded: what the manager held of
                        // it goes.
                        if let Some(old_slot) = old_slot {
                            discard(old_slot);
                        }
                        match conflict {
                            None => Slot::new(),
                            Some(conflict) => {
                                Slot::broken(self.conflict_error(entry.spec(), conflict))
                            }
                        }
                    }
                };
                slots.push(slot);
            }
            chunks.push(any_kept.then(|| slots.into_iter().collect()));
        }
        // Plugins no longer found (a finder dropped them): what the manager held of them goes.
        kept.into_values().for_each(discard);
        let fresh = Resolved {
            slots: Slots::from_chunks(chunks),
            ..fresh
        };
        self.report_resolution(&fresh, |name| reported.contains(name));
        let added = fresh
            .index
            .specs_in_order()
            .map(PluginSpec::name)
            .filter(|name| added.contains(*name))
            .map(str::to_owned)
            .collect();
        self.resolved = OnceLock::from(fresh);
        added
    }

    /// The resolved namespace. The thread that resolves it reports the resolution to the
    /// listeners after storing it, so that a listener may use this manager from its hooks; the
    /// other threads wait for that report (see [`Reported`]).
    #[inline]
    fn resolved(&self) -> &Resolved<T> {
        match self.resolved.get() {
            Some(resolved) if self.reported.is_done() => resolved,
            _ => self.resolve_and_report(),
        }
    }

    #[inline(never)]
    fn resolve_and_report(&self) -> &Resolved<T> {
        if let Some(resolved) = self.resolved.get() {
            self.reported.wait();
            return resolved;
        }
        let mut resolved_here = false;
        let resolved = self.resolved.get_or_init(|| {
            resolved_here = true;
            self.resolve()
        });
        if resolved_here {
            // Before anyone can see `resolved` as reported-or-not: `begin` runs before this
            // thread's listeners do, and other threads wait until `finish`.
            self.reported.begin();
            let reporting = Reporting(&self.reported);
            self.report_resolution(resolved, |_| true);
            drop(reporting);
        } else {
            self.reported.wait();
        }
        resolved
    }

    /// The error of a plugin asked for on an exiting thread (see [`here`]), logged.
    #[cold]
    fn exiting(&self, Exiting: Exiting, name: &str) -> PluginError {
        let error = PluginError::new(&self.namespace, name, PluginErrorKind::ThreadExiting);
        log_failure(&error, self.unreceived);
        error
    }

    /// What the blocking `load_all`s return for plugins whose `load` is a future: those loaded
    /// already (by the async API). Logged once per call, as a failure nobody receives.
    #[cold]
    pub(crate) fn refuse_blocking(&self) -> Vec<Arc<T>> {
        log_failure(
            &PluginError::of_namespace(&self.namespace, PluginErrorKind::LoadsAsync),
            self.unreceived,
        );
        self.loaded()
    }

    /// What `load_all` returns on an exiting thread (see [`here`]): the plugins loaded
    /// already; nothing else can load there.
    #[cold]
    pub(crate) fn loaded_on_exit(&self, Exiting: Exiting) -> Vec<Arc<T>> {
        log_failure(
            &PluginError::of_namespace(&self.namespace, PluginErrorKind::ThreadExiting),
            self.unreceived,
        );
        self.loaded()
    }

    /// Every spec, in load order.
    fn specs(&self) -> impl Iterator<Item = &PluginSpec> {
        self.resolved().index.specs_in_order()
    }

    /// Every spec with its slot, in load order.
    fn slots(&self) -> impl Iterator<Item = (IndexEntry<'_>, SlotRef<'_, T>)> {
        let resolved = self.resolved();
        resolved
            .index
            .order()
            .into_iter()
            .filter_map(move |i| self.entry(resolved, i))
    }

    /// Entry `i` of the index, with its slot.
    fn entry<'a>(
        &self,
        resolved: &'a Resolved<T>,
        i: usize,
    ) -> Option<(IndexEntry<'a>, SlotRef<'a, T>)> {
        let entry = resolved.index.entries().get(i)?;
        let slot = resolved.slots.get(i, &resolved.index, |spec, conflict| {
            self.conflict_error(spec, conflict)
        })?;
        Some((entry, slot))
    }

    fn find<'a>(
        &self,
        resolved: &'a Resolved<T>,
        name: &str,
    ) -> Result<(IndexEntry<'a>, SlotRef<'a, T>), PluginError> {
        let found = resolved
            .index
            .position(name)
            .and_then(|i| self.entry(resolved, i));
        match (found, &resolved.invalid_namespace) {
            (Some(found), _) => Ok(found),
            // Not about `name`: no plugin can be found in an invalid namespace.
            (None, Some(error)) => Err(error.clone()),
            (None, None) => Err(PluginError::new(
                &self.namespace,
                name,
                match check_name(name) {
                    Ok(()) => PluginErrorKind::NotFound {
                        unlinked: self.finder.is_none()
                            && resolved.index.entries().is_empty()
                            && Registry::links().is_empty(),
                    },
                    Err(invalid) => PluginErrorKind::InvalidIdent(invalid),
                },
            )),
        }
    }

    /// Runs `entry`'s lifecycle in `slot` unless it ran.
    ///
    /// Inlined into each caller: called, its slot (four words) would go through memory, and
    /// read back wider than it was written, which stalls every run of a `load_all`.
    #[inline(always)]
    fn drive<'a>(
        &'a self,
        here: Here<'_>,
        entry: IndexEntry<'a>,
        slot: SlotRef<'a, T>,
        retry: bool,
    ) -> Result<&'a Loaded<T>, PluginError> {
        let spec = entry.spec();
        if T::LOADS_ASYNC {
            return slot.loaded().ok_or_else(|| {
                PluginError::new(spec.namespace(), spec.name(), PluginErrorKind::LoadsAsync)
            });
        }
        let requirements = || self.load_requirements(here, spec);
        let lifecycle = self.lifecycle(spec, entry.requires().then_some(&requirements));
        // The closure holds one reference: what it captures is copied into the slot's frame,
        // and a wider copy of values just stored stalls every run.
        slot.get_or_run_here(
            here,
            &spec.run_key(),
            retry,
            |kind| PluginError::new(spec.namespace(), spec.name(), kind),
            || lifecycle.run(),
        )
    }

    /// The lifecycle of `spec` in this manager; `requirements`, if it has any, loads (or reads)
    /// what it requires.
    #[inline(always)]
    fn lifecycle<'a>(
        &'a self,
        spec: &'a PluginSpec,
        requirements: Option<&'a dyn Fn() -> Option<DisabledReason>>,
    ) -> Lifecycle<'a, T> {
        Lifecycle {
            spec,
            args: &self.args,
            filters: &self.filters,
            listeners: &self.listeners,
            requirements,
            unreceived: self.unreceived,
        }
    }

    fn resolve(&self) -> Resolved<T> {
        let namespace = &*self.namespace;
        if let Err(invalid) = check_namespace(namespace) {
            return Resolved {
                index: Index::Own(SpecIndex::default()),
                slots: Slots::new(0),
                invalid_namespace: Some(PluginError::of_namespace(
                    namespace,
                    PluginErrorKind::InvalidIdent(invalid),
                )),
            };
        }
        let index = match &self.finder {
            None => Index::Registry(Registry::index(namespace)),
            Some(finder) => Index::Own(SpecIndex::new(self.find_specs(&**finder))),
        };
        let slots = Slots::new(index.entries().len());
        Resolved {
            index,
            slots,
            invalid_namespace: None,
        }
    }

    fn conflict_error(&self, spec: &PluginSpec, conflict: &PluginErrorKind) -> PluginError {
        PluginError::new(&self.namespace, spec.name(), conflict.clone())
    }

    /// Logs the resolution and tells the listeners, in load order.
    fn report_resolution(&self, resolved: &Resolved<T>, is_new: impl Fn(&str) -> bool) {
        let namespace = &*self.namespace;
        if let Some(error) = &resolved.invalid_namespace {
            self.listeners
                .notify(&namespace, "on_resolve_exception", |l| {
                    l.on_resolve_exception(namespace, error)
                });
        }
        let index = &*resolved.index;
        // Nothing to tell per plugin when nobody listens and nothing is logged at debug level
        // (conflicts too: see `report_dropped_once`): a fresh manager then costs the same for
        // any number of plugins.
        if self.listeners.is_empty() && !logged::enabled(log::Level::Debug) {
            return;
        }
        let entries = index.entries();
        for entry in index
            .order()
            .into_iter()
            .filter_map(|i| entries.get(i))
            .filter(|entry| is_new(entry.spec().name()))
        {
            let spec = entry.spec();
            match entry.conflict() {
                None => {
                    plux_log!(Debug, "{spec}: resolved");
                    self.listeners
                        .notify(spec, "on_resolve_after", |l| l.on_resolve_after(spec));
                }
                Some(conflict) => {
                    // Not logged here: `load` of this plugin returns it, and the first
                    // `load_all` logs it (`report_dropped_once`).
                    let error = self.conflict_error(spec, conflict);
                    self.listeners.notify(spec, "on_resolve_exception", |l| {
                        l.on_resolve_exception(namespace, &error)
                    });
                }
            }
        }
    }

    /// Logs the conflicts of the resolution and an invalid namespace at the level of failures
    /// nobody receives, the first time a call that drops failures (`load_all`,
    /// `load_all_parallel`, `call_all`) runs on this resolution.
    ///
    /// And an empty namespace of an interface or a hook point, in a program without
    /// `link_plugins!`, warns (once per process): `load_all` returns an empty list, and nothing
    /// else would say why.
    pub(crate) fn report_dropped_once(&self) {
        let resolved = self.resolved();
        if self.declared && self.finder.is_none() && resolved.index.entries().is_empty() {
            crate::registry::warn_if_unlinked(&self.namespace);
        }
        let level = match self.unreceived.to_level() {
            Some(level) if logged::enabled(level) => level,
            _ => return,
        };
        if self.conflicts_logged.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Some(error) = &resolved.invalid_namespace {
            log_failure(error, self.unreceived);
        }
        let index = &*resolved.index;
        if !index.has_conflicts() {
            return;
        }
        let entries = index.entries();
        let mut logged_cycles = HashSet::new();
        for entry in index.order().into_iter().filter_map(|i| entries.get(i)) {
            if let Some(conflict) = entry.conflict() {
                let error = self.conflict_error(entry.spec(), conflict);
                log_conflict(&self.namespace, &error, level, &mut logged_cycles);
            }
        }
    }

    /// Asks a user-supplied finder, containing a panic and dropping specs of other namespaces.
    fn find_specs(&self, finder: &dyn PluginFinder) -> Vec<PluginSpec> {
        let namespace = &*self.namespace;
        let specs = match catch_unwind(AssertUnwindSafe(|| finder.find_plugins(namespace))) {
            Ok(specs) => specs,
            Err(panic) => {
                plux_log!(
                    Error,
                    "{namespace}: the plugin finder panicked ({}); no plugins resolved",
                    panic_message(panic)
                );
                return Vec::new();
            }
        };
        specs
            .into_iter()
            .filter(|spec| {
                let ours = spec.namespace() == namespace;
                if !ours {
                    plux_log!(
                        Warn,
                        "{namespace}: the finder returned {spec}, of another namespace; ignored"
                    );
                }
                ours
            })
            .collect()
    }
}

/// Logs one conflict at `level`; an ordering cycle once, not once per member: a ring of N
/// plugins would log N lines about the same N names.
fn log_conflict(
    namespace: &str,
    error: &PluginError,
    level: log::Level,
    logged_cycles: &mut HashSet<*const ()>,
) {
    match error.kind() {
        PluginErrorKind::OrderCycle(members) => {
            if logged_cycles.insert(Arc::as_ptr(members).cast::<()>()) {
                let cycle = DisplayCycle { namespace, members };
                logged::contained(|| log::log!(target: "plux", level, "{cycle}"));
            }
        }
        _ => logged::contained(|| log::log!(target: "plux", level, "{error}")),
    }
}

impl<T: ?Sized + Plugin> fmt::Debug for PluginManager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginManager")
            .field("namespace", &self.namespace)
            .field("plugin_type", &std::any::type_name::<T>())
            .field("listeners", &self.listeners.len())
            .field("filters", &self.filters.len())
            .field(
                "resolved",
                &self.resolved.get().map(|r| r.index.entries().len()),
            )
            .finish()
    }
}
