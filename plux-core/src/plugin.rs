//! The plugin contract: what a [`PluginManager`](crate::PluginManager) drives through its lifecycle.

use std::future::Future;
use std::pin::Pin;

use crate::fingerprint::Fingerprint;

/// The error a factory or [`Plugin::load`] returns: any error type converts into it with `?`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`Plugin::load_async`] returns: the load, as a future that any executor can drive.
///
/// Boxed so that `dyn Interface` can hand it out (an `async fn` in a trait makes the trait
/// unusable as `dyn`); `#[plugin_interface]` writes the box for an `async fn load`.
pub type LoadFuture<'a, O> = Pin<Box<dyn Future<Output = Result<O, BoxError>> + Send + 'a>>;

/// What a manager drives: something that decides whether it wants to be loaded, and loads.
///
/// You rarely implement it yourself. The macros implement it for you:
///
/// * `#[plugin_interface]` implements it for `dyn YourInterface`, forwarding to the interface's
///   own `should_load` and `load` (provided once by the interface, overridable by each plugin);
/// * `#[hook_point]` implements it for the hook point;
/// * `#[plugin(namespace = "...")]` on a struct, an enum or an inherent impl implements it for a
///   type with nothing to load.
///
/// Implement it by hand for a type that is managed as itself and loads something, and put
/// `#[plugin(namespace = "...")]` on that impl. The manager calls
/// [`should_load`](Plugin::should_load) once, then [`load`](Plugin::load) once with the
/// manager's load arguments, before the plugin is shared: `load` gets `&mut self`, so it can keep
/// what it sets up without interior mutability.
///
/// ```
/// use plux_core::{BoxError, Plugin};
///
/// #[derive(Default)]
/// struct Greeter {
///     greeting: Option<String>,
/// }
///
/// impl Plugin for Greeter {
///     type Args = String; // what the manager hands to `load`
///     type Output = usize; // what `load` returns, kept beside the plugin
///
///     fn load(&mut self, who: &String) -> Result<usize, BoxError> {
///         let greeting = format!("hello, {who}");
///         let len = greeting.len();
///         self.greeting = Some(greeting);
///         Ok(len)
///     }
/// }
///
/// let mut plugin = Greeter::default();
/// assert!(plugin.should_load());
/// assert_eq!(plugin.load(&"world".to_string()).unwrap(), 12);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plux plugin",
    label = "`{Self}` does not implement `plux::Plugin`",
    note = "declare the interface with `#[plux::plugin_interface(namespace = \"..\")]` and manage \
            `dyn Interface`; put `#[plux::plugin(namespace = \"..\")]` on a type with nothing to \
            load; or implement `plux::Plugin` for it"
)]
pub trait Plugin: Send + Sync + 'static {
    /// What this type is across separately compiled artifacts: set by `#[plugin_interface]` and
    /// `#[hook_point]`, `None` for other types. A plugin made by a plugin library is handed to a
    /// manager of `T` only when its fingerprint equals `T`'s (see [`dynamic`](crate::dynamic)).
    const FINGERPRINT: Option<&'static Fingerprint> = None;

    /// The load arguments, given once to the manager and handed to every plugin's `load`.
    /// `()` for none.
    type Args: Send + Sync + 'static;
    /// What a successful `load` returns; the manager keeps it with the plugin's state and hands
    /// it to [`on_load_after`](crate::PluginLifecycleListener::on_load_after). `()` for nothing.
    type Output: Send + Sync + 'static;

    /// Whether this plugin should be loaded at all; `false` makes it *disabled*, which is not an
    /// error. Runs after the factory, before `load`. The default is `true`.
    fn should_load(&self) -> bool {
        true
    }

    /// Whether this plugin loads with the manager's load arguments (its configuration, say):
    /// a [`Veto`](crate::Veto) makes it *disabled*, with
    /// [`DisabledReason::Declined`](crate::DisabledReason::Declined) and the veto's reason, not
    /// failed. Runs after [`should_load`](Plugin::should_load), before the listeners' approval
    /// and `load`. The default loads.
    ///
    /// ```
    /// use plux_core::{BoxError, Plugin, Veto};
    ///
    /// struct Config { metrics: bool }
    ///
    /// struct Metrics;
    ///
    /// impl Plugin for Metrics {
    ///     type Args = Config;
    ///     type Output = ();
    ///     fn should_load_with(&self, config: &Config) -> Result<(), Veto> {
    ///         if config.metrics { Ok(()) } else { Err(Veto::new("metrics are off in the configuration")) }
    ///     }
    ///     fn load(&mut self, _: &Config) -> Result<(), BoxError> { Ok(()) }
    /// }
    ///
    /// assert!(Metrics.should_load_with(&Config { metrics: false }).is_err());
    /// ```
    fn should_load_with(&self, args: &Self::Args) -> Result<(), crate::Veto> {
        let _ = args;
        Ok(())
    }

    /// Loads the plugin. An `Err` (or a panic) marks this plugin failed; the others carry on.
    ///
    /// A plugin whose [`LOADS_ASYNC`](Plugin::LOADS_ASYNC) is `true` loads with
    /// [`load_async`](Plugin::load_async) instead, and no manager calls this.
    fn load(&mut self, args: &Self::Args) -> Result<Self::Output, BoxError>;

    /// Whether this plugin loads with [`load_async`](Plugin::load_async): then only the async
    /// API of a manager ([`load_async`](crate::PluginManager::load_async),
    /// [`load_all_async`](crate::PluginManager::load_all_async), ...) loads it, and the
    /// blocking one returns [`LoadsAsync`](crate::PluginErrorKind::LoadsAsync) for it rather
    /// than block a thread on a future. `#[plugin_interface]` sets it for an interface whose
    /// `load` is an `async fn`. The default is `false`.
    const LOADS_ASYNC: bool = false;

    /// Loads the plugin as a future, for the async API of a manager, which awaits it exactly
    /// once; an `Err`, a panic while polling it, or its being dropped unfinished (see
    /// [`Cancelled`](crate::PluginErrorKind::Cancelled)) marks the plugin failed.
    ///
    /// The default runs [`load`](Plugin::load) at once, so that the async API loads any plugin.
    /// Override it together with [`LOADS_ASYNC`](Plugin::LOADS_ASYNC); `load` is then never
    /// called, and may say so:
    ///
    /// ```
    /// use plux_core::{BoxError, LoadFuture, Plugin};
    ///
    /// #[derive(Default)]
    /// struct Pool { connections: usize }
    ///
    /// impl Plugin for Pool {
    ///     type Args = usize;
    ///     type Output = ();
    ///     const LOADS_ASYNC: bool = true;
    ///
    ///     fn load(&mut self, _: &usize) -> Result<(), BoxError> {
    ///         Err("`Pool` loads asynchronously".into())
    ///     }
    ///
    ///     fn load_async<'a>(&'a mut self, size: &'a usize) -> LoadFuture<'a, ()> {
    ///         Box::pin(async move {
    ///             // connect, await the handshakes...
    ///             self.connections = *size;
    ///             Ok(())
    ///         })
    ///     }
    /// }
    /// ```
    fn load_async<'a>(&'a mut self, args: &'a Self::Args) -> LoadFuture<'a, Self::Output> {
        Box::pin(std::future::ready(self.load(args)))
    }

    /// Stops the plugin: what [`PluginManager::unload_all`](crate::PluginManager::unload_all)
    /// runs once for each loaded plugin, in reverse load order, when the program is done with
    /// them. An `Err` (or a panic) is reported; the others still unload. The default does
    /// nothing.
    fn unload(&self) -> Result<(), BoxError> {
        Ok(())
    }

    /// Whether this plugin unloads with [`unload_async`](Plugin::unload_async) only: then the
    /// blocking [`unload_all`](crate::PluginManager::unload_all) refuses, and
    /// [`unload_all_async`](crate::PluginManager::unload_all_async) unloads it.
    /// `#[plugin_interface]` sets it for an interface whose `unload` is an `async fn`.
    const UNLOADS_ASYNC: bool = false;

    /// [`unload`](Plugin::unload) as a future, for
    /// [`unload_all_async`](crate::PluginManager::unload_all_async). The default runs `unload`.
    fn unload_async(&self) -> LoadFuture<'_, ()> {
        Box::pin(std::future::ready(self.unload()))
    }

    /// A plugin made by a plugin library, as the program's manager is handed it: set by
    /// `#[plugin_interface]` to a wrapper whose calls catch a panic on the library's side and
    /// raise it again on the program's. Not called for a program's own plugins.
    #[doc(hidden)]
    fn __plux_guarded(plugin: std::sync::Arc<Self>) -> std::sync::Arc<Self> {
        plugin
    }
}

/// A plugin type that owns its namespace, so that [`PluginManager::new`](crate::PluginManager::new)
/// needs none: the Rust counterpart of plux's abstract plugin class with a `namespace` attribute.
///
/// Implemented by the macros: for `dyn YourTrait` by `#[plugin_interface(namespace = "...")]`,
/// for a hook point by `#[hook_point(namespace = "...")]`, and for a type registered as itself
/// by `#[plugin(namespace = "...")]`.
///
/// ```
/// use plux_core::PluginInterface;
///
/// fn namespace_of<T: ?Sized + PluginInterface>() -> &'static str {
///     T::NAMESPACE
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no plux namespace",
    label = "no namespace for this plugin type",
    note = "declare it once on the interface: `#[plux::plugin_interface(namespace = \"my.plugins\")]`, \
            or manage a namespace by name: `PluginManager::<{Self}>::in_namespace(\"my.plugins\")`"
)]
pub trait PluginInterface: Plugin {
    /// The namespace of every plugin of this type.
    const NAMESPACE: &'static str;
}

/// `T`'s fingerprint, for the registry of interfaces (`T` is an interface or a hook point).
#[doc(hidden)]
// Only ever evaluated in a `static`'s initializer: a panic would be a compile error of the
// macro's expansion, never one at run time.
#[allow(clippy::panic)]
pub const fn fingerprint_of<T: ?Sized + Plugin>() -> Fingerprint {
    match T::FINGERPRINT {
        Some(fingerprint) => *fingerprint,
        None => panic!("not an interface or a hook point"),
    }
}

/// What an interface's `load` (or `unload`) returns, for the macros (`__private` re-exports it): a `Result` of its output, or `()` for an infallible load
/// with no output.
#[diagnostic::on_unimplemented(
    message = "an interface's `load` returns `Result<Output, E>` or nothing, not `{Self}`",
    label = "write `-> Result<(), plux::BoxError>`, or return nothing"
)]
pub trait LoadResult {
    /// What the plugin's `load` produces.
    type Output: Send + Sync + 'static;
    /// The output, or the plugin's error.
    fn into_result(self) -> Result<Self::Output, BoxError>;
}

impl<O: Send + Sync + 'static, E: Into<BoxError>> LoadResult for Result<O, E> {
    type Output = O;
    fn into_result(self) -> Result<O, BoxError> {
        self.map_err(Into::into)
    }
}

impl LoadResult for () {
    type Output = ();
    fn into_result(self) -> Result<(), BoxError> {
        Ok(())
    }
}
