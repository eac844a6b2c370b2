//! [`FunctionPlugin`]: a function that is a plugin, made by `#[plugin]` on a `fn`.

use std::fmt;
use std::ops::Deref;

use crate::manager::PluginManager;
use crate::plugin::{BoxError, Plugin};

/// A function registered as a plugin. It satisfies the [`Plugin`] contract and derefs to the
/// function, so a loaded plugin is called like the function, with the function's own signature.
///
/// `#[plugin(namespace = "...")]` on `fn configure(runtime: &Runtime)` registers a
/// `FunctionPlugin<fn(&Runtime)>`; a `PluginManager<FunctionPlugin<fn(&Runtime)>>` loads it.
///
/// ```
/// use plux_core::{FunctionPlugin, Plugin};
///
/// fn double(x: u32) -> u32 { x * 2 }
///
/// let mut plugin = FunctionPlugin::new(double as fn(u32) -> u32);
/// assert!(plugin.should_load());
/// plugin.load(&()).unwrap();
/// assert_eq!(plugin(21), 42);
/// ```
#[derive(Clone, Copy)]
pub struct FunctionPlugin<F> {
    function: F,
    should_load: fn() -> bool,
}

impl<F> FunctionPlugin<F> {
    /// Wraps `function`; it always wants to be loaded.
    pub const fn new(function: F) -> Self {
        FunctionPlugin {
            function,
            should_load: || true,
        }
    }

    /// Wraps `function`, asking `should_load` whether to load it (e.g. a configuration check).
    pub const fn with_should_load(function: F, should_load: fn() -> bool) -> Self {
        FunctionPlugin {
            function,
            should_load,
        }
    }

    /// The wrapped function.
    pub fn function(&self) -> &F {
        &self.function
    }
}

impl<F: Send + Sync + 'static> Plugin for FunctionPlugin<F> {
    type Args = ();
    type Output = ();

    fn should_load(&self) -> bool {
        (self.should_load)()
    }

    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

impl<F> Deref for FunctionPlugin<F> {
    type Target = F;

    fn deref(&self) -> &F {
        &self.function
    }
}

impl<F> fmt::Debug for FunctionPlugin<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionPlugin")
            .field("function", &std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

impl<F: Send + Sync + 'static> PluginManager<FunctionPlugin<F>> {
    /// Loads every function plugin of the namespace and calls each one, in load order, with
    /// `call`; returns what each call returned. This is the "ordered hooks" pattern: give hooks a
    /// `priority` or `after`/`before` constraints, then run them all with the same arguments.
    ///
    /// Plugins that fail to load or are disabled are skipped, as in
    /// [`load_all`](PluginManager::load_all). The calls themselves are yours: a hook that panics
    /// here unwinds into the caller, as calling the function directly would.
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginManager, PluginSpec};
    ///
    /// fn double(x: u32) -> u32 { x * 2 }
    /// fn square(x: u32) -> u32 { x * x }
    /// let hook = |name: &'static str, f: fn(u32) -> u32| {
    ///     PluginSpec::new("math.hooks", name, move || Ok(Box::new(FunctionPlugin::new(f))))
    /// };
    /// let specs = vec![hook("double", double)?, hook("square", square)?.with_priority(1)];
    ///
    /// let hooks = PluginManager::<FunctionPlugin<fn(u32) -> u32>>::new("math.hooks").finder(specs);
    /// assert_eq!(hooks.call_all(|hook| hook(5)), [25, 10]); // square has the higher priority
    /// # Ok::<(), plux_core::InvalidIdent>(())
    /// ```
    pub fn call_all<R>(&self, mut call: impl FnMut(&F) -> R) -> Vec<R> {
        self.load_all()
            .iter()
            .map(|plugin| call(plugin.function()))
            .collect()
    }
}
