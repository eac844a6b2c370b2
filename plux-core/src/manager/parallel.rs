//! The parallel start: every plugin of a namespace loaded on a pool of threads, each as soon as
//! the plugins it must follow (`after`, `requires`, and the `before` of others) are done.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

use super::{PluginManager, Resolved};
use crate::order::constraints;
use crate::plugin::Plugin;
use crate::state::here;

impl<T: ?Sized + Plugin> PluginManager<T> {
    /// Loads every plugin of the namespace on up to `threads` threads (this one included), and
    /// returns those that loaded, in load order — what [`load_all`](Self::load_all) returns,
    /// sooner when plugins take time to load and do not all depend on each other.
    ///
    /// A plugin starts once every plugin it must come after has finished: those it names in
    /// `after` and `requires`, and those that name it in `before`. Everything else holds as in
    /// `load_all`: each plugin's lifecycle runs at most once, failures and panics are contained
    /// and reported, and listeners hear every step — on the thread that ran it.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use plux_core::{FunctionPlugin, PluginManager, PluginSpec};
    ///
    /// fn hook() {}
    /// let make = || Ok(Box::new(FunctionPlugin::new(hook as fn())));
    /// let specs = vec![
    ///     PluginSpec::new("app.services", "database", make)?,
    ///     PluginSpec::new("app.services", "cache", make)?.with_requires(["database"])?,
    ///     PluginSpec::new("app.services", "metrics", make)?,
    /// ];
    /// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("app.services").finder(specs);
    ///
    /// let threads = NonZeroUsize::new(4).unwrap();
    /// assert_eq!(manager.load_all_parallel(threads).len(), 3);
    /// assert_eq!(manager.list_names(), ["database", "cache", "metrics"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A thread that the system refuses to start is logged, and the others (at least this one)
    /// do its share.
    pub fn load_all_parallel(&self, threads: NonZeroUsize) -> Vec<Arc<T>> {
        self.report_dropped_once();
        let resolved = self.resolved();
        let plan = Plan::of(resolved);
        let count = plan.successors.len();
        let start = Start {
            state: Mutex::new(plan.first),
            changed: Condvar::new(),
        };
        let successors = &plan.successors;
        thread::scope(|scope| {
            for worker in 1..threads.get().min(count) {
                let spawned = thread::Builder::new()
                    .name(format!("plux-start-{worker}"))
                    .spawn_scoped(scope, || self.start_work(resolved, &start, successors));
                if let Err(error) = spawned {
                    log::warn!(
                        target: "plux",
                        "namespace `{}`: could not start loader thread {worker} ({error}); the \
                         others do its share",
                        self.namespace
                    );
                    break;
                }
            }
            self.start_work(resolved, &start, successors);
        });
        self.loaded()
    }

    /// One worker: loads ready plugins until none is left.
    fn start_work(&self, resolved: &Resolved<T>, start: &Start, successors: &[Vec<usize>]) {
        here(|here| {
            while let Some(i) = start.next() {
                if let Some((entry, slot)) = self.entry(resolved, i) {
                    // Contained: an error is recorded in the slot, reported and logged.
                    let _ = self.drive(here, entry, slot, false);
                }
                start.done(successors.get(i).map_or(&[], Vec::as_slice));
            }
        });
    }
}

/// Which plugin may start after which, from the constraints that the load order honours.
struct Plan {
    /// `successors[i]`: the plugins that wait for `i` (positions in the index's entries).
    successors: Vec<Vec<usize>>,
    first: Progress,
}

impl Plan {
    fn of<T: ?Sized + Plugin>(resolved: &Resolved<T>) -> Plan {
        let index = &resolved.index;
        let entries = index.entries();
        let mut rank = vec![usize::MAX; entries.len()];
        for (position, i) in index.order().into_iter().enumerate() {
            if let Some(rank) = rank.get_mut(i) {
                *rank = position;
            }
        }
        let mut successors = vec![Vec::new(); entries.len()];
        let mut waiting_on = vec![0usize; entries.len()];
        for (i, entry) in entries.iter().enumerate() {
            let edges = constraints(entry.spec(), i, |name| index.position(name));
            for (from, to) in edges.filter_map(|(_, _, edge)| edge) {
                // Only edges that go forward in load order: those inside an ordering cycle do
                // not (its members fail at once), and waiting on them would never end.
                if rank.get(from) < rank.get(to) {
                    if let (Some(next), Some(count)) =
                        (successors.get_mut(from), waiting_on.get_mut(to))
                    {
                        next.push(to);
                        *count += 1;
                    }
                }
            }
        }
        let ready = (0..entries.len())
            .filter(|&i| waiting_on.get(i) == Some(&0))
            .filter_map(|i| Some(Reverse((*rank.get(i)?, i))))
            .collect();
        Plan {
            successors,
            first: Progress {
                ready,
                waiting_on,
                rank,
                remaining: entries.len(),
            },
        }
    }
}

/// The shared state of a parallel start. Only plux code runs under its lock.
struct Start {
    state: Mutex<Progress>,
    changed: Condvar,
}

struct Progress {
    /// Plugins whose predecessors are all done, earliest in load order first.
    ready: BinaryHeap<Reverse<(usize, usize)>>,
    waiting_on: Vec<usize>,
    rank: Vec<usize>,
    /// Plugins not done yet.
    remaining: usize,
}

impl Start {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next plugin to load, waiting until one is ready; `None` once all are done.
    fn next(&self) -> Option<usize> {
        let mut progress = self.lock();
        loop {
            if let Some(Reverse((_, i))) = progress.ready.pop() {
                return Some(i);
            }
            if progress.remaining == 0 {
                return None;
            }
            progress = self
                .changed
                .wait(progress)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A plugin is done: its `successors` may be ready.
    fn done(&self, successors: &[usize]) {
        let mut progress = self.lock();
        progress.remaining = progress.remaining.saturating_sub(1);
        for &next in successors {
            let Some(count) = progress.waiting_on.get_mut(next) else {
                continue;
            };
            *count = count.saturating_sub(1);
            if *count == 0 {
                if let Some(&rank) = progress.rank.get(next) {
                    progress.ready.push(Reverse((rank, next)));
                }
            }
        }
        drop(progress);
        self.changed.notify_all();
    }
}
