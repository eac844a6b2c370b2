//! Functions as plugins: [`Hook`], the contract of a typed hook point, and [`FunctionPlugin`],
//! a function registered in a namespace by name.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use crate::error::PluginError;
use crate::manager::PluginManager;
use crate::plugin::{BoxError, Plugin};

/// What an `async fn` hook returns, as its hook point declares it:
/// `#[hook_point(namespace = "app.warmup")] pub struct Warmup(fn(&App) -> HookFuture<'_>);`.
/// `#[plugin(hook = Warmup)]` on an `async fn` boxes its future, so that the fn is a plain fn
/// pointer of that type; the program awaits each hook it loads
/// (`for hook in manager.load_all() { hook(&app).await; }`).
///
/// With several borrowed arguments, the future borrows them all: name the one lifetime,
/// `for<'a> fn(&'a App, &'a str) -> HookFuture<'a>`.
///
/// ```
/// use plux_core::HookFuture;
///
/// // What `#[plugin(hook = Warmup)] async fn fill_cache(region: &str) -> usize { .. }` becomes.
/// fn fill_cache(region: &str) -> HookFuture<'_, usize> {
///     Box::pin(async move { region.len() })
/// }
///
/// let hook: fn(&str) -> HookFuture<'_, usize> = fill_cache;
/// assert_eq!(futures::executor::block_on(hook("eu")), 2);
/// ```
pub type HookFuture<'a, T = ()> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A plugin that is one function: a hook point declared with `#[hook_point]`, or a
/// [`FunctionPlugin`]. It derefs to the function, so a loaded hook is called like one, and its
/// manager runs every hook of the namespace with [`call_all`](PluginManager::call_all).
///
/// `#[hook_point(namespace = "...")]` on `struct Startup(fn(&mut App));` implements it, and
/// `#[plugin(hook = Startup)]` on a fn checks at compile time that the fn has that signature.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a hook point",
    label = "not a hook point",
    note = "declare one with `#[plux::hook_point(namespace = \"my.hooks\")]` on \
            `pub struct {Self}(fn(..));`"
)]
pub trait Hook: Plugin<Args = (), Output = ()> + Deref<Target = Self::Fn> {
    /// The function pointer type, e.g. `fn(&mut App)`.
    type Fn: Copy + Send + Sync + 'static;

    /// Wraps a function of the hook's signature.
    fn from_fn(function: Self::Fn) -> Self;
}

/// A function registered as a plugin in a namespace given by name:
/// `#[plugin(namespace = "...")]` on `fn configure(runtime: &Runtime)` registers a
/// `FunctionPlugin<fn(&Runtime)>`, which a
/// `PluginManager::<FunctionPlugin<fn(&Runtime)>>::in_namespace("...")` loads.
///
/// Nothing ties that namespace to that signature: a function of another signature is a
/// [`WrongType`](crate::PluginErrorKind::WrongType) error at run time. A hook point
/// (`#[hook_point]`) makes the compiler check it; prefer it beyond quick use.
///
/// ```
/// use plux_core::FunctionPlugin;
///
/// fn double(x: u32) -> u32 { x * 2 }
///
/// let plugin = FunctionPlugin::new(double as fn(u32) -> u32);
/// assert_eq!(plugin(21), 42);
/// ```
#[derive(Clone, Copy)]
pub struct FunctionPlugin<F>(F);

impl<F> FunctionPlugin<F> {
    /// Wraps `function`.
    pub const fn new(function: F) -> Self {
        FunctionPlugin(function)
    }
}

impl<F: Send + Sync + 'static> Plugin for FunctionPlugin<F> {
    type Args = ();
    type Output = ();

    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

impl<F: Copy + Send + Sync + 'static> Hook for FunctionPlugin<F> {
    type Fn = F;

    fn from_fn(function: F) -> Self {
        FunctionPlugin(function)
    }
}

impl<F> Deref for FunctionPlugin<F> {
    type Target = F;

    fn deref(&self) -> &F {
        &self.0
    }
}

impl<F> fmt::Debug for FunctionPlugin<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FunctionPlugin")
            .field(&std::any::type_name::<F>())
            .finish()
    }
}

impl<H: Hook> PluginManager<H> {
    /// Loads every hook of the namespace and calls each one, in load order, with `call`;
    /// returns what each call returned. Give hooks a `priority` or `after`/`before` constraints
    /// to order them.
    ///
    /// Hooks that fail to load or are disabled do not run; they are logged and reported to the
    /// listeners, as in [`load_all`](PluginManager::load_all). To see them, use
    /// [`try_call_all`](Self::try_call_all). The calls themselves are yours: a hook that panics
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
    /// let hooks = PluginManager::<FunctionPlugin<fn(u32) -> u32>>::in_namespace("math.hooks")
    ///     .finder(specs);
    /// assert_eq!(hooks.call_all(|hook| hook(5)), [25, 10]); // square has the higher priority
    /// # Ok::<(), plux_core::InvalidIdent>(())
    /// ```
    pub fn call_all<R>(&self, mut call: impl FnMut(&H::Fn) -> R) -> Vec<R> {
        self.load_all().iter().map(|hook| call(hook)).collect()
    }

    /// Loads every hook of the namespace and, only if none failed, calls each one in load order;
    /// otherwise returns the first failure and calls none. Disabled hooks are skipped, not errors
    /// (see [`try_load_all`](PluginManager::try_load_all)).
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginErrorKind, PluginManager, PluginSpec};
    ///
    /// fn ping() -> &'static str { "pong" }
    /// let specs = vec![
    ///     PluginSpec::new("net.hooks", "ping", || Ok(Box::new(FunctionPlugin::new(ping as fn() -> &'static str))))?,
    ///     PluginSpec::new("net.hooks", "broken", || Err::<Box<FunctionPlugin<fn() -> &'static str>>, _>("no config".into()))?,
    /// ];
    /// let hooks = PluginManager::<FunctionPlugin<fn() -> &'static str>>::in_namespace("net.hooks")
    ///     .finder(specs);
    /// let failure = hooks.try_call_all(|hook| hook()).unwrap_err();
    /// assert_eq!(failure.name(), Some("broken"));
    /// assert!(matches!(failure.kind(), PluginErrorKind::Factory(_)));
    /// # Ok::<(), plux_core::InvalidIdent>(())
    /// ```
    pub fn try_call_all<R>(
        &self,
        mut call: impl FnMut(&H::Fn) -> R,
    ) -> Result<Vec<R>, PluginError> {
        Ok(self.try_load_all()?.iter().map(|hook| call(hook)).collect())
    }
}
