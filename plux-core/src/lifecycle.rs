//! One run of a plugin's lifecycle: filters → requirements → factory (init) → `should_load` and
//! `should_load_with(args)` →
//! the listeners' approval → `load` (loaded), with every step logged and reported to the
//! listeners, and every panic of user code contained.

use std::any::{type_name, Any};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::contain::{discard, panic_message};
use crate::error::{DisabledReason, PluginError, PluginErrorKind, Stage};
use crate::filter::global_filter;
use crate::listener::{PluginLifecycleListener, Veto};
use crate::logged::{self, plux_log};
use crate::plugin::BoxError;
use crate::plugin::Plugin;
use crate::spec::{NotMade, PluginSpec};
use crate::state::{is_joined, Loaded, Outcome};

/// A manager's filter: keeps the plugins for which it returns `true`.
pub(crate) type Filter = Box<dyn Fn(&PluginSpec) -> bool + Send + Sync>;

type Listener<T> = Arc<dyn PluginLifecycleListener<T>>;

/// The listeners of a manager. Hooks run on a snapshot, so a hook may add listeners.
pub(crate) struct Listeners<T: ?Sized + Plugin> {
    list: RwLock<Arc<[Listener<T>]>>,
    /// Whether there is any: without listeners, a hook costs one atomic load, not a snapshot.
    any: AtomicBool,
}

impl<T: ?Sized + Plugin> Listeners<T> {
    pub(crate) fn new() -> Self {
        Listeners {
            list: RwLock::new(Arc::new([])),
            any: AtomicBool::new(false),
        }
    }

    pub(crate) fn add(&self, listener: Listener<T>) {
        let mut listeners = self.list.write().unwrap_or_else(PoisonError::into_inner);
        *listeners = listeners.iter().cloned().chain([listener]).collect();
        self.any.store(true, Ordering::Release);
    }

    /// Whether no listener has been added.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any.load(Ordering::Acquire)
    }

    pub(crate) fn len(&self) -> usize {
        self.list
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The listeners as they are now: hooks run on this copy, so that a hook may add listeners
    /// without deadlocking on the list.
    fn snapshot(&self) -> Arc<[Listener<T>]> {
        self.list
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Asks every listener, in order, whether the plugin may load; the first that does not
    /// approve decides.
    pub(crate) fn approve(&self, spec: &PluginSpec, plugin: &T) -> Approval {
        if self.is_empty() {
            return Approval::Approved;
        }
        let snapshot = self.snapshot();
        for (position, listener) in snapshot.iter().enumerate() {
            match catch_unwind(AssertUnwindSafe(|| listener.approve(spec, plugin))) {
                Ok(Ok(())) => {}
                Ok(Err(veto)) => return Approval::Vetoed(position, veto),
                Err(panic) => return Approval::Panicked(panic),
            }
        }
        Approval::Approved
    }

    /// Asks every listener, in order, whether the loaded plugin may stay loaded; the first that
    /// does not confirm decides.
    pub(crate) fn confirm(
        &self,
        spec: &PluginSpec,
        plugin: &T,
        output: &T::Output,
    ) -> Confirmation {
        if self.is_empty() {
            return Confirmation::Confirmed;
        }
        let snapshot = self.snapshot();
        for (position, listener) in snapshot.iter().enumerate() {
            match catch_unwind(AssertUnwindSafe(|| listener.confirm(spec, plugin, output))) {
                Ok(Ok(())) => {}
                Ok(Err(reason)) => return Confirmation::Rejected(position, reason),
                Err(panic) => return Confirmation::Panicked(panic),
            }
        }
        Confirmation::Confirmed
    }

    /// Calls `hook` on every listener; a panicking listener is logged and skipped.
    #[inline]
    pub(crate) fn notify(
        &self,
        plugin: &dyn std::fmt::Display,
        hook: &str,
        call: impl Fn(&dyn PluginLifecycleListener<T>),
    ) {
        if !self.is_empty() {
            self.notify_each(plugin, hook, call);
        }
    }

    #[inline(never)]
    fn notify_each(
        &self,
        plugin: &dyn std::fmt::Display,
        hook: &str,
        call: impl Fn(&dyn PluginLifecycleListener<T>),
    ) {
        let snapshot = self.snapshot();
        for listener in snapshot.iter() {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| call(&**listener))) {
                plux_log!(
                    Error,
                    "{plugin}: listener panicked in {hook} ({}); ignored",
                    panic_message(panic)
                );
            }
        }
    }
}

/// What the listeners said of a plugin about to load.
pub(crate) enum Approval {
    Approved,
    /// By the listener at this position.
    Vetoed(usize, Veto),
    /// An `approve` panicked: that fails the plugin, since a check that broke must not let it
    /// through.
    Panicked(Box<dyn Any + Send>),
}

/// What the listeners said of a plugin that loaded.
pub(crate) enum Confirmation {
    Confirmed,
    /// By the listener at this position, for this reason.
    Rejected(usize, BoxError),
    /// A `confirm` panicked: that fails the plugin, as a rejection would.
    Panicked(Box<dyn Any + Send>),
}

/// Everything one run of the lifecycle needs from the manager.
pub(crate) struct Lifecycle<'a, T: ?Sized + Plugin> {
    pub(crate) spec: &'a PluginSpec,
    pub(crate) args: &'a T::Args,
    pub(crate) filters: &'a [Filter],
    pub(crate) listeners: &'a Listeners<T>,
    /// Loads the plugin's requirements, if it has any; the reason it is disabled if one did
    /// not load.
    pub(crate) requirements: Option<&'a dyn Fn() -> Option<DisabledReason>>,
    /// The level of a failure nobody receives (see [`log_failure`]).
    pub(crate) unreceived: log::LevelFilter,
}

impl<T: ?Sized + Plugin> Lifecycle<'_, T> {
    /// Inlined into the manager's drive, with every step that did not go as it should out of
    /// line: a plugin that loads with nothing listening runs little more than its own code.
    #[inline]
    pub(crate) fn run(&self) -> Outcome<T> {
        if self.may_stop_before_init() {
            if let Some(outcome) = self.before_init() {
                return outcome;
            }
        }
        self.init_onwards()
    }

    /// The lifecycle of a plugin that its filters let through, once its requirements are
    /// loaded, or `unmet`: the second half of a run that the manager's walk of requirements
    /// drives step by step (the first is [`filtered`](Self::filtered)).
    pub(crate) fn after_requirements(&self, unmet: Option<DisabledReason>) -> Outcome<T> {
        match unmet {
            Some(reason) => self.disabled(reason),
            None => self.init_onwards(),
        }
    }

    /// The outcome when a filter or the spec's own check stops the plugin, or `None`: the first
    /// half of a run that the manager's walk of requirements drives.
    pub(crate) fn filtered(&self) -> Option<Outcome<T>> {
        match self.disabled_before_init() {
            Ok(None) => None,
            Ok(Some(reason)) => Some(self.disabled(reason)),
            Err(error) => Some(self.init_failed(error)),
        }
    }

    /// The lifecycle from the factory on.
    #[inline]
    fn init_onwards(&self) -> Outcome<T> {
        let mut plugin = match self.made() {
            Ok(plugin) => plugin,
            Err(outcome) => return outcome,
        };
        // The factory's `Arc` is the only one (a factory that kept a clone fails here): `load`
        // gets the plugin to itself, and the loaded plugin is shared without another allocation.
        let args = self.args;
        let loaded = match Arc::get_mut(&mut plugin) {
            Some(unique) => catch_unwind(AssertUnwindSafe(|| unique.load(args))),
            None => return self.kept(plugin),
        };
        self.after_load(plugin, loaded)
    }

    /// The lifecycle of a plugin whose `load` is a future, up to that future: the plugin made,
    /// with its `should_load`, the load arguments and the listeners' approval behind it, ready
    /// for `load`; or the outcome of a plugin that stopped before. The caller awaits the load,
    /// then hands its result to [`after_load`](Self::after_load).
    pub(crate) fn until_load(&self) -> Result<Arc<T>, Outcome<T>> {
        if self.may_stop_before_init() {
            if let Some(outcome) = self.before_init() {
                return Err(outcome);
            }
        }
        self.made()
    }

    /// The plugin made and approved, ready for `load`; or the outcome of a plugin that stopped
    /// before.
    #[inline]
    fn made(&self) -> Result<Arc<T>, Outcome<T>> {
        let spec = self.spec;
        let mut plugin: Arc<T> =
            match catch_unwind(AssertUnwindSafe(|| spec.create::<T>(is_joined()))) {
                Ok(Ok(plugin)) => plugin,
                Ok(Err(not_made)) => return Err(self.not_made(not_made)),
                Err(panic) => return Err(self.init_failed(self.panicked(Stage::Init, panic))),
            };
        plux_log!(Debug, "{spec}: init");
        self.listeners
            .notify(spec, "on_init_after", |l| l.on_init_after(spec, &plugin));

        match catch_unwind(AssertUnwindSafe(|| plugin.should_load())) {
            Ok(true) => {}
            Ok(false) => return Err(self.disabled_made(plugin, DisabledReason::ShouldLoad)),
            Err(panic) => return Err(self.failed_at(Stage::ShouldLoad, plugin, panic)),
        }
        match catch_unwind(AssertUnwindSafe(|| plugin.should_load_with(self.args))) {
            Ok(Ok(())) => {}
            Ok(Err(veto)) => return Err(self.declined(plugin, veto)),
            Err(panic) => return Err(self.failed_at(Stage::ShouldLoad, plugin, panic)),
        }
        if !self.listeners.is_empty() {
            plugin = self.approved(plugin)?;
        }
        Ok(plugin)
    }

    /// The rest of the lifecycle once `load` ran: what it `loaded`, or its panic.
    #[inline]
    pub(crate) fn after_load(
        &self,
        plugin: Arc<T>,
        loaded: Result<Result<T::Output, BoxError>, Box<dyn Any + Send>>,
    ) -> Outcome<T> {
        let spec = self.spec;
        match loaded {
            Ok(Ok(output)) => {
                if !self.listeners.is_empty() {
                    if let Some(failed) = self.unconfirmed(&plugin, &output) {
                        discard(output);
                        return self.load_failed(plugin, failed);
                    }
                }
                plux_log!(Debug, "{spec}: loaded");
                self.listeners.notify(spec, "on_load_after", |l| {
                    l.on_load_after(spec, &plugin, &output)
                });
                Outcome::Loaded(Loaded { plugin, output })
            }
            Ok(Err(error)) => self.load_error(plugin, error),
            Err(panic) => self.failed_at(Stage::Load, plugin, panic),
        }
    }

    /// Whether anything may stop the plugin before it is made: a flag or a field each, asked
    /// in full by [`before_init`](Self::before_init).
    #[inline]
    fn may_stop_before_init(&self) -> bool {
        !self.filters.is_empty()
            || self.spec.should_load().is_some()
            || self.requirements.is_some()
            || global_filter().matching(self.spec).is_some()
    }

    /// The outcome when the plugin stops before it is made: disabled by a filter, its own check
    /// or a requirement that did not load, or failed in a filter or its check.
    #[inline(never)]
    fn before_init(&self) -> Option<Outcome<T>> {
        if let Some(outcome) = self.filtered() {
            return Some(outcome);
        }
        // After its own filters, so that a plugin switched off loads nothing on its behalf.
        let reason = self.requirements.and_then(|requirements| requirements())?;
        Some(self.disabled(reason))
    }

    /// The outcome of a factory that made no plugin of `T`.
    #[cold]
    fn not_made(&self, not_made: NotMade) -> Outcome<T> {
        let error = match not_made {
            NotMade::WrongType(found) => self.error(PluginErrorKind::WrongType {
                expected: type_name::<T>(),
                found,
            }),
            NotMade::Failed(error) => self.error(PluginErrorKind::Factory(Arc::from(error))),
        };
        self.init_failed(error)
    }

    /// The outcome of a plugin disabled once made (by its `should_load`, or a listener's veto):
    /// reported, then dropped.
    #[cold]
    fn disabled_made(&self, plugin: Arc<T>, reason: DisabledReason) -> Outcome<T> {
        let outcome = self.disabled(reason);
        discard(plugin);
        outcome
    }

    /// The outcome of a plugin whose `should_load_with` declined the load arguments.
    #[cold]
    fn declined(&self, plugin: Arc<T>, veto: crate::listener::Veto) -> Outcome<T> {
        let reason = veto.into_reason();
        self.disabled_made(plugin, DisabledReason::Declined { reason })
    }

    /// The outcome of a plugin whose code panicked at `stage`, after it was made.
    #[cold]
    fn failed_at(&self, stage: Stage, plugin: Arc<T>, panic: Box<dyn Any + Send>) -> Outcome<T> {
        let error = self.panicked(stage, panic);
        self.load_failed(plugin, error)
    }

    /// Asks the listeners whether the plugin may load, and tells them it is about to; the
    /// outcome if it may not.
    #[inline(never)]
    fn approved(&self, plugin: Arc<T>) -> Result<Arc<T>, Outcome<T>> {
        let spec = self.spec;
        match self.listeners.approve(spec, &plugin) {
            Approval::Approved => {}
            Approval::Vetoed(listener, veto) => {
                let reason = veto.into_reason();
                return Err(self.disabled_made(plugin, DisabledReason::Vetoed { listener, reason }));
            }
            Approval::Panicked(panic) => return Err(self.failed_at(Stage::Approve, plugin, panic)),
        }
        let args = self.args;
        self.listeners.notify(spec, "on_load_before", |l| {
            l.on_load_before(spec, &plugin, args)
        });
        Ok(plugin)
    }

    /// Why the listeners fail the plugin that loaded, if one does.
    #[inline(never)]
    fn unconfirmed(&self, plugin: &T, output: &T::Output) -> Option<PluginError> {
        match self.listeners.confirm(self.spec, plugin, output) {
            Confirmation::Confirmed => None,
            Confirmation::Rejected(listener, reason) => {
                Some(self.error(PluginErrorKind::Rejected {
                    listener,
                    reason: Arc::from(reason),
                }))
            }
            Confirmation::Panicked(panic) => Some(self.panicked(Stage::Confirm, panic)),
        }
    }

    /// The outcome of a plugin whose factory kept a reference to it.
    #[cold]
    pub(crate) fn kept(&self, plugin: Arc<T>) -> Outcome<T> {
        let error = self.error(PluginErrorKind::Factory(Arc::from(BoxError::from(
            "the factory kept a reference to the plugin it made; it must hand over the only one",
        ))));
        self.load_failed(plugin, error)
    }

    /// The outcome of a plugin whose `load` returned an error.
    #[cold]
    fn load_error(&self, plugin: Arc<T>, error: BoxError) -> Outcome<T> {
        let error = self.error(PluginErrorKind::Load(Arc::from(error)));
        self.load_failed(plugin, error)
    }

    /// Why the plugin is disabled before it is made, if it is: the global filter, the manager's
    /// filters, then the spec's own `should_load`.
    fn disabled_before_init(&self) -> Result<Option<DisabledReason>, PluginError> {
        if let Some(pattern) = global_filter().matching(self.spec) {
            return Ok(Some(DisabledReason::GlobalFilter {
                pattern: pattern.to_string(),
            }));
        }
        for (index, keep) in self.filters.iter().enumerate() {
            match catch_unwind(AssertUnwindSafe(|| keep(self.spec))) {
                Ok(true) => {}
                Ok(false) => return Ok(Some(DisabledReason::Filter { index })),
                Err(panic) => return Err(self.panicked(Stage::Filter, panic)),
            }
        }
        if let Some(should_load) = self.spec.should_load_check() {
            match catch_unwind(AssertUnwindSafe(should_load)) {
                Ok(true) => {}
                Ok(false) => return Ok(Some(DisabledReason::ShouldLoad)),
                Err(panic) => return Err(self.panicked(Stage::ShouldLoad, panic)),
            }
        }
        Ok(None)
    }

    fn error(&self, kind: PluginErrorKind) -> PluginError {
        PluginError::new(self.spec.namespace(), self.spec.name(), kind)
    }

    fn panicked(&self, stage: Stage, panic: Box<dyn Any + Send>) -> PluginError {
        self.error(PluginErrorKind::Panicked {
            stage,
            message: panic_message(panic),
        })
    }

    fn disabled(&self, reason: DisabledReason) -> Outcome<T> {
        let spec = self.spec;
        plux_log!(Debug, "{spec}: disabled, {reason}");
        self.listeners
            .notify(spec, "on_disabled", |l| l.on_disabled(spec, &reason));
        Outcome::Disabled(Box::new(reason))
    }

    fn init_failed(&self, error: PluginError) -> Outcome<T> {
        let spec = self.spec;
        log_failure(&error, self.unreceived);
        self.listeners.notify(spec, "on_init_exception", |l| {
            l.on_init_exception(spec, &error)
        });
        Outcome::Failed(Box::new(error))
    }

    /// Reports the failure, then drops the plugin, whose `Drop` is user code: contained.
    fn load_failed(&self, plugin: Arc<T>, error: PluginError) -> Outcome<T> {
        let spec = self.spec;
        log_failure(&error, self.unreceived);
        self.listeners.notify(spec, "on_load_exception", |l| {
            l.on_load_exception(spec, &plugin, &error)
        });
        discard(plugin);
        Outcome::Failed(Box::new(error))
    }
}

thread_local! {
    /// Whether the manager call running on this thread returns the failures of the lifecycles
    /// it runs to its caller (`load`, `retry`, `try_load_all`), rather than dropping them
    /// (`load_all`, `call_all`, and every thread of `load_all_parallel`).
    static RECEIVED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call` as a manager call whose caller receives the failures: they are logged at DEBUG
/// only. The requirements that a lifecycle loads inherit the call's choice: their failure reaches
/// the caller inside the dependent's [`Requirement`](DisabledReason::Requirement) reason.
pub(crate) fn received<R>(call: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            RECEIVED.with(|received| received.set(self.0));
        }
    }
    let _restore = Restore(RECEIVED.with(|received| received.replace(true)));
    call()
}

/// Logs a failure once, by the policy of [`PluginManager`'s logging](crate::PluginManager#logging):
/// at DEBUG when the call that ran the lifecycle returns the error to its caller, else at
/// `unreceived` (ERROR unless the manager chose another level).
///
/// The error is formatted here, inside a panic guard, not by the logger: its `Display` may be a
/// plugin's own error's, and a logger formats outside any guard of ours.
pub(crate) fn log_failure(error: &PluginError, unreceived: log::LevelFilter) {
    let level = if RECEIVED.try_with(Cell::get).unwrap_or(false) {
        log::Level::Debug
    } else {
        match unreceived.to_level() {
            Some(level) => level,
            None => return,
        }
    };
    if !logged::enabled(level) {
        return;
    }
    let line = catch_unwind(AssertUnwindSafe(|| error.to_string())).unwrap_or_else(|panic| {
        format!(
            "plugin `{}/{}`: {} (its Display panicked: {})",
            error.namespace(),
            error.name().unwrap_or_default(),
            kind_label(error.kind()),
            panic_message(panic)
        )
    });
    logged::contained(|| log::log!(target: "plux", level, "{line}"));
}

/// What kind of failure, without formatting anything of the plugin's.
fn kind_label(kind: &PluginErrorKind) -> &'static str {
    match kind {
        PluginErrorKind::Factory(_) => "factory failed",
        PluginErrorKind::Load(_) => "load failed",
        _ => "failed",
    }
}
