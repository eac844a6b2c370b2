//! The parallel start: every plugin of a namespace loaded on a pool of threads, each as soon as
//! the plugins it must follow (`after`, `requires`, and the `before` of others) are done.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

use super::{PluginManager, Resolved};
use crate::contain::discard;
use crate::logged::plux_log;
use crate::order::constraints;
use crate::plugin::Plugin;
use crate::state::{here, Behalf, Here};

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
    /// It starts a thread only when a plugin is ready and no thread is free to take it, so it
    /// runs at most `min(threads, plugins ready at once, MAX_THREADS)` threads (this one
    /// included), with [`MAX_THREADS`](Self::MAX_THREADS) = 64: a chain of plugins that
    /// each require the previous loads on this thread alone, whatever `threads` says. The
    /// threads it starts are named `plux-start-2`, `plux-start-3`, … (this one is the first).
    ///
    /// Called from inside a lifecycle (a plugin's `load`, a listener), the threads work on
    /// behalf of the caller: a plugin the caller is loading (through any manager) is
    /// [`Reentrant`](crate::PluginErrorKind::Reentrant) for them as it is for the caller, and
    /// the rest load.
    ///
    /// A thread that the system refuses to start is logged, and the others (at least this one)
    /// do its share.
    pub fn load_all_parallel(&self, threads: NonZeroUsize) -> Vec<Arc<T>> {
        self.report_dropped_once();
        if T::LOADS_ASYNC {
            return self.refuse_blocking();
        }
        let resolved = self.resolved();
        let plan = Plan::of(resolved, |_| true);
        let mut first = plan.first;
        first.limit = threads.get().min(Self::MAX_THREADS);
        let start = Start {
            state: Mutex::new(first),
            changed: Condvar::new(),
            successors: plan.successors,
        };
        let started = here(|here| {
            let behalf = here.behalf();
            thread::scope(|scope| {
                let work = Work {
                    manager: self,
                    resolved,
                    start: &start,
                    behalf: &behalf,
                };
                here.act_for(&behalf, |here| work.run(scope, here));
            });
        });
        match started {
            Ok(()) => self.loaded(),
            Err(exiting) => self.loaded_on_exit(exiting),
        }
    }

    /// The most threads [`load_all_parallel`](Self::load_all_parallel) runs, whatever it is
    /// asked for.
    pub const MAX_THREADS: usize = 64;
}

/// What every worker of a parallel start shares.
struct Work<'a, T: ?Sized + Plugin> {
    manager: &'a PluginManager<T>,
    resolved: &'a Resolved<T>,
    start: &'a Start,
    behalf: &'a Behalf,
}

impl<T: ?Sized + Plugin> Clone for Work<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized + Plugin> Copy for Work<'_, T> {}

impl<'a, T: ?Sized + Plugin> Work<'a, T> {
    /// One worker: loads ready plugins until none is left, starting another worker when a
    /// plugin is ready that no worker is free to take.
    fn run<'scope>(self, scope: &'scope thread::Scope<'scope, 'a>, here: Here<'_>)
    where
        'a: 'scope,
    {
        let manager = self.manager;
        while let Some((i, hire)) = self.start.next() {
            if let Some(number) = hire {
                self.hire(scope, number);
            }
            // Its part is done whatever happens: a worker that stopped here would leave the
            // others, and the caller, waiting for it forever.
            let loaded = catch_unwind(AssertUnwindSafe(|| {
                if let Some((entry, slot)) = manager.entry(self.resolved, i) {
                    // Contained: an error is recorded in the slot, reported and logged.
                    let _ = manager.drive(here, entry, slot, false);
                }
            }));
            if let Err(panic) = loaded {
                discard(panic);
            }
            self.start.done(i);
        }
    }

    /// Starts worker `number`; if the system refuses, the workers there are do its share.
    fn hire<'scope>(self, scope: &'scope thread::Scope<'scope, 'a>, number: usize)
    where
        'a: 'scope,
    {
        let spawned = thread::Builder::new()
            .name(format!("plux-start-{number}"))
            .spawn_scoped(scope, move || {
                // A thread of our own: its thread-locals are there until it returns.
                let _ = here(|here| here.act_for(self.behalf, |here| self.run(scope, here)));
            });
        if let Err(error) = spawned {
            self.start.refused();
            plux_log!(
                Warn,
                "namespace `{}`: could not start loader thread {number} ({error}); the others \
                 do its share",
                self.manager.namespace
            );
        }
    }
}

/// Which plugin may start after which, from the constraints that the load order honours.
pub(super) struct Plan {
    /// `successors[i]`: the plugins that wait for `i` (positions in the index's entries).
    pub(super) successors: Vec<Vec<usize>>,
    pub(super) first: Progress,
}

impl Plan {
    /// The plan of a start of the plugins that `started` keeps (positions in the index's
    /// entries), in load order.
    pub(super) fn of<T: ?Sized + Plugin>(
        resolved: &Resolved<T>,
        started: impl Fn(usize) -> bool,
    ) -> Plan {
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
            if !started(i) {
                continue;
            }
            let edges = constraints(entry.spec(), i, |name| index.position(name));
            for (from, to) in edges.filter_map(|(_, _, edge)| edge) {
                if !started(from) || !started(to) {
                    continue;
                }
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
            .filter(|&i| started(i) && waiting_on.get(i) == Some(&0))
            .filter_map(|i| Some(Reverse((*rank.get(i)?, i))))
            .collect();
        Plan {
            successors,
            first: Progress {
                ready,
                waiting_on,
                rank,
                remaining: (0..entries.len()).filter(|&i| started(i)).count(),
                workers: 1,
                idle: 0,
                limit: 1,
            },
        }
    }
}

/// The shared state of a parallel start. Only plux code runs under its lock.
struct Start {
    state: Mutex<Progress>,
    changed: Condvar,
    /// `successors[i]`: the plugins that wait for `i` (positions in the index's entries).
    successors: Vec<Vec<usize>>,
}

pub(super) struct Progress {
    /// Plugins whose predecessors are all done, earliest in load order first.
    ready: BinaryHeap<Reverse<(usize, usize)>>,
    waiting_on: Vec<usize>,
    rank: Vec<usize>,
    /// Plugins not done yet.
    remaining: usize,
    /// Workers at work, the caller included.
    workers: usize,
    /// Workers waiting for a plugin to be ready.
    idle: usize,
    /// The most workers it may have.
    limit: usize,
}

impl Start {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next plugin to load, waiting until one is ready, and the number of one more worker
    /// to start for the plugins ready after it, if one should start; `None` once all are done.
    /// The number is taken with the hire, under the lock: no two workers share one.
    fn next(&self) -> Option<(usize, Option<usize>)> {
        let mut progress = self.lock();
        loop {
            if let Some(Reverse((_, i))) = progress.ready.pop() {
                let hire = !progress.ready.is_empty()
                    && progress.idle == 0
                    && progress.workers < progress.limit;
                if !hire {
                    return Some((i, None));
                }
                progress.workers += 1;
                return Some((i, Some(progress.workers)));
            }
            if progress.remaining == 0 {
                return None;
            }
            progress.idle += 1;
            progress = self
                .changed
                .wait(progress)
                .unwrap_or_else(PoisonError::into_inner);
            progress.idle -= 1;
        }
    }

    /// The system refused to start a worker: the others do its share, and no more are asked
    /// for.
    fn refused(&self) {
        let mut progress = self.lock();
        progress.workers -= 1;
        progress.limit = progress.workers;
    }

    /// Plugin `i` is done: the plugins that wait for it may be ready.
    fn done(&self, i: usize) {
        self.lock().done(i, &self.successors);
        self.changed.notify_all();
    }
}

impl Progress {
    /// Plugin `i` is done: the plugins that wait for it (its `successors`) may be ready.
    pub(super) fn done(&mut self, i: usize, successors: &[Vec<usize>]) {
        self.remaining = self.remaining.saturating_sub(1);
        for &next in successors.get(i).map_or(&[][..], Vec::as_slice) {
            let Some(count) = self.waiting_on.get_mut(next) else {
                continue;
            };
            *count = count.saturating_sub(1);
            if *count == 0 {
                if let Some(&rank) = self.rank.get(next) {
                    self.ready.push(Reverse((rank, next)));
                }
            }
        }
    }

    /// The ready plugin earliest in load order, if any.
    pub(super) fn next_ready(&mut self) -> Option<usize> {
        self.ready.pop().map(|Reverse((_, i))| i)
    }

    /// Whether every plugin of the start is done.
    pub(super) fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Plugin `i`'s position in load order.
    pub(super) fn rank(&self, i: usize) -> usize {
        self.rank.get(i).copied().unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    //! The bookkeeping of workers, which a parallel start shows only through the threads it
    //! runs: checked here on the shared state alone, without plugins or threads of its own.

    use super::*;

    /// A start of `n` plugins of which `ready` are ready, `successors[i]` wait for `i`, and at
    /// most `limit` workers.
    fn start(n: usize, ready: &[usize], successors: Vec<Vec<usize>>, limit: usize) -> Start {
        let mut waiting_on = vec![0; n];
        for &next in successors.iter().flatten() {
            waiting_on[next] += 1;
        }
        Start {
            state: Mutex::new(Progress {
                ready: ready.iter().map(|&i| Reverse((i, i))).collect(),
                waiting_on,
                rank: (0..n).collect(),
                remaining: n,
                workers: 1,
                idle: 0,
                limit,
            }),
            changed: Condvar::new(),
            successors,
        }
    }

    #[test]
    fn workers_are_hired_while_plugins_wait_numbered_up_to_the_limit() {
        let start = start(4, &[0, 1, 2, 3], vec![Vec::new(); 4], 3);
        assert_eq!(start.next(), Some((0, Some(2))));
        assert_eq!(start.next(), Some((1, Some(3))));
        assert_eq!(start.next(), Some((2, None)), "the limit is reached");
        assert_eq!(start.next(), Some((3, None)), "nothing is left for another");
    }

    #[test]
    fn a_worker_refused_by_the_system_is_not_asked_for_again() {
        let start = start(4, &[0, 1, 2, 3], vec![Vec::new(); 4], 4);
        assert_eq!(start.next(), Some((0, Some(2))));
        start.refused();
        assert_eq!(start.next(), Some((1, None)));
        assert_eq!(start.next(), Some((2, None)));
    }

    #[test]
    fn a_worker_that_waited_hires_again() {
        // Plugin 0 is loading elsewhere; 1 and 2 wait for it.
        let start = start(3, &[], vec![vec![1, 2], Vec::new(), Vec::new()], 2);
        thread::scope(|scope| {
            let worker = scope.spawn(|| start.next());
            // Once the worker waits for a plugin to be ready, 0 is done and frees two.
            while start.lock().idle == 0 {
                thread::yield_now();
            }
            start.done(0);
            let next = worker.join().expect("no panic");
            assert_eq!(
                next,
                Some((1, Some(2))),
                "no worker is idle any more: one is hired for plugin 2"
            );
        });
        assert_eq!(start.next(), Some((2, None)));
        start.done(1);
        start.done(2);
        assert_eq!(start.next(), None, "all done");
    }
}
