//! The module's global allocator: dlmalloc (the allocator Rust's standard library uses on
//! wasm32), over a system allocator that grows linear memory geometrically.
//!
//! dlmalloc asks its system allocator for exactly what one allocation lacks, so a scan that
//! builds a million-chunk manifest grows memory hundreds of times. Each growth hands V8 a
//! new, larger `ArrayBuffer`, accounted as external memory, and V8 answers with a garbage
//! collection: measured in Node, 329 growths during one scan set off ~350 collections, a
//! third of the scan's time (bench/compare). So when dlmalloc needs memory, we grow it by at
//! least as much as it already has (capped at `MAX_RESERVE`) and tell dlmalloc the whole
//! region is its own: memory doubles once and the following allocations are served without
//! growing. Pages nobody writes cost no resident memory; near the 4 GiB limit the larger
//! growth fails and memory grows by exactly what was asked.
//!
//! The policy lives in dlmalloc's system allocator rather than around the global allocator:
//! an earlier version reserved by allocating and freeing a large block from inside
//! `GlobalAlloc::alloc`, which dlmalloc 0.2.11 (Rust 1.96's) corrupted its heap with once
//! inlined by LTO (a freed chunk's header read back as zero).

use std::alloc::{GlobalAlloc, Layout};
use std::arch::wasm32::{memory_grow, memory_size};
use std::cell::UnsafeCell;
use std::ptr;

const PAGE: usize = 65536;
/// The largest growth beyond a request: doubling stops paying off before this.
const MAX_RESERVE: usize = 512 << 20;

/// dlmalloc's source of memory: `memory.grow`, geometric.
pub struct GeometricPages;

// SAFETY: `alloc` returns regions fresh from `memory.grow`, which nobody else owns; memory
// is never given back (wasm memory cannot shrink), as every method below says.
unsafe impl dlmalloc::Allocator for GeometricPages {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let needed = size.div_ceil(PAGE);
        let reserve = (memory_size(0) * PAGE).min(MAX_RESERVE) / PAGE;
        for pages in [needed.max(reserve), needed] {
            let previous = memory_grow(0, pages);
            if previous != usize::MAX {
                let base = previous * PAGE;
                // The last bytes of a 4 GiB memory are not a valid end for a Rust region
                // (the end pointer would wrap to 0): keep them out, as std's own does.
                let size = pages * PAGE;
                let size = if base.wrapping_add(size) == 0 {
                    size - 16
                } else {
                    size
                };
                return (base as *mut u8, size, 0);
            }
        }
        (ptr::null_mut(), 0, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

pub struct GeometricGrowth(UnsafeCell<dlmalloc::Dlmalloc<GeometricPages>>);

impl GeometricGrowth {
    pub const fn new() -> Self {
        GeometricGrowth(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(
            GeometricPages,
        )))
    }

    #[allow(clippy::mut_from_ref)]
    fn heap(&self) -> &mut dlmalloc::Dlmalloc<GeometricPages> {
        // SAFETY: the module is built without threads (no `atomics` target feature), so one
        // call into the allocator runs at a time and this is the only live reference.
        unsafe { &mut *self.0.get() }
    }
}

// SAFETY: single-threaded module (see `heap`).
unsafe impl Sync for GeometricGrowth {}

// SAFETY: every method forwards to dlmalloc with the caller's layout, as std's wasm32
// System allocator does.
unsafe impl GlobalAlloc for GeometricGrowth {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.heap().malloc(layout.size(), layout.align())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.heap().calloc(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.heap().free(ptr, layout.size(), layout.align())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.heap()
            .realloc(ptr, layout.size(), layout.align(), new_size)
    }
}
