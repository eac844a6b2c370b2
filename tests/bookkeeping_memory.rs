//! What plux keeps per thread and per parallel start to detect re-entrance and deadlocks is
//! given back when a run ends: a thread that has run thousands of plugins, or thousands of
//! threads that each started a namespace in parallel, leave nothing behind.
//!
//! In a file of its own because it counts the allocations of its whole binary (`counting`).

mod counting;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

use counting::LIVE;
use plux::{FunctionPlugin, PluginManager, PluginSpec};

type Nop = FunctionPlugin<fn()>;

const NS: &str = "bm.plugins";
const MANY: usize = 4_000;

/// `n` plugins with nothing to load, their names made at run time (as a finder makes them),
/// and new at every call.
fn plugins(n: usize) -> Vec<PluginSpec> {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Relaxed);
    (0..n)
        .map(|i| {
            PluginSpec::new(NS, format!("c{call}p{i:05}"), || {
                Ok(Box::new(FunctionPlugin::new((|| {}) as fn())))
            })
            .expect("valid spec")
        })
        .collect()
}

/// The live heap bytes that `step` leaves behind, once it has run a few times already (so that
/// what plux sets up once per process or thread is counted before).
fn left_behind(step: impl Fn()) -> usize {
    for _ in 0..3 {
        step();
    }
    let before = LIVE.load(Relaxed);
    step();
    LIVE.load(Relaxed).saturating_sub(before)
}

// One test: the allocator counts every thread of the binary.
#[test]
fn runs_and_parallel_starts_leave_no_bookkeeping_behind() {
    // Every plugin a thread runs is recorded as running there, and the record is taken back.
    let thread_runs = left_behind(|| {
        let manager = PluginManager::<Nop>::in_namespace(NS).finder(plugins(MANY));
        assert_eq!(manager.load_all().len(), MANY);
    });
    assert!(
        thread_runs < 8 << 10,
        "{thread_runs} bytes left behind by a thread that ran {MANY} plugins"
    );

    // Every parallel start records, in the wait-for graph, that its thread waits for its
    // workers, and takes that back.
    let one = NonZeroUsize::new(1).expect("not zero");
    let starts = left_behind(|| {
        let manager = PluginManager::<Nop>::in_namespace(NS).finder(plugins(1));
        for _ in 0..MANY / 4 {
            thread::scope(|scope| {
                scope.spawn(|| assert_eq!(manager.load_all_parallel(one).len(), 1));
            });
        }
    });
    assert!(
        starts < 8 << 10,
        "{starts} bytes left behind by {} threads that each made a parallel start",
        MANY / 4
    );
    println!("left behind: {thread_runs} bytes by the runs, {starts} by the starts");
}
