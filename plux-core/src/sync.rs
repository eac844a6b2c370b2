//! The synchronisation primitives of the slot state machine ([`crate::state`]), gathered here so
//! that the model check (`model/`, tests only) can compile the very same `state.rs` over
//! shuttle's instrumented primitives instead: `state.rs` reaches them only as `super::sync::*`.

use std::collections::HashMap;
use std::sync::LazyLock;

pub(crate) use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
pub(crate) use std::thread::ThreadId;
pub(crate) use std::thread_local;

pub(crate) fn current_thread() -> ThreadId {
    std::thread::current().id()
}

/// Waiter → (the thread it waits for, the slot it waits on): see `state::waits`.
pub(crate) type WaitEdges = HashMap<ThreadId, (ThreadId, usize)>;

/// The one wait-for graph of the process, across every manager.
pub(crate) fn wait_edges() -> &'static Mutex<WaitEdges> {
    static EDGES: LazyLock<Mutex<WaitEdges>> = LazyLock::new(Default::default);
    &EDGES
}
