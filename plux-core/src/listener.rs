//! [`PluginLifecycleListener`]: hooks that hear of every lifecycle step of a manager's plugins.

use std::sync::Arc;

use crate::error::{DisabledReason, PluginError};
use crate::plugin::Plugin;
use crate::spec::PluginSpec;

/// Hears of every transition and every failure in a [`PluginManager`](crate::PluginManager).
///
/// Every method has a no-op default, so a listener implements only what it needs. Hooks run on
/// the thread that drives the lifecycle, in this order for one plugin:
///
/// ```text
/// on_resolve_after ─┬─ on_disabled                              (a filter, or the spec's should_load, said no)
///                   ├─ on_init_exception                        (factory failed or wrong type)
///                   └─ on_init_after ─┬─ on_disabled            (should_load() == false)
///                                     ├─ on_load_exception      (should_load panicked)
///                                     └─ on_load_before ─┬─ on_load_after
///                                                        └─ on_load_exception
/// ```
///
/// `on_resolve_after` runs for every spec of the namespace when the manager first needs them;
/// `on_resolve_exception` instead, for a name declared more than once. A listener that panics is
/// contained: the panic is logged and the plugin's lifecycle goes on as if the hook had returned.
/// (That includes `println!` panicking on a closed stdout: a listener that must not lose its
/// output should write with `writeln!` and handle the error itself.)
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
    /// `should_load` panicked, or `load` failed or panicked.
    fn on_load_exception(&self, spec: &PluginSpec, plugin: &T, error: &PluginError) {}
    /// The plugin is disabled, by a filter or by `should_load`.
    fn on_disabled(&self, spec: &PluginSpec, reason: &DisabledReason) {}
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
    fn on_disabled(&self, spec: &PluginSpec, reason: &DisabledReason) {
        (**self).on_disabled(spec, reason)
    }
}
