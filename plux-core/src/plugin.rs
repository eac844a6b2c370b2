//! The plugin contract: what a [`PluginManager`](crate::PluginManager) can drive through its lifecycle.

/// The error a factory or [`Plugin::load`] returns: any error type converts into it with `?`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A plugin: something that decides whether it wants to be loaded, and loads.
///
/// The manager calls [`should_load`](Plugin::should_load) once, then [`load`](Plugin::load) once
/// with the manager's load arguments, before the plugin is shared: `load` gets `&mut self`, so it
/// can keep what it sets up without interior mutability. A plugin is not a lifecycle record: the
/// manager keeps the state (loaded, disabled, failed) beside it.
///
/// An *interface* is a trait that extends `Plugin` with fixed `Args` and `Output`; a manager of
/// `dyn Interface` then drives every plugin that implements it (see
/// [`PluginInterface`]).
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
    note = "implement it: `impl plux::Plugin for {Self} {{ type Args = (); type Output = (); \
            fn load(&mut self, _: &()) -> Result<(), plux::BoxError> {{ Ok(()) }} }}`; an interface \
            trait extends it: `trait MyInterface: plux::Plugin<Args = .., Output = ..>`"
)]
pub trait Plugin: Send + Sync + 'static {
    /// The load arguments, given once to the manager and handed to every plugin's `load`.
    /// Use `()` for none.
    type Args: Send + Sync + 'static;
    /// What a successful `load` returns; the manager keeps it with the plugin's state and hands
    /// it to [`on_load_after`](crate::PluginLifecycleListener::on_load_after). Use `()` for nothing.
    type Output: Send + Sync + 'static;

    /// Whether this plugin should be loaded at all; `false` makes it *disabled*, which is not an
    /// error. Runs after the factory, before `load`. The default is `true`.
    fn should_load(&self) -> bool {
        true
    }

    /// Loads the plugin. An `Err` (or a panic) marks this plugin failed; the others carry on.
    fn load(&mut self, args: &Self::Args) -> Result<Self::Output, BoxError>;
}

/// A plugin interface that owns its namespace: the Rust counterpart of plux's abstract plugin
/// class with a `namespace` attribute.
///
/// Implemented for `dyn YourTrait` by `#[plugin_interface(namespace = "...")]` on the trait, so
/// that `#[plugin]` on `impl YourTrait for YourType` needs no namespace, and
/// [`PluginManager::for_interface`](crate::PluginManager::for_interface) needs none either.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no plux namespace",
    label = "no namespace for this interface",
    note = "declare it once on the trait: `#[plux::plugin_interface(namespace = \"my.plugins\")]`, \
            or name it on the plugin: `#[plugin(namespace = \"my.plugins\")]`"
)]
pub trait PluginInterface: Plugin {
    /// The namespace of every plugin of this interface.
    const NAMESPACE: &'static str;
}
