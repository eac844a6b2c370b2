//! What a plugin library hands the program, wrapped so that the program's calls into it run
//! [`guarded`]: a panic in them is caught on the library's side and raised again on the
//! program's, where the program (and plux) can contain it, instead of aborting the process.
//!
//! The wrappers are made on the library's side, by the library's copy of this code: their
//! vtables, and so the `catch_unwind` they call, are the library's. A program makes none of
//! them, so its own plugins are called as they always were.

use std::error::Error;
use std::fmt;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use crate::dynamic::contain::{guarded, Caught};
use crate::plugin::BoxError;

/// A plugin made by a plugin library, as the program's manager holds it: `#[plugin_interface]`
/// implements the interface for `Guarded<dyn Interface>` by calling each method of the plugin
/// [`guarded`]; its `Drop`, `Debug`, `Display` and `Error` (when the interface has them) are
/// guarded too. Also an error made by a library, as a `BoxError` (`guard_error`).
///
/// A plugin is only ever wrapped in an `Arc`, around a plugin whose `Arc` is unique (by the
/// library's factory, see `Plugin::__plux_guarded`).
pub struct Guarded<T: ?Sized>(ManuallyDrop<Arc<T>>);

impl<T: ?Sized> Guarded<T> {
    /// Wraps the plugin, when its `Arc` is its only one (as a factory's must be); else returns
    /// it, and the manager fails it as a plugin whose factory kept a clone.
    pub fn unique(mut plugin: Arc<T>) -> Result<Self, Arc<T>> {
        match Arc::get_mut(&mut plugin) {
            Some(_) => Ok(Guarded(ManuallyDrop::new(plugin))),
            None => Err(plugin),
        }
    }

    /// The plugin, for a method that takes `&self`.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The plugin, for a method that takes `&mut self`. Called inside [`guarded`], as the
    /// plugin's own code: it panics when the plugin kept the `Arc` that a method taking
    /// `self: Arc<Self>` was given (the only way it can share itself once wrapped), where a
    /// program's `Arc::get_mut` on a linked plugin would have found it shared.
    pub fn get_mut(&mut self) -> &mut T {
        match Arc::get_mut(&mut self.0) {
            Some(plugin) => plugin,
            // The plugin's own doing, reported as a panic of its method, as the program's
            // `Arc::get_mut` cannot see it through the wrapper.
            #[allow(clippy::panic)]
            None => panic!(
                "this plugin library's plugin kept a clone of its `Arc`: it cannot be borrowed \
                 mutably"
            ),
        }
    }

    /// The plugin, for a method that takes `self: Arc<Self>`.
    pub fn arc(&self) -> Arc<T> {
        Arc::clone(&self.0)
    }
}

impl<T: ?Sized> Drop for Guarded<T> {
    fn drop(&mut self) {
        // SAFETY: the field is dropped here once, and never used again.
        guarded(|| unsafe { ManuallyDrop::drop(&mut self.0) });
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Guarded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        guarded(|| fmt::Debug::fmt(&**self.0, f))
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Guarded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        guarded(|| fmt::Display::fmt(&**self.0, f))
    }
}

impl<T: ?Sized + Error> Error for Guarded<T> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        guarded(|| self.0.source())
    }
}

/// `error`, wrapped so that the program's calls into it (`Display`, `Debug`, `source`, `Drop`)
/// are guarded; called on the library's side on every error that crosses to the program. What
/// `source` returns is the library's own error, not guarded.
pub(crate) fn guard_error(error: BoxError) -> BoxError {
    let error: Arc<dyn Error + Send + Sync> = Arc::from(error);
    Box::new(Guarded(ManuallyDrop::new(error)))
}

/// What a method of a library's plugin returns that holds a [`BoxError`], with that error
/// guarded: `Result<T, BoxError>`, and the `Result<Result<T, BoxError>, Caught>` of the
/// lifecycle's entry points.
pub trait GuardErrors: Sized {
    /// The value, its errors guarded.
    fn guard_errors(self) -> Self;
}

impl<T> GuardErrors for Result<T, BoxError> {
    fn guard_errors(self) -> Self {
        self.map_err(guard_error)
    }
}

impl<T> GuardErrors for Result<Result<T, BoxError>, Caught> {
    fn guard_errors(self) -> Self {
        self.map(GuardErrors::guard_errors)
    }
}

/// What `(&output).__plux_guard_kind()` picks for an output that holds errors: its errors are
/// guarded. By method resolution, this impl on the output's own type wins over `OtherKind`'s
/// on a reference to it (the expansion of `#[plugin_interface]` knows each method's return type
/// only as written, which may be an alias).
pub struct GuardsErrors;

impl GuardsErrors {
    /// `output`, its errors guarded.
    pub fn guard<R: GuardErrors>(self, output: R) -> R {
        output.guard_errors()
    }
}

/// Picks `GuardsErrors` for an output that holds errors.
pub trait ErrorsKind {
    /// `GuardsErrors`.
    fn __plux_guard_kind(&self) -> GuardsErrors {
        GuardsErrors
    }
}

impl<R: GuardErrors> ErrorsKind for R {}

/// What `(&output).__plux_guard_kind()` picks for any other output: it is returned as it is.
pub struct Unguarded;

impl Unguarded {
    /// `output`.
    pub fn guard<R>(self, output: R) -> R {
        output
    }
}

/// Picks `Unguarded` for an output without errors.
pub trait OtherKind {
    /// `Unguarded`.
    fn __plux_guard_kind(&self) -> Unguarded {
        Unguarded
    }
}

impl<R> OtherKind for &R {}
