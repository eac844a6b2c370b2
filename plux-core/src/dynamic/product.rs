//! A plugin made by a plugin library, put into the slot of a program's manager by fingerprint.

use std::any::Any;
use std::sync::Arc;

use crate::plugin::Plugin;

/// Puts `plugin` into `slot`, the `Option<Arc<T>>` of a program's manager whose `T` has `P`'s
/// fingerprint ([`Product::wants`](crate::Product) checked it), wrapped so that the program's
/// calls into it are guarded (`Plugin::__plux_guarded`; this runs on the library's side).
pub(crate) fn put_across<P: ?Sized + Plugin>(slot: &mut dyn Any, plugin: Arc<P>) {
    let slot: *mut Option<Arc<P>> = std::ptr::from_mut(slot).cast();
    // SAFETY: `slot` is the manager's `Option<Arc<T>>` (`PluginSpec::create`), borrowed mutably
    // for this call. `P` (this library's) and `T` (the program's) have equal fingerprints: the
    // same interface or hook point, declared by the same crate and version with the same tokens;
    // and the library passed the checks of `open` (same rustc, target, panic strategy, plux), so
    // `Option<Arc<P>>` and `Option<Arc<T>>` have the same layout and `dyn` vtable layout. The
    // `Arc` was allocated with the program's allocator (the library allocates with it), and the
    // library is never unloaded, so its vtable and code stay valid. The old value is `None`, so
    // the assignment drops nothing.
    unsafe { *slot = Some(P::__plux_guarded(plugin)) };
}
