//! What ordering a namespace costs (issue 6): a fresh manager's first `list_names` over 1 000
//! specs whose `after` constraints form one chain, beside the same specs ordered by plain sorting
//! (no constraints: priority, then name). The target is ≤ 2× the plain case; the results are in
//! BENCHMARKS.md.
//!
//! | bench | specs |
//! |---|---|
//! | `plain_sort` | 1 000, priorities only (the sorted fast path) |
//! | `chain` | the same 1 000, each `after` the previous one, priorities set *against* the chain so the constraints do the ordering |
//! | `sort_floor` | no plux: sorting 1 000 `(priority, name)` keys |
//! | `cycle/ring_20000` | 20 000, each `after` the previous and the first `after` the last: one ordering cycle; first `list_names`, then `load` of every member (each gets the shared cycle error) |
//! | `cycle/chain_20000` | the same 20 000 without the closing edge: the cost of ordering alone |
//!
//! The ring's cost must be linear in its length (issue 13: it was quadratic in time and memory);
//! its memory is asserted by `tests/order_cycle_memory.rs`.
//!
//! `cargo bench --bench ordering`; `PLUX_BENCH_QUICK=1` for a smoke run.

mod support;

use std::cmp::Reverse;
use std::hint::black_box;

use criterion::BatchSize;
use plux::{BoxError, Plugin, PluginManager, PluginSpec};

const N: usize = 1_000;
const NAMESPACE: &str = "bench.ordering";

/// A plugin that is never made: ordering happens before any factory runs.
struct Never;

impl Plugin for Never {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

fn names() -> Vec<String> {
    // Shuffled against name order, so that neither case gets sorted input.
    (0..N)
        .map(|i| format!("plugin-{:04}", (i * 7919) % N))
        .collect()
}

fn spec(name: &str) -> PluginSpec {
    PluginSpec::new(NAMESPACE, name.to_owned(), || Ok(Box::new(Never)))
        .expect("bench names follow the grammar")
}

/// Priorities only: plain sorting.
fn plain() -> Vec<PluginSpec> {
    names()
        .iter()
        .enumerate()
        .map(|(i, name)| spec(name).with_priority((i % 10) as i32))
        .collect()
}

/// One chain through all specs, each after the previous; the priorities say the opposite.
fn chain() -> Vec<PluginSpec> {
    let names = names();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let spec = spec(name).with_priority(i as i32);
            match i.checked_sub(1).and_then(|previous| names.get(previous)) {
                Some(previous) => spec.with_after([previous.clone()]).expect("a valid name"),
                None => spec,
            }
        })
        .collect()
}

/// `len` specs, each `after` the previous; with `closed`, the first is also `after` the last.
fn ring(len: usize, closed: bool) -> Vec<PluginSpec> {
    let name = |i: usize| format!("member-{i:05}");
    (0..len)
        .map(|i| {
            let previous = match (i, closed) {
                (0, false) => return spec(&name(i)),
                (0, true) => name(len - 1),
                _ => name(i - 1),
            };
            spec(&name(i)).with_after([previous]).expect("a valid name")
        })
        .collect()
}

/// Resolves and lists the namespace, then asks for every member.
fn resolve_and_load_every_member(specs: Vec<PluginSpec>) -> usize {
    let manager = PluginManager::<Never>::in_namespace(NAMESPACE).finder(specs);
    let names = manager.list_names();
    names
        .iter()
        .filter(|name| manager.load(name).is_err())
        .count()
}

fn first_listing(specs: Vec<PluginSpec>) -> usize {
    let manager = PluginManager::<Never>::in_namespace(NAMESPACE).finder(specs);
    let listed = manager.list_names().len();
    assert_eq!(listed, N);
    listed
}

fn main() {
    let mut c = support::criterion();

    // The chain really orders: the last name of the chain comes last despite its top priority.
    let chain_names = names();
    let ordered = PluginManager::<Never>::in_namespace(NAMESPACE).finder(chain());
    assert_eq!(
        ordered.list_names().last().copied(),
        chain_names.last().map(String::as_str)
    );

    let mut group = c.benchmark_group("ordering");
    group.bench_function("plain_sort", |b| {
        b.iter_batched(
            plain,
            |specs| black_box(first_listing(specs)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("chain", |b| {
        b.iter_batched(
            chain,
            |specs| black_box(first_listing(specs)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("sort_floor", |b| {
        let keys: Vec<(i32, String)> = plain()
            .iter()
            .map(|spec| (spec.priority(), spec.name().to_owned()))
            .collect();
        b.iter_batched(
            || keys.clone(),
            |mut keys| {
                keys.sort_by(|a, b| (Reverse(a.0), &a.1).cmp(&(Reverse(b.0), &b.1)));
                black_box(keys)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    const RING: usize = 20_000;
    assert_eq!(resolve_and_load_every_member(ring(RING, true)), RING);
    let mut cycle = c.benchmark_group("cycle");
    cycle.sample_size(10);
    for (name, closed) in [("ring_20000", true), ("chain_20000", false)] {
        cycle.bench_function(name, |b| {
            b.iter_batched(
                || ring(RING, closed),
                |specs| black_box(resolve_and_load_every_member(specs)),
                BatchSize::LargeInput,
            )
        });
    }
    cycle.finish();
    c.final_summary();
}
