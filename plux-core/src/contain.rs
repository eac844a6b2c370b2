//! User code's panics, contained where plux calls it: a plugin's `Drop` or `Display`, a panic's
//! own payload. Each helper turns a panic into a message or a log line, never an unwind through
//! a manager.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::logged::plux_log;

/// The message of a caught panic. Consumes the payload, dropping it inside a panic guard: a
/// payload's own `Drop` may panic too, and must not unwind through the manager.
pub(crate) fn panic_message(panic: Box<dyn Any + Send>) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(panic))) {
        // Dropping this one could panic again; leaking a panic payload is the lesser harm.
        std::mem::forget(second);
    }
    message
}

/// `value.to_string()`, inside a panic guard: the `Display` of a plugin's error is user code.
pub(crate) fn display_contained(value: &dyn std::fmt::Display) -> String {
    catch_unwind(AssertUnwindSafe(|| value.to_string()))
        .unwrap_or_else(|panic| format!("(its Display panicked: {})", panic_message(panic)))
}

/// Drops `value` inside a panic guard: whatever holds a plugin, a plugin's error or a load
/// output may run user code in its `Drop`, which must not unwind through the manager.
pub(crate) fn discard<V>(value: V) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        plux_log!(
            Error,
            "a plugin value panicked when dropped ({}); ignored",
            panic_message(panic)
        );
    }
}
