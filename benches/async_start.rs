//! The async start (issue 23), each figure beside its floor in the same criterion group.
//!
//! | group | plux | floor |
//! |---|---|---|
//! | `async_chains` | a fresh manager's `load_all_async` of 100 plugins whose `load` awaits a 10 ms timer, in 4 chains of 25 (each `requires` the previous one of its chain), on tokio's current-thread runtime | the longest chain without plux: 25 awaits of the same timer in a row, on the same runtime |
//! | `async_overhead` | a fresh manager's `load_all_async` of 1 000 trivial plugins, driven by `futures::executor::block_on` | the same manager's `load_all` (the same plugins, whose `load` is not a future) |
//!
//! `cargo bench --bench async_start`; `PLUX_BENCH_QUICK=1` for a smoke run.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Throughput};
use plux::{BoxError, LoadFuture, Plugin, PluginManager};
use plux_benches::{Trivial, NAMESPACES, PER_NAMESPACE};

const CHAINS: usize = 4;
const LENGTH: usize = 25;
const PAUSE: Duration = Duration::from_millis(10);
const CHAINED: &str = "bench.async";
/// The namespace of 1 000 trivial plugins (the registry bench's).
const TRIVIAL: &str = NAMESPACES[3];

/// A plugin whose `load` awaits [`PAUSE`] on tokio's timer, as a service that connects
/// somewhere.
struct Waits;

impl Plugin for Waits {
    type Args = ();
    type Output = ();
    const LOADS_ASYNC: bool = true;

    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Err("loads asynchronously".into())
    }

    fn load_async<'a>(&'a mut self, _: &'a ()) -> LoadFuture<'a, ()> {
        Box::pin(async {
            tokio::time::sleep(PAUSE).await;
            Ok(())
        })
    }
}

fn chained() -> PluginManager<Waits> {
    let specs = support::chains(CHAINED, CHAINS, LENGTH, || Ok(Box::new(Waits)));
    PluginManager::in_namespace(CHAINED).finder(specs)
}

fn main() {
    let mut c = support::criterion();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    assert_eq!(
        runtime.block_on(chained().load_all_async()).len(),
        CHAINS * LENGTH
    );

    let mut group = c.benchmark_group("async_chains");
    group.sample_size(10);
    group.bench_function("load_all_async", |b| {
        b.iter(|| black_box(runtime.block_on(chained().load_all_async()).len()))
    });
    group.bench_function("longest_chain_floor", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for _ in 0..LENGTH {
                    tokio::time::sleep(black_box(PAUSE)).await;
                }
            })
        })
    });
    group.finish();

    let mut group = c.benchmark_group("async_overhead");
    group.throughput(Throughput::Elements(PER_NAMESPACE as u64));
    let fresh = || PluginManager::<Trivial>::in_namespace(TRIVIAL);
    // The namespace's index, built once for the process, outside the timings.
    assert_eq!(fresh().load_all().len(), PER_NAMESPACE);
    group.bench_function("load_all", |b| {
        b.iter_batched(
            fresh,
            |manager| {
                let plugins = manager.load_all();
                (manager, plugins)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("load_all_async", |b| {
        b.iter_batched(
            fresh,
            |manager| {
                let plugins = futures::executor::block_on(manager.load_all_async());
                (manager, plugins)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
    c.final_summary();
}
