//! Model check of the slot state machine: `state.rs` itself, compiled a second time over
//! shuttle's primitives (the `sync` shim below replaces `crate::sync`), and run under many
//! random schedules. Shuttle explores interleavings of its own locks, condvars and threads and
//! reports a deadlock as a failure; every scenario below must hold in every schedule.
//!
//! The slot's word (`run`), its records' lock and the wait-for graph's lock and condition
//! variable are shuttle's, so shuttle schedules around every step of a claim, a wait and a
//! settle. What the shim cannot swap: the slot's `OnceLock` stays std's (only the running
//! thread writes it, before it settles the word), and so does the counter that numbers threads.

// Loaded twice on purpose (that is the model check); the second copy leaves unused what only
// the manager calls.
#[allow(dead_code, unused_imports, clippy::duplicate_mod)]
#[path = "../state.rs"]
mod state;

/// The same names as `crate::sync`, from shuttle.
mod sync {
    pub(crate) use shuttle::sync::atomic::AtomicU64;
    pub(crate) use shuttle::sync::{Condvar, Mutex, MutexGuard, PoisonError};
    pub(crate) use shuttle::thread::ThreadId;
    pub(crate) use shuttle::thread_local;

    use super::state::Waits;

    pub(crate) fn current_thread() -> ThreadId {
        shuttle::thread::current().id()
    }

    /// A fresh graph for every execution: shuttle's primitives belong to one execution.
    pub(crate) fn waits() -> &'static Waits {
        shuttle::lazy_static! {
            static ref WAITS: Waits = Waits::default();
        }
        &WAITS
    }
}

use std::borrow::Cow;
use std::sync::Arc;

use shuttle::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use shuttle::thread;

use self::state::{here, Loaded, Outcome, PluginState, Slot};
use crate::error::{PluginError, PluginErrorKind};
use crate::spec::Key;
use crate::{BoxError, FunctionPlugin};

/// Schedules per scenario: enough to meet the rare interleavings of 2-3 threads, little
/// enough that all scenarios run in seconds on two cores.
const SCHEDULES: usize = 5_000;

/// A plugin with nothing to load: what the machine stores does not matter to it.
type Nop = FunctionPlugin<fn()>;

const NS: Cow<'static, str> = Cow::Borrowed("model");

fn error(kind: PluginErrorKind) -> PluginError {
    PluginError::new("model", "p", kind)
}

fn loaded() -> Outcome<Nop> {
    Outcome::Loaded(Loaded {
        plugin: Arc::new(FunctionPlugin::new((|| {}) as fn())),
        output: (),
    })
}

fn failed() -> Outcome<Nop> {
    Outcome::Failed(Box::new(error(PluginErrorKind::Load(Arc::from(
        BoxError::from("no"),
    )))))
}

fn kind<T>(result: &Result<T, PluginError>) -> &'static str {
    match result {
        Ok(_) => "Ok",
        Err(e) => match e.kind() {
            PluginErrorKind::Load(_) => "Load",
            PluginErrorKind::Reentrant => "Reentrant",
            PluginErrorKind::Interrupted => "Interrupted",
            _ => "other",
        },
    }
}

/// Runs `scenario` on `threads` threads sharing one fresh slot; returns each thread's result.
fn on_threads<R: Send + 'static>(
    threads: usize,
    scenario: impl Fn(&Slot<Nop>, usize) -> R + Send + Sync + 'static,
) -> (Arc<Slot<Nop>>, Vec<R>) {
    let slot = Arc::new(Slot::new());
    let scenario = Arc::new(scenario);
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (slot, scenario) = (slot.clone(), scenario.clone());
            thread::spawn(move || scenario(&slot, i))
        })
        .collect();
    let results = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    (slot, results)
}

/// The slot loaded, by one run, and every thread got the same plugin (by address).
fn assert_loaded_once(slot: &Slot<Nop>, runs: &AtomicUsize, plugins: &[usize]) {
    assert_eq!(runs.load(SeqCst), 1);
    assert!(plugins.iter().all(|p| *p == plugins[0]), "one instance");
    assert!(matches!(slot.state(), PluginState::Loaded { .. }));
}

#[test]
fn every_schedule_runs_a_lifecycle_once_and_shares_its_outcome() {
    shuttle::check_random(
        || {
            let runs = Arc::new(AtomicUsize::new(0));
            let counted = runs.clone();
            let (slot, plugins) = on_threads(3, move |slot, _| {
                let name = Cow::Borrowed("once");
                slot.get_or_run((&NS, &name), false, error, || {
                    counted.fetch_add(1, SeqCst);
                    loaded()
                })
                .map(|loaded| Arc::as_ptr(&loaded.plugin).cast::<()>() as usize)
                .expect("loads")
            });
            assert_loaded_once(&slot, &runs, &plugins);
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_gives_every_waiter_the_one_failure_and_a_retry_runs_once_more() {
    shuttle::check_random(
        || {
            let runs = Arc::new(AtomicUsize::new(0));
            let counted = runs.clone();
            let (slot, kinds) = on_threads(3, move |slot, i| {
                let name = Cow::Borrowed("fails");
                // Thread 2 retries: it reruns the lifecycle if it comes after the failure.
                let result = slot.get_or_run((&NS, &name), i == 2, error, || {
                    if counted.fetch_add(1, SeqCst) == 0 {
                        failed()
                    } else {
                        loaded()
                    }
                });
                kind(&result)
            });
            let runs = runs.load(SeqCst);
            assert!(runs == 1 || runs == 2, "{runs} runs");
            assert!(
                kinds.iter().all(|k| *k == "Ok" || *k == "Load"),
                "{kinds:?}"
            );
            // The slot keeps the outcome of the last run.
            let last_loaded = runs == 2;
            assert_eq!(
                matches!(slot.state(), PluginState::Loaded { .. }),
                last_loaded
            );
            assert_eq!(kinds[2] == "Ok", last_loaded);
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_of_a_cycle_across_threads_ends_in_a_cycle_error_not_a_deadlock() {
    shuttle::check_random(
        || {
            let a = Arc::new(Slot::<Nop>::new());
            let b = Arc::new(Slot::<Nop>::new());
            let ask = |first: Arc<Slot<Nop>>, second: Arc<Slot<Nop>>, names: [&'static str; 2]| {
                thread::spawn(move || {
                    let [n1, n2] = names.map(Cow::Borrowed);
                    let inner = std::sync::Mutex::new("none");
                    let outer = first.get_or_run((&NS, &n1), false, error, || {
                        let result = second.get_or_run((&NS, &n2), false, error, loaded);
                        *inner.lock().expect("not poisoned") = kind(&result);
                        loaded()
                    });
                    let inner = *inner.lock().expect("not poisoned");
                    (kind(&outer), inner)
                })
            };
            let one = ask(a.clone(), b.clone(), ["a", "b"]);
            let two = ask(b, a, ["b", "a"]);
            let results = [one.join().expect("no panic"), two.join().expect("no panic")];
            // Shuttle fails the schedule if both threads wait for each other. Each outer load
            // succeeds (its lifecycle swallows the inner error); an inner load waited for the
            // other thread's outcome, found it loaded ("none" ran), or saw the cycle, which
            // only one of the two can see.
            assert!(
                results.iter().all(|(outer, _)| *outer == "Ok"),
                "{results:?}"
            );
            let cycles = results
                .iter()
                .filter(|(_, inner)| *inner == "Reentrant")
                .count();
            assert!(cycles <= 1, "{results:?}");
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_of_a_thread_asking_for_what_it_runs_gets_a_cycle_error() {
    shuttle::check_random(
        || {
            let (_, kinds) = on_threads(2, |slot, _| {
                let name = Cow::Borrowed("self");
                let inner = std::sync::Mutex::new("none");
                let outer = slot.get_or_run((&NS, &name), false, error, || {
                    *inner.lock().expect("not poisoned") =
                        kind(&slot.get_or_run((&NS, &name), false, error, loaded));
                    loaded()
                });
                let inner = *inner.lock().expect("not poisoned");
                (kind(&outer), inner)
            });
            // One thread ran it and met itself; the other waited (inner "none") or ran nothing.
            assert!(kinds.iter().all(|(outer, _)| *outer == "Ok"), "{kinds:?}");
            assert_eq!(
                kinds
                    .iter()
                    .filter(|(_, inner)| *inner == "Reentrant")
                    .count(),
                1,
                "{kinds:?}"
            );
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_of_a_run_that_unwinds_wakes_its_waiters_with_interrupted() {
    shuttle::check_random(
        || {
            let (slot, kinds) = on_threads(2, |slot, i| {
                let name = Cow::Borrowed("unwinds");
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    kind(&slot.get_or_run((&NS, &name), false, error, || {
                        std::panic::resume_unwind(Box::new(i))
                    }))
                }));
                result.unwrap_or("unwound")
            });
            assert_eq!(
                kinds.iter().filter(|k| **k == "unwound").count(),
                1,
                "{kinds:?}"
            );
            assert!(kinds.contains(&"Interrupted"), "{kinds:?}");
            assert!(matches!(slot.state(), PluginState::Failed(_)));
        },
        SCHEDULES,
    );
}

/// On a worker of a parallel start that the thread running `a` makes (as `load_all_parallel`
/// from inside `a`'s `load` does), runs `work` and joins it: the run of `a` waits for its worker.
fn start_worker<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    let behalf = here(|here| here.behalf()).expect("alive");
    let worker =
        thread::spawn(move || here(|here| here.act_for(&behalf, |_| work())).expect("alive"));
    worker.join().expect("no panic")
}

#[test]
fn every_schedule_of_a_worker_asking_for_what_its_principal_runs_gets_a_cycle_error() {
    shuttle::check_random(
        || {
            let a = Arc::new(Slot::<Nop>::new());
            let name = Cow::Borrowed("a");
            let inner = Arc::new(std::sync::Mutex::new(("none", "none")));
            let (slot, seen) = (a.clone(), inner.clone());
            let outer = a.get_or_run((&NS, &name), false, error, move || {
                let worker = start_worker(move || {
                    let name = Cow::Borrowed("a");
                    // The same slot (the same manager), and a fresh manager's.
                    let same = kind(&slot.get_or_run((&NS, &name), false, error, loaded));
                    let fresh = Slot::<Nop>::new();
                    let fresh = kind(&fresh.get_or_run((&NS, &name), false, error, loaded));
                    (same, fresh)
                });
                *seen.lock().expect("not poisoned") = worker;
                loaded()
            });
            assert_eq!(kind(&outer), "Ok");
            assert_eq!(
                *inner.lock().expect("not poisoned"),
                ("Reentrant", "Reentrant")
            );
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_of_a_cycle_through_a_worker_and_another_thread_ends_in_a_cycle_error() {
    // `p` runs `a` and waits for its worker, which asks for `b`; `t` runs `b`, which asks for
    // `a`: a cycle p -> worker -> t -> p, whose last wait must see it.
    shuttle::check_random(
        || {
            let a = Arc::new(Slot::<Nop>::new());
            let b = Arc::new(Slot::<Nop>::new());
            let (a2, b2) = (a.clone(), b.clone());
            let t = thread::spawn(move || {
                let (na, nb) = (Cow::Borrowed("a"), Cow::Borrowed("b"));
                let inner = std::sync::Mutex::new("none");
                let outer = b2.get_or_run((&NS, &nb), false, error, || {
                    *inner.lock().expect("not poisoned") =
                        kind(&a2.get_or_run((&NS, &na), false, error, loaded));
                    loaded()
                });
                let inner = *inner.lock().expect("not poisoned");
                (kind(&outer), inner)
            });
            let name = Cow::Borrowed("a");
            let worker_saw = Arc::new(std::sync::Mutex::new("none"));
            let seen = worker_saw.clone();
            let outer = a.get_or_run((&NS, &name), false, error, move || {
                *seen.lock().expect("not poisoned") = start_worker(move || {
                    let name = Cow::Borrowed("b");
                    kind(&b.get_or_run((&NS, &name), false, error, loaded))
                });
                loaded()
            });
            let (t_outer, t_inner) = t.join().expect("no panic");
            let worker = *worker_saw.lock().expect("not poisoned");
            assert_eq!((kind(&outer), t_outer), ("Ok", "Ok"));
            let cycles = [t_inner, worker]
                .iter()
                .filter(|k| **k == "Reentrant")
                .count();
            assert!(cycles <= 1, "{t_inner} {worker}");
        },
        SCHEDULES,
    );
}

/// Claims `slot` as the task `number`, awaiting another thread's or task's run of it: what an
/// async start's task does first.
// A key borrows the `Cow`s of the names, as a spec's does.
#[allow(clippy::ptr_arg)]
async fn claim_as_task<'s>(
    slot: &'s Slot<Nop>,
    name: &'s Cow<'static, str>,
    number: u64,
) -> Result<state::AsyncClaim<'s, Nop>, PluginError> {
    let mut ticket = state::Ticket::default();
    std::future::poll_fn(|cx| {
        here(|here| {
            here.as_task(number, |_| {
                slot.as_ref()
                    .poll_claim(Key::Names((&NS, name)), false, &mut ticket, cx)
            })
        })
        .expect("the thread is not exiting")
    })
    .await
}

#[test]
fn every_schedule_wakes_a_task_that_waits_on_a_thread_and_runs_the_lifecycle_once() {
    shuttle::check_random(
        || {
            let runs = Arc::new(AtomicUsize::new(0));
            let counted = runs.clone();
            let (slot, plugins) = on_threads(3, move |slot, i| {
                let name = Cow::Borrowed("mixed");
                let result = if i == 0 {
                    slot.get_or_run((&NS, &name), false, error, || {
                        counted.fetch_add(1, SeqCst);
                        loaded()
                    })
                } else {
                    // Two tasks, each on a thread of its own, each under a number of its own.
                    shuttle::future::block_on(async {
                        match claim_as_task(slot, &name, state::task_number()).await? {
                            state::AsyncClaim::Loaded(loaded) => Ok(loaded),
                            state::AsyncClaim::Mine(claimed) => {
                                counted.fetch_add(1, SeqCst);
                                shuttle::thread::yield_now();
                                claimed.finish(loaded())
                            }
                        }
                    })
                };
                result
                    .map(|loaded| Arc::as_ptr(&loaded.plugin).cast::<()>() as usize)
                    .expect("loads")
            });
            assert_loaded_once(&slot, &runs, &plugins);
        },
        SCHEDULES,
    );
}

#[test]
fn every_schedule_of_a_cancelled_task_wakes_its_waiters_with_the_cancellation() {
    shuttle::check_random(
        || {
            let (slot, kinds) = on_threads(2, move |slot, i| {
                let name = Cow::Borrowed("cancelled");
                if i == 0 {
                    // Claims the slot as a task, then drops the claim unfinished: what dropping
                    // the future of an async start does.
                    shuttle::future::block_on(async {
                        match claim_as_task(slot, &name, state::task_number()).await {
                            Ok(state::AsyncClaim::Mine(claimed)) => {
                                shuttle::thread::yield_now();
                                drop(claimed);
                                "dropped"
                            }
                            Ok(state::AsyncClaim::Loaded(_)) => "Ok",
                            Err(e) if matches!(e.kind(), PluginErrorKind::Cancelled) => "Cancelled",
                            Err(_) => "other",
                        }
                    })
                } else {
                    match slot.get_or_run((&NS, &name), false, error, loaded) {
                        Ok(_) => "Ok",
                        Err(e) if matches!(e.kind(), PluginErrorKind::Cancelled) => "Cancelled",
                        Err(_) => "other",
                    }
                }
            });
            // Either the thread loaded it first (the task then found it loaded), or the task
            // claimed it and the thread, waiting or coming after, got the cancellation.
            match (kinds[0], kinds[1]) {
                ("Ok", "Ok") => assert!(matches!(slot.state(), PluginState::Loaded { .. })),
                ("dropped", "Cancelled") => assert!(matches!(
                    slot.state(),
                    PluginState::Failed(e) if matches!(e.kind(), PluginErrorKind::Cancelled)
                )),
                other => panic!("{other:?}"),
            }
        },
        SCHEDULES,
    );
}
