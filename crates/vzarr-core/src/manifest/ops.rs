//! Whole-manifest operations: concat, stack, broadcast, slice. Each works column-wise with
//! slice copies; none allocates per chunk.

use super::grid::{checked_product, for_each_run, strides};
use super::paths::{extend_ids, PathTable};
use super::{chunk_count, ChunkManifest};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

impl ChunkManifest {
    /// Joins manifests along an existing `axis`; all other axes must agree.
    pub fn concat(list: &[&ChunkManifest], axis: usize) -> Result<ChunkManifest> {
        let first = list
            .first()
            .ok_or_else(|| Error::invalid("concat needs at least one manifest"))?;
        let ndim = first.shape.len();
        if axis >= ndim {
            return Err(Error::invalid(format!(
                "cannot concat along axis {} of a {}-dimensional chunk grid",
                axis, ndim
            )));
        }
        let mut shape = first.shape.clone();
        shape[axis] = 0;
        for (i, m) in list.iter().enumerate() {
            let same_rank = m.shape.len() == ndim;
            let same_other_axes =
                same_rank && (0..ndim).all(|a| a == axis || m.shape[a] == first.shape[a]);
            if !same_other_axes {
                return Err(Error::incompatible(format!(
                    "cannot concat chunk grids of shape {:?} and {:?} (manifest {}) along axis {}: the other axes differ",
                    first.shape, m.shape, i, axis
                )));
            }
            shape[axis] = shape[axis]
                .checked_add(m.shape[axis])
                .ok_or_else(|| Error::limit("concatenated grid is too large"))?;
        }
        let n = chunk_count(&shape)?;
        let outer = checked_product(&shape[..axis])?;
        let inners: Vec<u64> = list
            .iter()
            .map(|m| checked_product(&m.shape[axis..]))
            .collect::<Result<_>>()?;
        let total_inner: u64 = inners.iter().sum();

        let mut paths = PathTable::new();
        let mut remaps = Vec::with_capacity(list.len());
        for m in list {
            let remap = paths.intern_all(m.paths.paths())?;
            let identity = remap.iter().enumerate().all(|(i, &id)| i as u32 == id);
            remaps.push(if identity { None } else { Some(remap) });
        }

        let mut ids = Vec::with_capacity(n);
        let mut offsets = Vec::with_capacity(n);
        let mut lengths = Vec::with_capacity(n);
        for o in 0..outer {
            for (k, m) in list.iter().enumerate() {
                let inner = inners[k] as usize;
                let start = o as usize * inner;
                let range = start..start + inner;
                extend_ids(&mut ids, &m.ids[range.clone()], remaps[k].as_deref());
                offsets.extend_from_slice(&m.offsets[range.clone()]);
                lengths.extend_from_slice(&m.lengths[range]);
            }
        }

        let mut inlined = BTreeMap::new();
        let mut before = 0u64;
        for (k, m) in list.iter().enumerate() {
            for (&flat, bytes) in &m.inlined {
                let (o, r) = (flat / inners[k], flat % inners[k]);
                inlined.insert(o * total_inner + before + r, bytes.clone());
            }
            before += inners[k];
        }
        Ok(ChunkManifest {
            shape,
            paths,
            ids,
            offsets,
            lengths,
            inlined,
        })
    }

    /// Joins manifests of identical shape along a new `axis` (0..=ndim).
    pub fn stack(list: &[&ChunkManifest], axis: usize) -> Result<ChunkManifest> {
        let first = list
            .first()
            .ok_or_else(|| Error::invalid("stack needs at least one manifest"))?;
        if axis > first.shape.len() {
            return Err(Error::invalid(format!(
                "cannot stack along axis {} of a {}-dimensional chunk grid",
                axis,
                first.shape.len()
            )));
        }
        if let Some(i) = list.iter().position(|m| m.shape != first.shape) {
            return Err(Error::incompatible(format!(
                "cannot stack chunk grids of shape {:?} and {:?} (manifest {})",
                first.shape, list[i].shape, i
            )));
        }
        // A new axis of length 1 is free to insert: C order does not change.
        let expanded: Vec<ChunkManifest> = list
            .iter()
            .map(|m| {
                let mut e = (*m).clone();
                e.shape.insert(axis, 1);
                e
            })
            .collect();
        let refs: Vec<&ChunkManifest> = expanded.iter().collect();
        ChunkManifest::concat(&refs, axis)
    }

    /// Broadcasts to `target` following NumPy rules: axes are aligned on the right, missing
    /// leading axes are prepended, and length-1 axes are repeated.
    pub fn broadcast(&self, target: &[u64]) -> Result<ChunkManifest> {
        if target.len() < self.shape.len() {
            return Err(Error::invalid(format!(
                "cannot broadcast a chunk grid of shape {:?} to fewer dimensions {:?}",
                self.shape, target
            )));
        }
        let lead = target.len() - self.shape.len();
        let own = strides(&self.shape);
        let mut src_strides = vec![0u64; target.len()];
        for (a, &d) in self.shape.iter().enumerate() {
            let t = target[lead + a];
            if d == t {
                src_strides[lead + a] = own[a];
            } else if d != 1 {
                return Err(Error::incompatible(format!(
                    "cannot broadcast a chunk grid of shape {:?} to {:?}: axis {} has {} chunks, not 1 or {}",
                    self.shape, target, a, d, t
                )));
            }
        }
        self.gather(target, &src_strides, 0)
    }

    /// The sub-grid `starts[a]..stops[a]` on every axis (chunk coordinates).
    pub fn slice(&self, starts: &[u64], stops: &[u64]) -> Result<ChunkManifest> {
        let ndim = self.shape.len();
        if starts.len() != ndim || stops.len() != ndim {
            return Err(Error::invalid(format!(
                "a slice of a {}-dimensional chunk grid needs {} starts and stops",
                ndim, ndim
            )));
        }
        for a in 0..ndim {
            if starts[a] > stops[a] || stops[a] > self.shape[a] {
                return Err(Error::invalid(format!(
                    "slice {}..{} on axis {} is outside the chunk grid of shape {:?}",
                    starts[a], stops[a], a, self.shape
                )));
            }
        }
        let own = strides(&self.shape);
        let base: u64 = starts.iter().zip(&own).map(|(s, st)| s * st).sum();
        let out_shape: Vec<u64> = starts.iter().zip(stops).map(|(s, e)| e - s).collect();
        self.gather(&out_shape, &own, base)
    }

    /// Builds a manifest of `out_shape` whose chunks are taken from `self` by strides.
    fn gather(&self, out_shape: &[u64], src_strides: &[u64], base: u64) -> Result<ChunkManifest> {
        let n = chunk_count(out_shape)?;
        let mut ids = Vec::with_capacity(n);
        let mut offsets = Vec::with_capacity(n);
        let mut lengths = Vec::with_capacity(n);
        let mut inlined = BTreeMap::new();
        let has_inlined = !self.inlined.is_empty();
        for_each_run(out_shape, src_strides, base, |start, run, contiguous| {
            let (s, r) = (start as usize, run as usize);
            if has_inlined {
                let dst = ids.len() as u64;
                if contiguous {
                    for (&src, bytes) in self.inlined.range(start..start + run) {
                        inlined.insert(dst + (src - start), bytes.clone());
                    }
                } else if let Some(bytes) = self.inlined.get(&start) {
                    for j in 0..run {
                        inlined.insert(dst + j, bytes.clone());
                    }
                }
            }
            if contiguous {
                ids.extend_from_slice(&self.ids[s..s + r]);
                offsets.extend_from_slice(&self.offsets[s..s + r]);
                lengths.extend_from_slice(&self.lengths[s..s + r]);
            } else {
                ids.resize(ids.len() + r, self.ids[s]);
                offsets.resize(offsets.len() + r, self.offsets[s]);
                lengths.resize(lengths.len() + r, self.lengths[s]);
            }
        });
        Ok(ChunkManifest {
            shape: out_shape.to_vec(),
            paths: self.paths.clone(),
            ids,
            offsets,
            lengths,
            inlined,
        })
    }
}
