//! A ring of ordering constraints costs memory linear in its length: every member's
//! `OrderCycle` error shares one list of the members instead of carrying its own copy.
//!
//! In a file of its own because it installs a counting global allocator for its whole binary.

// The global allocator below has to implement `GlobalAlloc`, an unsafe trait; it only forwards
// to the system allocator and counts. No unsafe code is needed anywhere in plux itself.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use plux::{FunctionPlugin, PluginErrorKind, PluginFinder, PluginManager, PluginSpec};

/// Live heap bytes, and the most there ever were. Refuses to grow past `LIMIT`, so that a
/// regression fails this test with an allocation error instead of exhausting the machine.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
const LIMIT: usize = 100 << 20;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        if live > LIMIT {
            LIVE.fetch_sub(layout.size(), Relaxed);
            return std::ptr::null_mut();
        }
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: forwarded as it came.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: forwarded as it came; `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
