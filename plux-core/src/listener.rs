//! [`PluginLifecycleListener`]: hooks that hear of every lifecycle step of a manager's plugins,
//! and may [`Veto`] a plugin before it loads.

use std::fmt;
use std::sync::Arc;

use crate::error::{DisabledReason, PluginError};
use crate::plugin::{BoxError, Plugin};
use crate::spec::PluginSpec;

/// Hears of every transition and every failure in a [`PluginManager`](crate::PluginManager); may
/// veto a plugin before it loads ([`approve`](Self::approve)) or fail it after
/// ([`confirm`](Self::confirm)).
///
/// Every method has a no-op default, so a listener implements only what it needs. Hooks run on
/// the thread that drives the lifecycle, in this order for one plugin:
///
/// ```text
/// on_resolve_after ─┬─ on_disabled                              (a filter or the spec's should_load said no, or a requirement did not load)
///                   ├─ on_init_exception                        (factory failed or wrong type)
///                   └─ on_init_after ─┬─ on_disabled            (should_load() == false)
///                                     ├─ on_load_exception      (should_load panicked)
///                                     └─ approve ─┬─ on_disabled               (a listener vetoed)
///                                                 ├─ on_load_exception         (approve panicked)
///                                                 └─ on_load_before ─┬─ confirm ─┬─ on_load_after
///                                                                    │           └─ on_load_exception  (a listener failed it)
///                                                                    └─ on_load_exception              (load failed)
/// ```
///
/// `on_resolve_after` runs for every spec of the namespace when the manager first needs them;
/// `on_resolve_exception` instead, for a name declared more than once. A listener that panics in
/// a hook is contained: the panic is logged and the plugin's lifecycle goes on as if the hook had
/// returned. (That includes `println!` panicking on a closed stdout: a listener that must not
/// lose its output should write with `writeln!` and handle the error itself.)
///
/// # Failing a plugin after it loaded
///
/// [`confirm`](Self::confirm) runs once `load` succeeded, before anyone hears of it: a listener
/// returning `Err` fails the plugin with [`PluginErrorKind::Rejected`](crate::PluginErrorKind::Rejected),
/// which carries its reason. The plugin and its load output are dropped, `load` returns the
/// error, `state` shows it, every listener hears it in `on_load_exception`, and
/// [`retry`](crate::PluginManager::retry) runs the lifecycle again. A `confirm` that panics fails
/// the plugin too (as plux's listener raising in `on_load_after` does).
///
/// ```
/// use plux_core::{
///     BoxError, FunctionPlugin, PluginErrorKind, PluginLifecycleListener, PluginManager,
///     PluginSpec,
/// };
///
/// /// Fails every plugin whose name says it is experimental, once it loaded.
/// struct NoExperiments;
///
/// impl PluginLifecycleListener<FunctionPlugin<fn()>> for NoExperiments {
///     fn confirm(&self, spec: &PluginSpec, _: &FunctionPlugin<fn()>, _: &()) -> Result<(), BoxError> {
///         if spec.name().starts_with("experimental") {
///             return Err(format!("`{}` is experimental", spec.name()).into());
///         }
///         Ok(())
///     }
/// }
///
/// fn hook() {}
/// let make = || Ok(Box::new(FunctionPlugin::new(hook as fn())));
/// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("app.hooks")
///     .finder(vec![
///         PluginSpec::new("app.hooks", "audit", make)?,
///         PluginSpec::new("app.hooks", "experimental_cache", make)?,
///     ])
///     .listener(NoExperiments);
///
/// assert_eq!(manager.load_all().len(), 1);
/// let error = manager.load("experimental_cache").unwrap_err();
/// assert!(matches!(error.kind(), PluginErrorKind::Rejected { listener: 0, .. }));
/// assert!(error.to_string().contains("`experimental_cache` is experimental"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Recording
///
/// ```
/// use std::sync::Mutex;
/// use plux_core::{FunctionPlugin, PluginLifecycleListener, PluginSpec};
///
/// #[derive(Default)]
/// struct Journal(Mutex<Vec<String>>);
///
/// impl PluginLifecycleListener<FunctionPlugin<fn()>> for Journal {
///     fn on_load_after(&self, spec: &PluginSpec, _plugin: &FunctionPlugin<fn()>, _output: &()) {
///         self.0.lock().unwrap().push(format!("loaded {spec}"));
///     }
/// }
/// ```
///
/// # Vetoing a plugin
///
/// [`approve`](Self::approve) is the one hook that decides: it runs once the plugin is made and
/// its own `should_load` agreed, and a listener returning [`Veto`] disables the plugin with that
/// reason ([`DisabledReason::Vetoed`]): `load` returns it, `state` shows it, every listener hears
/// it in `on_disabled`, and [`retry`](crate::PluginManager::retry) asks again. An `approve` that
/// panics fails the plugin instead of letting it load unchecked.
///
/// ```
/// use plux_core::{
///     DisabledReason, FunctionPlugin, PluginErrorKind, PluginLifecycleListener, PluginManager,
///     PluginSpec, Veto,
/// };
///
/// /// Lets only the plugins of an allow-list load.
/// struct AllowList(&'static [&'static str]);
///
/// impl<T: ?Sized + plux_core::Plugin> PluginLifecycleListener<T> for AllowList {
///     fn approve(&self, spec: &PluginSpec, _plugin: &T) -> Result<(), Veto> {
///         if self.0.contains(&spec.name()) {
///             Ok(())
///         } else {
///             Err(Veto::new(format!("`{}` is not on the allow-list", spec.name())))
///         }
///     }
/// }
///
/// fn hook() {}
/// let specs = vec![
///     PluginSpec::new("app.hooks", "audit", || Ok(Box::new(FunctionPlugin::new(hook as fn()))))?,
///     PluginSpec::new("app.hooks", "telemetry", || Ok(Box::new(FunctionPlugin::new(hook as fn()))))?,
/// ];
/// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("app.hooks")
///     .finder(specs)
///     .listener(AllowList(&["audit"]));
///
/// assert_eq!(manager.load_all().len(), 1);
/// let error = manager.load("telemetry").unwrap_err();
/// assert!(matches!(
///     error.kind(),
///     PluginErrorKind::Disabled(DisabledReason::Vetoed { listener: 0, reason })
///         if reason == "`telemetry` is not on the allow-list"
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(unused_variables)]
pub trait PluginLifecycleListener<T: ?Sized + Plugin>: Send + Sync {
    /// The spec was found in the namespace.
    fn on_resolve_after(&self, spec: &PluginSpec) {}
    /// A spec could not be resolved (a name declared more than once).
    fn on_resolve_exception(&self, namespace: &str, error: &PluginError) {}
    /// The factory ran and made a `T`.
    fn on_init_after(&self, spec: &PluginSpec, plugin: &T) {}
    /// The factory failed, panicked, or made something that is not a `T`.
    fn on_init_exception(&self, spec: &PluginSpec, error: &PluginError) {}
    /// `load` is about to run with these arguments.
    fn on_load_before(&self, spec: &PluginSpec, plugin: &T, args: &T::Args) {}
    /// `load` succeeded and returned `output`.
    fn on_load_after(&self, spec: &PluginSpec, plugin: &T, output: &T::Output) {}
    /// `should_load` or a listener's [`approve`](Self::approve) panicked, or `load` failed or
    /// panicked.
    fn on_load_exception(&self, spec: &PluginSpec, plugin: &T, error: &PluginError) {}
    /// Whether the plugin, made and willing (its `should_load` returned `true`), may load:
    /// `Err(Veto)` disables it. The listeners are asked in the order they were added; the first
    /// veto decides and the rest are not asked. See [Vetoing a plugin](#vetoing-a-plugin).
    fn approve(&self, spec: &PluginSpec, plugin: &T) -> Result<(), Veto> {
        Ok(())
    }
    /// Whether the plugin, whose `load` just succeeded with `output`, may stay loaded: `Err`
    /// fails it with [`Rejected`](crate::PluginErrorKind::Rejected) and that reason. The
    /// listeners are asked in the order they were added; the first `Err` decides and the rest
    /// are not asked. See [Failing a plugin after it loaded](#failing-a-plugin-after-it-loaded).
    fn confirm(&self, spec: &PluginSpec, plugin: &T, output: &T::Output) -> Result<(), BoxError> {
        Ok(())
    }
    /// The plugin is disabled: by a filter, by `should_load`, or by a listener's veto.
    fn on_disabled(&self, spec: &PluginSpec, reason: &DisabledReason) {}
}

/// A listener's refusal to let a plugin load, with the reason that
/// [`DisabledReason::Vetoed`] carries (see [`PluginLifecycleListener::approve`]).
///
/// ```
/// use plux_core::Veto;
///
/// let veto = Veto::new("licence not accepted");
/// assert_eq!(veto.reason(), "licence not accepted");
/// assert_eq!(veto.to_string(), "licence not accepted");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Veto {
    reason: String,
}

impl Veto {
    /// A veto for `reason`, written for the person reading the log (the plugin is named
    /// beside it).
    pub fn new(reason: impl Into<String>) -> Self {
        Veto {
            reason: reason.into(),
        }
    }

    /// Why the plugin may not load.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub(crate) fn into_reason(self) -> String {
        self.reason
    }
}

impl fmt::Display for Veto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// A listener shared through an `Arc` (say, to read what it recorded afterwards) is a listener.
impl<T: ?Sized + Plugin, L: ?Sized + PluginLifecycleListener<T>> PluginLifecycleListener<T>
    for Arc<L>
{
    fn on_resolve_after(&self, spec: &PluginSpec) {
        (**self).on_resolve_after(spec)
    }
    fn on_resolve_exception(&self, namespace: &str, error: &PluginError) {
        (**self).on_resolve_exception(namespace, error)
    }
    fn on_init_after(&self, spec: &PluginSpec, plugin: &T) {
        (**self).on_init_after(spec, plugin)
    }
    fn on_init_exception(&self, spec: &PluginSpec, error: &PluginError) {
        (**self).on_init_exception(spec, error)
    }
    fn on_load_before(&self, spec: &PluginSpec, plugin: &T, args: &T::Args) {
        (**self).on_load_before(spec, plugin, args)
    }
    fn on_load_after(&self, spec: &PluginSpec, plugin: &T, output: &T::Output) {
        (**self).on_load_after(spec, plugin, output)
    }
    fn on_load_exception(&self, spec: &PluginSpec, plugin: &T, error: &PluginError) {
        (**self).on_load_exception(spec, plugin, error)
    }
    fn approve(&self, spec: &PluginSpec, plugin: &T) -> Result<(), Veto> {
        (**self).approve(spec, plugin)
    }
    fn confirm(&self, spec: &PluginSpec, plugin: &T, output: &T::Output) -> Result<(), BoxError> {
        (**self).confirm(spec, plugin, output)
    }
    fn on_disabled(&self, spec: &PluginSpec, reason: &DisabledReason) {
        (**self).on_disabled(spec, reason)
    }
}
