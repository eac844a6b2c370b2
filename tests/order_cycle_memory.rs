//! A ring of ordering constraints costs memory linear in its length: every member's
//! `OrderCycle` error shares one list of the members instead of carrying its own copy.
//!
//! In a file of its own because it counts the allocations of its whole binary (`counting`).

mod counting;

use std::sync::atomic::Ordering::Relaxed;

use counting::{LIMIT, LIVE, PEAK};
use plux::{FunctionPlugin, PluginErrorKind, PluginFinder, PluginManager, PluginSpec};

/// A member of the ring: nothing to load, and it never gets that far.
type Member = FunctionPlugin<fn()>;

const NS: &str = "oc.ring";
const RING: usize = 20_000;

fn member(i: usize) -> String {
    format!("m{i:05}")
}

/// `RING` plugins, each `after` the one before it, the first after the last.
struct Ring;

impl PluginFinder for Ring {
    fn find_plugins(&self, _: &str) -> Vec<PluginSpec> {
        (0..RING)
            .map(|i| {
                PluginSpec::new(NS, member(i), || {
                    Ok(Box::new(FunctionPlugin::new((|| {}) as fn())))
                })
                .expect("valid spec")
                .with_after([member((i + RING - 1) % RING)])
                .unwrap()
            })
            .collect()
    }
}

#[test]
fn a_ring_of_20_000_plugins_resolves_and_fails_in_linear_memory() {
    let before = LIVE.load(Relaxed);
    let manager = PluginManager::<Member>::in_namespace(NS).finder(Ring);

    assert_eq!(manager.list_names().len(), RING);
    let error = manager.load(&member(RING / 2)).expect_err("on the cycle");
    let PluginErrorKind::OrderCycle(members) = error.kind() else {
        panic!("expected OrderCycle, got {error}");
    };
    assert_eq!(members.len(), RING);
    assert!(
        error.to_string().ends_with(", m00019 and 19980 more"),
        "the message names a few members, not the whole ring: {error}"
    );
    assert!(manager.load_all().is_empty());

    let peak = PEAK.load(Relaxed) - before;
    assert!(peak < LIMIT, "peak {} MiB", peak >> 20);
    println!("peak heap over the baseline: {} KiB", peak >> 10);
}
