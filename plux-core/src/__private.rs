//! What the macros expand to. Not public API: it changes without notice.

pub use crate::__linked_spec as linked_spec;
pub use crate::__location as location;
pub use crate::__plugin_without_load as plugin_without_load;
pub use crate::__submit as submit;
pub use crate::__submit_interface as submit_interface;
pub use crate::__submit_link as submit_link;
pub use crate::dynamic::abi::{Exported, Exports, Header, Str};
pub use crate::dynamic::contain::{
    catch, catch_load, guarded, resume, resume_load, Caught, CaughtLoad,
};
pub use crate::dynamic::export::{header_copy, library_exports, library_header, HostAllocator};
pub use crate::dynamic::guard::{ErrorsKind, Guarded, OtherKind};
pub use crate::fingerprint::{Definition, LayoutOf, UnsizedLayout};
pub use crate::plugin::{fingerprint_of, LoadResult};
// The inventory backend's registry of interfaces is its collection, which needs no name here.
#[cfg(not(feature = "inventory"))]
pub use crate::fingerprint::backend::*;
pub use crate::registry::backend::*;
pub use crate::spec::linked::{Extra, LinkedSpec, Managed};

use crate::fingerprint::Fingerprint;
use crate::function::Hook;
use crate::plugin::{BoxError, Plugin, PluginInterface};
use std::sync::Arc;

use crate::spec::{FactoryResult, Product};

/// `impl Plugin` for a type with nothing to load.
#[doc(hidden)]
#[macro_export]
macro_rules! __plugin_without_load {
    ($ty:ty) => {
        impl $crate::Plugin for $ty {
            type Args = ();
            type Output = ();
            fn load(&mut self, _: &()) -> ::core::result::Result<(), $crate::BoxError> {
                ::core::result::Result::Ok(())
            }
        }
    };
}

/// The `Location` of the macro call.
#[doc(hidden)]
#[macro_export]
macro_rules! __location {
    () => {
        $crate::Location {
            module_path: ::core::option::Option::Some(::core::module_path!()),
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
            library: ::core::option::Option::None,
        }
    };
}

/// `T::default()`, for a type plugin without a `factory`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `Default`, which #[plugin] calls to make it",
    label = "`{Self}` does not implement `Default`",
    note = "derive it with `#[derive(Default)]`, or name a factory that makes the plugin: \
            `#[plugin(..., factory = {Self}::new)]`"
)]
pub trait DefaultFactory: Sized {
    /// Makes the plugin.
    fn make() -> Self;
}

impl<T: Default> DefaultFactory for T {
    fn make() -> Self {
        T::default()
    }
}

/// What a factory of `P` returned, as a `P`: the plugin itself, or a `Result` of it.
#[diagnostic::on_unimplemented(
    message = "this factory makes `{Self}`, but the plugin is `{P}`",
    label = "expected a factory that returns `{P}` or `Result<{P}, E>`",
    note = "a factory is called with no arguments and returns the plugin, or a `Result` of it \
            whose error converts into `plux::BoxError`"
)]
pub trait FactoryOf<P> {
    /// The plugin, or the factory's error.
    fn into_plugin(self) -> Result<P, BoxError>;
}

impl<P> FactoryOf<P> for P {
    fn into_plugin(self) -> Result<P, BoxError> {
        Ok(self)
    }
}

impl<P, E: Into<BoxError>> FactoryOf<P> for Result<P, E> {
    fn into_plugin(self) -> Result<P, BoxError> {
        self.map_err(Into::into)
    }
}

/// Calls a factory. A generic fn rather than `(factory)()`: a closure would be called where it
/// is declared (which clippy flags in the user's crate), and a value that cannot be called gets
/// rustc's "expected an `FnOnce()` closure" error, which shows how to wrap it.
pub fn call<F: FnOnce() -> R, R>(factory: F) -> R {
    factory()
}

/// Hands a boxed plugin (an interface's, boxed as `dyn Interface` where the coercion is
/// checked) to the manager.
pub fn product<T: ?Sized + Plugin>(product: Product<'_>, plugin: Box<T>) -> Result<(), BoxError> {
    product.put::<T>(Arc::from(plugin));
    Ok(())
}

/// Hands a plugin registered as itself to the manager: its one allocation.
pub fn plugin<T: Plugin>(product: Product<'_>, plugin: T) -> Result<(), BoxError> {
    product.put(Arc::new(plugin));
    Ok(())
}

/// What a `plugin_spec!` factory returned (a plugin or a `Result` of one), handed over.
pub fn inferred_product<R: FactoryResult>(product: Product<'_>, made: R) -> Result<(), BoxError> {
    plugin(product, made.into_plugin()?)
}

/// The factory of a type plugin without a `factory`: `T::default()`, made only for a manager
/// of `T`.
pub fn default_product<T: Plugin + DefaultFactory>(product: Product<'_>) -> Result<(), BoxError> {
    product.make(|| Ok(Arc::new(T::make())))
}

/// The factory of a function plugin: the function, wrapped as the hook `H`. Not inlined, so
/// that the function plugins of one signature share it, and each one's own factory is a jump.
#[inline(never)]
pub fn hook<H: Hook>(product: Product<'_>, function: H::Fn) -> Result<(), BoxError> {
    product.make(|| Ok(Arc::new(H::from_fn(function))))
}

/// A struct declared with `#[hook_point]`: a hook in a namespace of its own. The expansion of
/// `#[plugin(hook = H)]` names `H` through this trait only, so that a type that is not a hook
/// point gets this one error, at `H`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a hook point",
    label = "not a hook point",
    note = "declare it with `#[plux::hook_point(namespace = \"my.hooks\")]` on \
            `pub struct {Self}(fn(..));`, or register the fn by namespace: \
            `#[plux::plugin(namespace = \"my.hooks\")]`"
)]
pub trait HookPoint: Hook + PluginInterface {
    /// The hook's fn type, `Hook::Fn` (a path through a subtrait cannot name that either).
    type HookFn;
    /// The hook point's namespace (a path through a subtrait cannot name `NAMESPACE`).
    const HOOK_NAMESPACE: &'static str = <Self as PluginInterface>::NAMESPACE;
    /// The hook point's fingerprint.
    const HOOK_FINGERPRINT: Option<&'static Fingerprint> = <Self as Plugin>::FINGERPRINT;
    /// What every function plugin of the hook point shares.
    const HOOK_MANAGED: &'static Managed =
        &Managed::new(Self::HOOK_NAMESPACE, Self::HOOK_FINGERPRINT);
    /// A fn of the hook point's signature that calls `F::FUNCTION` [`guarded`]: what a plugin
    /// library hands the program. Made only when `F::FUNCTION` is of the hook point's fn type
    /// ([`hook_fn`]).
    fn guarded<F: HookFnItem>() -> Self::HookFn
    where
        Self: Sized;
    /// The factory of the hook `function`, which is `F::FUNCTION`: the function, wrapped as the
    /// hook point; guarded when the factory runs in a plugin library.
    fn hook_product<F: HookFnItem>(
        product: Product<'_>,
        function: Self::HookFn,
    ) -> Result<(), BoxError>
    where
        Self: Sized + Hook<Fn = Self::HookFn>,
        Self::HookFn: Copy + 'static,
    {
        let function = if product.in_library() && hook_fn::<F, Self::HookFn>().is_some() {
            Self::guarded::<F>()
        } else {
            function
        };
        hook::<Self>(product, function)
    }
}

/// The fn of a `#[plugin(hook = H)]` as a type, declared by the expansion, so that
/// [`HookPoint::guarded`] can make a fn pointer that calls it. Its fn type is the fn's own (the
/// hook point's is checked apart, where a mismatch gets its one clear error).
pub trait HookFnItem {
    /// The fn's pointer type.
    type Fn: Copy + 'static;
    /// The fn.
    const FUNCTION: Self::Fn;
}

/// `F::FUNCTION` as a `P`, the hook point's fn type; `None` if it is of another (which
/// compiles only where the plain fn coerced to `P` in subtyping, e.g. `fn(&str)` for a hook of
/// `fn(&'static str)`: such a hook is not guarded).
pub fn hook_fn<F: HookFnItem, P: Copy + 'static>() -> Option<P> {
    let function: &dyn std::any::Any = &F::FUNCTION;
    function.downcast_ref::<P>().copied()
}

/// A trait declared with `#[plugin_interface]`, as `dyn Trait`. The expansion of `#[plugin]`
/// on a plugin of it names the interface through this trait only, so that a trait that is not
/// one gets this one error, at the trait's name.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plugin interface",
    label = "not declared with #[plugin_interface]",
    note = "declare the trait with `#[plux::plugin_interface(namespace = \"my.plugins\")]`, \
            which gives the namespace of its plugins"
)]
pub trait Interface: PluginInterface {
    /// The interface's namespace (a path through a subtrait cannot name `NAMESPACE`).
    const INTERFACE_NAMESPACE: &'static str = <Self as PluginInterface>::NAMESPACE;
    /// The interface's fingerprint.
    const INTERFACE_FINGERPRINT: Option<&'static Fingerprint> = <Self as Plugin>::FINGERPRINT;
    /// What every plugin of the interface shares.
    const INTERFACE_MANAGED: &'static Managed =
        &Managed::new(Self::INTERFACE_NAMESPACE, Self::INTERFACE_FINGERPRINT);
    /// A made plugin of the interface.
    fn interface_product(made: Product<'_>, plugin: Box<Self>) -> Result<(), BoxError> {
        product(made, plugin)
    }
}
