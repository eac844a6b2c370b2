//! The synchronisation primitives of the slot state machine ([`crate::state`]), gathered here so
//! that the model check (`model/`, tests only) can compile the very same `state.rs` over
//! shuttle's instrumented primitives instead: `state.rs` reaches them only as `super::sync::*`.

use std::sync::LazyLock;

pub(crate) use std::sync::atomic::AtomicU64;
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
pub(crate) use std::thread::ThreadId;
pub(crate) use std::thread_local;

use crate::state::Waits;

pub(crate) fn current_thread() -> ThreadId {
    std::thread::current().id()
}

/// The one wait-for graph of the process, across every manager (see `state::Waits`).
pub(crate) fn waits() -> &'static Waits {
    static WAITS: LazyLock<Waits> = LazyLock::new(Waits::default);
    &WAITS
}
