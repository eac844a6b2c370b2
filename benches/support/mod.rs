//! What every bench of this directory shares: criterion set up for a 2-core machine, the
//! `PLUX_BENCH_QUICK` smoke mode, and the fresh-manager benches of the registry's.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion};
use plux::{BoxError, Plugin, PluginManager, PluginSpec};
use plux_benches::Trivial;

/// Whether `PLUX_BENCH_QUICK` asks for a smoke run (every measurement shortened).
pub fn quick() -> bool {
    std::env::var_os("PLUX_BENCH_QUICK").is_some()
}

/// Criterion with short warm-ups and measurements (2 s per bench, 0.1 s when quick), then the
/// command line's own settings.
pub fn criterion() -> Criterion {
    let (warm_up, measurement, samples) = if quick() {
        (Duration::from_millis(50), Duration::from_millis(100), 10)
    } else {
        (Duration::from_millis(500), Duration::from_secs(2), 30)
    };
    Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .sample_size(samples)
        .configure_from_args()
}

/// `chains` chains of `length` plugins of `namespace`, each plugin requiring the previous one of
/// its chain: the shape of the starts that the parallel and async benches time.
#[allow(dead_code)] // not every bench of the directory times a start
pub fn chains<P: ?Sized + Plugin>(
    namespace: &'static str,
    chains: usize,
    length: usize,
    make: fn() -> Result<Box<P>, BoxError>,
) -> Vec<PluginSpec> {
    let name = |chain: usize, step: usize| format!("chain{chain}-{step:02}");
    (0..chains)
        .flat_map(|chain| (0..length).map(move |step| (chain, step)))
        .map(|(chain, step)| {
            let spec = PluginSpec::new(namespace, name(chain, step), make)
                .expect("bench names follow the grammar");
            match step {
                0 => spec,
                _ => spec
                    .with_requires([name(chain, step - 1)])
                    .expect("bench names follow the grammar"),
            }
        })
        .collect()
}

/// `exists_{size}` and `load_{size}`: a fresh manager of `namespace` (of `size` plugins, its
/// index built), its first `exists` and its first `load` of `name`, the manager dropped outside
/// the timing.
#[allow(dead_code)] // the benches of the registry use it, the others not
pub fn fresh_manager(
    group: &mut BenchmarkGroup<'_, WallTime>,
    size: usize,
    namespace: &'static str,
    name: &str,
) {
    group.bench_function(format!("exists_{size}"), |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(namespace),
            |manager| {
                assert!(manager.exists(black_box(name)));
                manager
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function(format!("load_{size}"), |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(namespace),
            |manager| {
                let plugin = manager.load(black_box(name)).ok();
                (manager, plugin)
            },
            BatchSize::LargeInput,
        )
    });
}
