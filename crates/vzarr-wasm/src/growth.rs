//! The module's global allocator: the standard one (dlmalloc), except that linear memory
//! grows geometrically.
//!
//! dlmalloc grows memory by exactly what one allocation lacks, so a scan that builds a
//! million-chunk manifest grows it hundreds of times. Each growth hands V8 a new, larger
//! `ArrayBuffer`, accounted as external memory, and V8 answers with a garbage collection:
//! measured in Node, 329 growths during one scan set off ~350 collections, a third of the
//! scan's time (bench/compare). So after dlmalloc has had to grow memory, we allocate and
//! free one block as large as memory now is: memory doubles once, and the freed block stays
//! with dlmalloc (wasm memory never shrinks) to serve the following allocations without
//! growing. Pages nobody writes cost no resident memory; near the 4 GiB limit the block
//! cannot be had and memory simply grows as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::arch::wasm32::memory_size;
use std::sync::atomic::{AtomicBool, Ordering};

const PAGE: usize = 65536;
/// The largest single reservation: doubling stops paying off before this.
const MAX_RESERVE: usize = 512 << 20;

pub struct GeometricGrowth;

static RESERVING: AtomicBool = AtomicBool::new(false);

/// Runs `f` (an allocation) and, if it had to grow memory, reserves as much again.
fn grown<T>(f: impl FnOnce() -> T) -> T {
    let before = memory_size(0);
    let out = f();
    if memory_size(0) != before && !RESERVING.swap(true, Ordering::Relaxed) {
        let bytes = (memory_size(0) * PAGE).min(MAX_RESERVE);
        if let Ok(layout) = Layout::from_size_align(bytes, 16) {
            // SAFETY: a fresh allocation of a non-zero layout, freed with the same layout.
            unsafe {
                let block = System.alloc(layout);
                if !block.is_null() {
                    System.dealloc(block, layout);
                }
            }
        }
        RESERVING.store(false, Ordering::Relaxed);
    }
    out
}

// SAFETY: every method forwards to `System` with the caller's arguments; the reservation
// only allocates and frees a block of its own.
unsafe impl GlobalAlloc for GeometricGrowth {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grown(|| System.alloc(layout))
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grown(|| System.alloc_zeroed(layout))
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grown(|| System.realloc(ptr, layout, new_size))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}
