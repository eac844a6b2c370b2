//! Every log line of plux goes through [`plux_log!`]: a logger is user code, and one that panics
//! (one writing into a closed pipe does) must not unwind out of a manager method, leave a plugin
//! interrupted, or kill a worker of a parallel start before it finishes its part.
//!
//! Which level each line is logged at is decided where it is logged; this module only contains.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// `log::log!(target: "plux", Level::$level, ..)`, with a panic of the logger (or of a `Display`
/// it formats) contained: the line is lost, nothing else.
macro_rules! plux_log {
    ($level:ident, $($arg:tt)+) => {
        $crate::logged::contained(|| ::log::log!(target: "plux", ::log::Level::$level, $($arg)+))
    };
}
pub(crate) use plux_log;

/// Whether the logger takes lines of target `plux` at `level`; a logger whose `enabled` panics
/// takes none.
pub(crate) fn enabled(level: log::Level) -> bool {
    catch_unwind(|| log::log_enabled!(target: "plux", level)).unwrap_or_else(|panic| {
        forget_panic(panic);
        false
    })
}

/// Runs `log`, a call into the logger; a panic there is swallowed (there is nowhere left to
/// report it: the logger is what broke).
#[inline]
pub(crate) fn contained(log: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(log)) {
        forget_panic(panic);
    }
}

/// Drops a caught payload, whose own `Drop` may panic again: that one is leaked.
#[cold]
fn forget_panic(panic: Box<dyn std::any::Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(panic))) {
        std::mem::forget(second);
    }
}
