//! How fast the link-time registry and the manager are, each figure beside its floor in the same
//! criterion group (issue 4; the results and what dominates them are in BENCHMARKS.md).
//!
//! The specs come from `plux-bench-plugins`: 10 000 in 10 namespaces, spread over the linker
//! slice. Every group measures `bench.ns3`, 1 000 of them.
//!
//! | group | plux | floor |
//! |---|---|---|
//! | `warm_lookup` | `load(name)` of a loaded plugin | `HashMap<&str, Arc<_>>` get + clone |
//! | `cold_lookup` | fresh manager, first `exists`/`load` | scan of `Registry::all()` by namespace |
//! | `load_all` | fresh manager, `load_all()` | factory + `should_load` + `load` called directly |
//! | `list_names` | `list_names()`, warm and fresh manager | copy of a sorted name list; slice scan + sort |
//! | `registry_index` | first use of the registry, in a new process | `HashMap` of the whole slice, also in a new process, and warm |
//!
//! `cargo bench --bench registry`; `PLUX_BENCH_QUICK=1` shortens every measurement (for a smoke
//! run). `benches/python/compare.py` runs this and the same operations in plux-Python.

mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use plux::{Plugin, PluginManager, PluginSpec, Registry};
use plux_bench_plugins::{Trivial, NAMESPACES, PER_NAMESPACE};

/// The namespace every group measures.
const NAMESPACE: &str = NAMESPACES[3];
/// Makes the bench a child process that times one thing and prints it (see `child`).
const CHILD_ENV: &str = "PLUX_BENCH_CHILD";

fn main() {
    if let Ok(what) = std::env::var(CHILD_ENV) {
        child(&what);
        return;
    }
    assert_eq!(
        Registry::all().len(),
        PER_NAMESPACE * NAMESPACES.len(),
        "the bench specs are not all linked"
    );
    if PER_NAMESPACE < 1000 {
        println!(
            "note: {PER_NAMESPACE} spec(s) per namespace, not 1000: an unoptimized build (see \
             fixtures/bench-plugins/build.rs); these figures are not the benchmark's"
        );
    }
    footprint();

    let quick = support::quick();
    let mut c = support::criterion();

    warm_lookup(&mut c);
    cold_lookup(&mut c);
    load_all(&mut c);
    list_names(&mut c);
    registry_index(&mut c, quick);
    c.final_summary();
}

/// What a spec costs in memory: printed, since criterion measures time only.
fn footprint() {
    println!(
        "footprint: {} specs, size_of::<PluginSpec>() = {} bytes, linker section = {} bytes",
        Registry::all().len(),
        std::mem::size_of::<PluginSpec>(),
        std::mem::size_of_val(Registry::all())
    );
}

/// The names of `NAMESPACE` as callers would pass them (owned copies, not the registry's own
/// `&'static str`), in a fixed pseudo-random order so that lookups do not walk memory in order.
fn query_names() -> Vec<String> {
    let mut names: Vec<String> = Registry::specs(NAMESPACE)
        .map(|spec| spec.name().to_owned())
        .collect();
    assert_eq!(names.len(), PER_NAMESPACE);
    // Fisher-Yates with a fixed LCG: the same order in every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..names.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        names.swap(i, (state >> 33) as usize % (i + 1));
    }
    names
}

/// Factory, `should_load` and `load` of every spec, called directly: the work of a `load_all`
/// without any bookkeeping.
fn load_directly(specs: &[&PluginSpec]) -> Vec<Arc<Trivial>> {
    specs
        .iter()
        .filter_map(|spec| {
            let mut plugin = spec.create().ok()?.downcast::<Trivial>().ok()?;
            if !plugin.should_load() {
                return None;
            }
            plugin.load(&()).ok()?;
            Some(Arc::from(plugin))
        })
        .collect()
}

/// The specs of `namespace`, by a scan of the whole linker slice.
fn scan_slice(namespace: &str) -> Vec<&'static PluginSpec> {
    Registry::all()
        .iter()
        .filter(|spec| spec.namespace() == namespace)
        .collect()
}

/// Item 1 of the issue: `load(name)` of a loaded plugin, against a `HashMap` of the same plugins.
fn warm_lookup(c: &mut Criterion) {
    let manager = PluginManager::<Trivial>::in_namespace(NAMESPACE);
    assert_eq!(manager.load_all().len(), PER_NAMESPACE);
    let names = query_names();
    let map: HashMap<&str, Arc<Trivial>> = manager
        .list_names()
        .into_iter()
        .map(|name| (name, manager.load(name).expect("loaded above")))
        .collect();

    let mut group = c.benchmark_group("warm_lookup");
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("plux_load", |b| {
        b.iter(|| {
            for name in &names {
                black_box(manager.load(black_box(name)).ok());
            }
        })
    });
    group.bench_function("floor_hashmap_get_cloned", |b| {
        b.iter(|| {
            for name in &names {
                black_box(map.get(black_box(name.as_str())).cloned());
            }
        })
    });
    group.bench_function("floor_hashmap_get", |b| {
        b.iter(|| {
            for name in &names {
                black_box(map.get(black_box(name.as_str())));
            }
        })
    });
    group.finish();
}

/// Item 2: the first lookup of a fresh manager (its namespace's index is shared and already built),
/// against a scan of the raw linker slice.
fn cold_lookup(c: &mut Criterion) {
    // Builds the shared index outside the timings; `registry_index` measures that.
    let _ = Registry::namespaces();
    // A name from the middle of the namespace.
    let cold_name = format!("plugin-{:04}", PER_NAMESPACE / 2);
    let cold_name = cold_name.as_str();
    let mut group = c.benchmark_group("cold_lookup");
    group.bench_function("plux_exists", |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(NAMESPACE),
            |manager| {
                assert!(manager.exists(black_box(cold_name)));
                manager
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("floor_slice_scan", |b| {
        b.iter(|| {
            let specs = scan_slice(black_box(NAMESPACE));
            black_box(specs.iter().find(|spec| spec.name() == cold_name).copied())
        })
    });
    group.bench_function("plux_load", |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(NAMESPACE),
            |manager| {
                let plugin = manager.load(black_box(cold_name)).ok();
                (manager, plugin)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("floor_slice_scan_then_load", |b| {
        b.iter_batched(
            || (),
            |()| {
                let specs = scan_slice(black_box(NAMESPACE));
                let spec = specs.iter().find(|spec| spec.name() == cold_name).copied();
                load_directly(&Vec::from_iter(spec))
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// Item 3: `load_all` of 1 000 trivial plugins by a fresh manager, against calling the same factory,
/// `should_load` and `load` directly.
fn load_all(c: &mut Criterion) {
    let _ = Registry::namespaces();
    let specs: Vec<&PluginSpec> = Registry::specs(NAMESPACE).collect();
    let mut group = c.benchmark_group("load_all");
    group.throughput(Throughput::Elements(specs.len() as u64));
    group.bench_function("plux_load_all", |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(NAMESPACE),
            |manager| {
                let plugins = manager.load_all();
                assert_eq!(plugins.len(), PER_NAMESPACE);
                (manager, plugins)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("floor_direct_calls", |b| {
        b.iter_batched(|| (), |()| load_directly(&specs), BatchSize::LargeInput)
    });
    group.finish();
}

/// Item 4: `list_names` of a namespace, against copying a ready list and against building it from
/// the slice.
fn list_names(c: &mut Criterion) {
    let _ = Registry::namespaces();
    let warm = PluginManager::<Trivial>::in_namespace(NAMESPACE);
    let ready: Vec<&str> = warm.list_names();
    let mut group = c.benchmark_group("list_names");
    group.throughput(Throughput::Elements(ready.len() as u64));
    group.bench_function("plux_warm_manager", |b| b.iter(|| warm.list_names()));
    group.bench_function("plux_fresh_manager", |b| {
        b.iter_batched(
            || PluginManager::<Trivial>::in_namespace(NAMESPACE),
            |manager| {
                black_box(manager.list_names().len());
                manager
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("floor_copy_of_ready_list", |b| b.iter(|| ready.clone()));
    group.bench_function("floor_slice_scan_sort", |b| {
        b.iter(|| {
            let mut names: Vec<&str> = scan_slice(black_box(NAMESPACE))
                .into_iter()
                .map(PluginSpec::name)
                .collect();
            names.sort_unstable();
            names
        })
    });
    group.finish();
}

/// The one-time cost of the registry's index over all 10 000 specs. The index is a
/// process-wide lazy static, so each sample starts a new process of this bench that times its
/// own first `Registry::namespaces()`.
fn registry_index(c: &mut Criterion, quick: bool) {
    let exe = std::env::current_exe().expect("the bench's own path");
    let mut group = c.benchmark_group("registry_index");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(if quick { 20 } else { 100 }))
        .measurement_time(Duration::from_millis(if quick { 50 } else { 500 }));
    group.throughput(Throughput::Elements(Registry::all().len() as u64));
    for (id, child) in [
        ("plux_first_use_in_new_process", "index"),
        ("floor_first_use_in_new_process", "floor"),
    ] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run_child(&exe, child)).sum())
        });
    }
    group.bench_function("floor_warm_hashmap_of_slice", |b| {
        b.iter(|| {
            Registry::all()
                .iter()
                .map(|spec| ((spec.namespace(), spec.name()), spec))
                .collect::<HashMap<_, _>>()
        })
    });
    group.finish();
}

/// Runs this bench as a child that times `what` and returns the time it reports.
fn run_child(exe: &Path, what: &str) -> Duration {
    let output = Command::new(exe)
        .env(CHILD_ENV, what)
        .output()
        .expect("the bench runs itself");
    let stdout = String::from_utf8_lossy(&output.stdout);
    match stdout.trim().parse() {
        Ok(nanos) => Duration::from_nanos(nanos),
        Err(_) => panic!("the child printed {stdout:?}, {}", output.status),
    }
}

/// In the child, before anything else touched the registry: time its first use (`index`), or
/// the floor's (`floor`: a `HashMap` of the whole slice, built just as cold), and print it.
///
/// `load_all` is for profilers, which want a fixed amount of work and no criterion around it:
/// it prints the mean time of `PLUX_BENCH_ROUNDS` (default 100) fresh-manager `load_all`s, e.g.
/// `PLUX_BENCH_CHILD=load_all valgrind --tool=callgrind target/release/deps/registry-*`.
fn child(what: &str) {
    if what == "load_all" {
        let rounds: u32 = std::env::var("PLUX_BENCH_ROUNDS").map_or(100, |rounds| {
            rounds.parse().expect("PLUX_BENCH_ROUNDS is a count")
        });
        let _ = Registry::namespaces();
        let start = Instant::now();
        for _ in 0..rounds {
            let manager = PluginManager::<Trivial>::in_namespace(NAMESPACE);
            black_box(manager.load_all());
        }
        println!("{}", start.elapsed().as_nanos() / u128::from(rounds.max(1)));
        return;
    }
    let start = Instant::now();
    let count = match what {
        "index" => Registry::namespaces().len(),
        "floor" => Registry::all()
            .iter()
            .map(|spec| ((spec.namespace(), spec.name()), spec))
            .collect::<HashMap<_, _>>()
            .len(),
        other => panic!("{CHILD_ENV}={other:?}: expected `index`, `floor` or `load_all`"),
    };
    let elapsed = start.elapsed();
    black_box(count);
    println!("{}", elapsed.as_nanos());
}
