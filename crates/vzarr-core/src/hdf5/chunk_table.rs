//! Collects where each chunk of one dataset lives, straight into the manifest's columns.
//!
//! Every chunk index (v1 B-tree, fixed and extensible arrays, v2 B-tree, implicit, single)
//! ends up calling [`ChunkTable::set`] with a flat C-order index into the current chunk
//! grid; the indexes that enumerate chunks by a different linear order (over the grid of the
//! *maximum* dimensions, or with the unlimited dimension moved first) translate through
//! [`Linearization`]. Nothing is allocated per chunk.

use crate::error::{Error, Result};
use crate::manifest::{chunk_count, ChunkManifest, MISSING};

#[derive(Clone, Debug)]
pub struct ChunkTable {
    /// Chunks per axis of the current extent: `ceil(shape / chunk)`.
    pub grid: Vec<u64>,
    /// File position of HDF5 address 0.
    base: u64,
    /// Size of the file: chunks must lie inside it.
    file_size: u64,
    ids: Vec<u32>,
    offsets: Vec<u64>,
    lengths: Vec<u64>,
    /// Filter mask of the first chunk recorded (bit i set: filter i was skipped).
    pub first_mask: Option<u32>,
    /// The first chunk whose filter mask differs from `first_mask`: (flat index, mask).
    pub mixed_mask: Option<(u64, u32)>,
    /// Every chunk's filter mask, kept from the first chunk that differs on (rare: a chunk
    /// that skipped a compressor); `None` while all masks are `first_mask`.
    pub masks: Option<Vec<u32>>,
    /// The first chunk that does not lie inside the file: (flat index, position, length).
    pub outside: Option<(u64, u64, u64)>,
}

/// Chunk-grid shape of an array: `ceil(shape / chunk)` per axis.
pub fn grid_shape(shape: &[u64], chunk: &[u64]) -> Vec<u64> {
    shape
        .iter()
        .zip(chunk)
        .map(|(&s, &c)| s.checked_div(c).map_or(0, |q| q + u64::from(s % c != 0)))
        .collect()
}

/// Whether `len` bytes at file position `position` lie between HDF5 address 0 (`base`) and
/// the end of the file.
#[inline(always)]
fn lies_inside(position: u64, len: u64, base: u64, file_size: u64) -> bool {
    position
        .checked_add(len)
        .is_some_and(|end| end <= file_size && position >= base)
}

impl ChunkTable {
    /// An all-missing table for a grid of `grid` chunks (at most `limit` of them) in a file
    /// of `file_size` bytes whose HDF5 address 0 is at `base`.
    pub fn new(grid: Vec<u64>, base: u64, file_size: u64, limit: u64) -> Result<ChunkTable> {
        let n = chunk_count(&grid)?;
        if n as u64 > limit {
            return Err(Error::limit(format!(
                "a chunk grid of {:?} ({} chunks) exceeds this scan's budget of {} chunks",
                grid, n, limit
            )));
        }
        Ok(ChunkTable {
            grid,
            base,
            file_size,
            ids: vec![MISSING; n],
            offsets: vec![0; n],
            lengths: vec![0; n],
            first_mask: None,
            mixed_mask: None,
            masks: None,
            outside: None,
        })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Records chunk `index` at HDF5 address `addr` with `len` stored bytes. Indexes outside
    /// the current grid (chunks left beyond a shrunk extent) are ignored.
    #[inline(always)]
    pub fn set(&mut self, index: u64, addr: u64, len: u64, filter_mask: u32) {
        let i = index as usize;
        if index >= self.ids.len() as u64 {
            return;
        }
        match self.first_mask {
            None => self.first_mask = Some(filter_mask),
            Some(m) if m != filter_mask && self.mixed_mask.is_none() => {
                self.mixed_mask = Some((index, filter_mask));
                self.masks = Some(vec![m; self.ids.len()]);
            }
            _ => {}
        }
        if let Some(masks) = self.masks.as_mut() {
            masks[i] = filter_mask;
        }
        let position = self.base.wrapping_add(addr);
        let inside = lies_inside(position, len, self.base, self.file_size);
        if !inside && self.outside.is_none() {
            self.outside = Some((index, position, len));
        }
        self.ids[i] = 0;
        self.offsets[i] = position;
        self.lengths[i] = len;
    }

    /// Records a run of unfiltered chunks of `len` bytes from their 8-byte little-endian
    /// addresses, the first at index `first`; returns false, recording nothing, unless every
    /// chunk recorded so far had filter mask 0 (then `set` would do exactly this).
    // The per-chunk loop of the common layout (8-byte addresses, no filters, C-order
    // numbering), kept apart from `set`'s mask and numbering cases so that V8 compiles it
    // to optimised code within a millisecond or two of it getting hot: a million-chunk scan
    // in wasm otherwise runs most of its entries in the baseline tier, waiting for the
    // optimising compiler to finish the larger general loop.
    #[inline(never)]
    pub fn set_unfiltered_run(&mut self, first: u64, addresses: &[u8], len: u64) -> bool {
        if self.first_mask != Some(0) || self.masks.is_some() {
            return false;
        }
        let n = self.ids.len() as u64;
        if first >= n {
            return true;
        }
        let count = ((n - first) as usize).min(addresses.len() / 8);
        let at = first as usize;
        let (base, file_size) = (self.base, self.file_size);
        let mut outside = self.outside;
        let ids = &mut self.ids[at..at + count];
        let offsets = &mut self.offsets[at..at + count];
        let lengths = &mut self.lengths[at..at + count];
        for (k, raw) in addresses.chunks_exact(8).take(count).enumerate() {
            let addr = u64::from_le_bytes(raw.try_into().expect("chunks_exact(8)"));
            // All bits set is the undefined address; 0 a chunk never written.
            if addr == u64::MAX || addr == 0 {
                continue;
            }
            let position = base.wrapping_add(addr);
            if !lies_inside(position, len, base, file_size) && outside.is_none() {
                outside = Some((first + k as u64, position, len));
            }
            ids[k] = 0;
            offsets[k] = position;
            lengths[k] = len;
        }
        self.outside = outside;
        true
    }

    /// Records a chunk by its scaled (chunk-grid) coordinates.
    #[inline(always)]
    pub fn set_scaled(&mut self, scaled: &[u64], addr: u64, len: u64, filter_mask: u32) {
        let mut index = 0u64;
        for (&s, &g) in scaled.iter().zip(&self.grid) {
            if s >= g {
                return;
            }
            index = index * g + s;
        }
        self.set(index, addr, len, filter_mask);
    }

    /// Grid coordinates of flat index `index`.
    pub fn coords(&self, index: u64) -> Vec<u64> {
        crate::manifest::unravel(index, &self.grid)
    }

    /// Stored (offset, length) of chunk `index`, if present.
    pub fn get(&self, index: usize) -> Option<(u64, u64)> {
        match self.ids.get(index) {
            Some(&0) => Some((self.offsets[index], self.lengths[index])),
            _ => None,
        }
    }

    /// The manifest, with every present chunk referring to `url`. `set` is the only writer:
    /// ids are 0 or `MISSING`, and missing chunks keep offset and length 0.
    pub fn into_manifest(self, url: &str) -> Result<ChunkManifest> {
        ChunkManifest::from_single_path_columns(
            &self.grid,
            url,
            self.ids,
            self.offsets,
            self.lengths,
        )
    }
}

/// Maps the linear index of an HDF5 chunk index onto the current chunk grid.
///
/// Fixed arrays, implicit indexes and extensible arrays number chunks in C order over the
/// grid of the *maximum* dimensions (`ceil(maxdim / chunk)`, HDF5's `max_down_chunks`), so
/// that growing an unlimited dimension never renumbers chunks. Extensible arrays whose
/// unlimited dimension `u` is not the first "swizzle" it to the front before numbering.
#[derive(Clone, Debug)]
pub struct Linearization {
    /// Axis order of the linear numbering (swizzled for extensible arrays).
    axes: Vec<usize>,
    /// Extent of each numbered axis, in that order (the first may be unbounded).
    extents: Vec<u64>,
    /// True when the numbering is exactly C order over the current grid.
    identity: bool,
}

impl Linearization {
    /// `max_grid[i]` is the max-dims chunk count, `None` for unlimited axes;
    /// `current` is the current chunk grid; `swizzle` the axis to move first.
    pub fn new(max_grid: &[Option<u64>], current: &[u64], swizzle: Option<usize>) -> Linearization {
        let rank = current.len();
        let mut axes: Vec<usize> = (0..rank).collect();
        if let Some(u) = swizzle {
            if u < rank && u > 0 {
                axes.remove(u);
                axes.insert(0, u);
            }
        }
        let extents: Vec<u64> = axes
            .iter()
            .enumerate()
            .map(|(pos, &a)| {
                if pos == 0 {
                    // The leading axis never enters a stride.
                    u64::MAX
                } else {
                    max_grid.get(a).copied().flatten().unwrap_or(current[a])
                }
            })
            .collect();
        let identity = axes.iter().enumerate().all(|(i, &a)| i == a)
            && (1..rank).all(|pos| extents[pos] == current[axes[pos]]);
        Linearization {
            axes,
            extents,
            identity,
        }
    }

    /// Number of linear indexes that can fall inside the current grid.
    pub fn span(&self, current: &[u64]) -> u64 {
        if current.is_empty() {
            return 1;
        }
        let first = current[self.axes[0]];
        self.extents[1..]
            .iter()
            .try_fold(first, |acc, &e| acc.checked_mul(e))
            .unwrap_or(u64::MAX)
    }

    /// True when linear indexes are the current grid's C-order indexes.
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Records linear chunk `linear` in `table`, dropping it if it lies outside the current
    /// grid.
    #[inline(always)]
    pub fn set(&self, table: &mut ChunkTable, linear: u64, addr: u64, len: u64, mask: u32) {
        if self.identity {
            table.set(linear, addr, len, mask);
            return;
        }
        let rank = self.axes.len();
        let mut scaled = [0u64; 33];
        let mut rest = linear;
        for pos in (1..rank).rev() {
            let e = self.extents[pos].max(1);
            scaled[self.axes[pos]] = rest % e;
            rest /= e;
        }
        if rank > 0 {
            scaled[self.axes[0]] = rest;
        }
        table.set_scaled(&scaled[..rank], addr, len, mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_grids() {
        assert_eq!(grid_shape(&[10, 7, 0], &[5, 3, 2]), vec![2, 3, 0]);
    }

    #[test]
    fn maps_max_dims_numbering() {
        // Current (10, 10) in chunks of 5: grid (2, 2); max (20, 10): numbering over (4, 2).
        let mut t = ChunkTable::new(vec![2, 2], 100, 1 << 20, 1000).unwrap();
        let lin = Linearization::new(&[Some(4), Some(2)], &[2, 2], None);
        assert!(lin.identity);
        // Max (10, 20): numbering over (2, 4); linear 5 = (1, 1).
        let lin = Linearization::new(&[Some(2), Some(4)], &[2, 2], None);
        lin.set(&mut t, 5, 7, 1, 0);
        assert_eq!(t.get(3), Some((107, 1)));
        // Linear 2 = (0, 2): outside the current grid, dropped.
        lin.set(&mut t, 2, 9, 1, 0);
        assert_eq!(t.get(2), None);
    }

    #[test]
    fn records_unfiltered_runs_as_set_does() {
        let addrs: [u64; 6] = [100, 0, u64::MAX, 300, 950, 400];
        let bytes: Vec<u8> = addrs.iter().flat_map(|a| a.to_le_bytes()).collect();
        let mut fast = ChunkTable::new(vec![8], 10, 1000, 100).unwrap();
        // The first chunk's mask is not known yet: the general path must learn it.
        assert!(!fast.set_unfiltered_run(0, &bytes, 50));
        fast.set(0, 5, 50, 0);
        // The last entry falls beyond the 8-chunk grid and is dropped.
        assert!(fast.set_unfiltered_run(3, &bytes, 50));
        let mut slow = ChunkTable::new(vec![8], 10, 1000, 100).unwrap();
        slow.set(0, 5, 50, 0);
        for (k, &a) in addrs.iter().enumerate() {
            if a != 0 && a != u64::MAX {
                slow.set(3 + k as u64, a, 50, 0);
            }
        }
        assert_eq!(
            (fast.ids, fast.offsets, fast.lengths),
            (slow.ids, slow.offsets, slow.lengths)
        );
        // 950 + 10 + 50 runs past the 1000-byte file.
        assert_eq!(fast.outside, Some((7, 960, 50)));
        assert_eq!(fast.outside, slow.outside);
        // A table that has seen a nonzero mask keeps to the general path.
        let mut masked = ChunkTable::new(vec![2], 0, 1000, 10).unwrap();
        masked.set(0, 5, 50, 1);
        assert!(!masked.set_unfiltered_run(1, &bytes[..8], 50));
    }

    #[test]
    fn notes_chunks_outside_the_file() {
        let mut t = ChunkTable::new(vec![2], 100, 1000, 10).unwrap();
        t.set(0, 800, 100, 0);
        assert_eq!(t.outside, None);
        t.set(1, 850, 100, 0);
        assert_eq!(t.outside, Some((1, 950, 100)));
    }

    #[test]
    fn unswizzles_the_unlimited_axis() {
        // Shape grid (3, 4) with axis 1 unlimited: numbering over [axis1, axis0] = (?, 3).
        let mut t = ChunkTable::new(vec![3, 4], 0, 1 << 20, 1000).unwrap();
        let lin = Linearization::new(&[Some(3), None], &[3, 4], Some(1));
        // linear 7 = axis1 = 2, axis0 = 1 -> flat (1, 2) = 6.
        lin.set(&mut t, 7, 50, 4, 0);
        assert_eq!(t.get(6), Some((50, 4)));
        assert_eq!(lin.span(&[3, 4]), 12);
    }
}
