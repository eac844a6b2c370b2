//! [`FunctionPlugin`]: a function that is a plugin, made by `#[plugin]` on a `fn`.

use std::fmt;
use std::ops::Deref;

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
