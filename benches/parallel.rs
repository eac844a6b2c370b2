//! The parallel start (issue 10): 100 plugins whose `load` sleeps 10 ms, in 4 chains of 25 (each
//! plugin `requires` the previous one of its chain). The floor is the longest chain, 25 × 10 ms =
//! 250 ms; loading one by one costs the sum, 1 000 ms.
//!
//! | bench | what runs |
//! |---|---|
//! | `load_all` | a fresh manager's `load_all`: one thread |
//! | `load_all_parallel_8` | a fresh manager's `load_all_parallel` with 8 threads |
//! | `longest_chain_floor` | no plux: 25 sleeps of 10 ms in a row |
//!
//! `cargo bench --bench parallel`; `PLUX_BENCH_QUICK=1` for a smoke run.

mod support;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use plux::{BoxError, Plugin, PluginManager};

const CHAINS: usize = 4;
const LENGTH: usize = 25;
const PAUSE: Duration = Duration::from_millis(10);
const NAMESPACE: &str = "bench.parallel";

/// A plugin whose `load` takes [`PAUSE`], as a service that connects somewhere.
struct Slow;

impl Plugin for Slow {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        thread::sleep(PAUSE);
        Ok(())
    }
}

fn manager() -> PluginManager<Slow> {
    let specs = support::chains(NAMESPACE, CHAINS, LENGTH, || Ok(Box::new(Slow)));
    PluginManager::in_namespace(NAMESPACE).finder(specs)
}

fn main() {
    let mut c = support::criterion();
    let threads = NonZeroUsize::new(8).expect("not zero");
    assert_eq!(manager().load_all_parallel(threads).len(), CHAINS * LENGTH);

    let mut group = c.benchmark_group("parallel");
    group.sample_size(10);
    group.bench_function("load_all", |b| {
        b.iter(|| black_box(manager().load_all().len()))
    });
    group.bench_function("load_all_parallel_8", |b| {
        b.iter(|| black_box(manager().load_all_parallel(threads).len()))
    });
    group.bench_function("longest_chain_floor", |b| {
        b.iter(|| {
            for _ in 0..LENGTH {
                thread::sleep(black_box(PAUSE));
            }
        })
    });
    group.finish();
    c.final_summary();
}
