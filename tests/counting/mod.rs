//! A global allocator that counts the live heap bytes of its test binary, and their peak, and
//! refuses to grow past [`LIMIT`], so that a regression fails a test with an allocation error
//! instead of exhausting the machine. A binary that declares `mod counting;` has it as its
//! allocator: it counts every thread, so such a binary holds one test.
// Each test binary uses part of it.
#![allow(dead_code)]
// `GlobalAlloc` is an unsafe trait; this only forwards to the system allocator and counts. No
// unsafe code is needed anywhere in plux itself.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Live heap bytes.
pub static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most live heap bytes there ever were.
pub static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The most live heap bytes there may be.
pub const LIMIT: usize = 100 << 20;

struct Counting;

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
