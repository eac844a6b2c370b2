//! Panics caught on the side of the artifact that raised them.
//!
//! A plugin library has its own copy of std: a panic that unwinds out of it into the program
//! that opened it is a foreign exception there, which `catch_unwind` cannot catch (the process
//! aborts). So every entry point of the plugin lifecycle that a library implements runs under
//! the library's own `catch_unwind` ([`catch`], instantiated in the library), crosses as a
//! [`Caught`] value, and is raised again on the program's side ([`resume`]), where the manager
//! contains it like any panic.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::contain::panic_message;

/// A panic caught where it was raised, carried across as its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    message: String,
}

impl Caught {
    /// The panic's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Runs `f`, catching a panic with the `catch_unwind` of the artifact that instantiates this
/// function: called from a library's code, the library's own.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| Caught {
        message: panic_message(panic),
    })
}

/// The value, or the caught panic raised again here, as a `String` payload, without running the
/// panic hook a second time.
pub fn resume<R>(result: Result<R, Caught>) -> R {
    match result {
        Ok(value) => value,
        Err(caught) => resume_unwind(Box::new(caught.message)),
    }
}
