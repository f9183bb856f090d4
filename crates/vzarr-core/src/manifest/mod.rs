//! `ChunkManifest`: where every chunk of one array lives, stored column-wise.
//!
//! Per chunk: a `u32` path id, a `u64` offset and a `u64` length (20 bytes), in C order of
//! the chunk grid. Paths are deduplicated in a [`PathTable`]; the reserved ids [`MISSING`]
//! and [`INLINED`] mark chunks with no bytes and chunks whose bytes the manifest holds itself
//! (a sparse map, since inlined chunks are rare and small).

mod grid;
mod ops;
mod paths;

pub use grid::{checked_product, for_each_run, ravel, strides, unravel};
pub use paths::{PathTable, FIRST_RESERVED, INLINED, MISSING};

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Safety limit on the number of chunks in one manifest (~5 GB of columns); beyond this a
/// count read from a hostile file is treated as an error rather than an allocation.
pub const MAX_CHUNKS: u64 = 1 << 28;

#[derive(Clone, Debug)]
pub struct ChunkManifest {
    shape: Vec<u64>,
    paths: PathTable,
    ids: Vec<u32>,
    offsets: Vec<u64>,
    lengths: Vec<u64>,
    inlined: BTreeMap<u64, Vec<u8>>,
}

/// Checks that the columns hold one entry per chunk of a grid of `shape`.
fn check_column_lengths(
    shape: &[u64],
    ids: &[u32],
    offsets: &[u64],
    lengths: &[u64],
) -> Result<()> {
    let n = chunk_count(shape)?;
    if ids.len() != n || offsets.len() != n || lengths.len() != n {
        return Err(Error::invalid(format!(
            "a chunk grid of shape {:?} has {} chunks, but the columns have {} ids, {} offsets and {} lengths",
            shape,
            n,
            ids.len(),
            offsets.len(),
            lengths.len()
        )));
    }
    Ok(())
}

/// One chunk as seen through [`ChunkManifest::entry`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkEntry<'a> {
    Missing,
    Inlined(&'a [u8]),
    Ref {
        path: &'a str,
        offset: u64,
        length: u64,
    },
}

impl ChunkManifest {
    /// A manifest of the given chunk-grid shape in which every chunk is missing.
    pub fn empty(shape: &[u64]) -> Result<ChunkManifest> {
        let n = chunk_count(shape)?;
        Ok(ChunkManifest {
            shape: shape.to_vec(),
            paths: PathTable::new(),
            ids: vec![MISSING; n],
            offsets: vec![0; n],
            lengths: vec![0; n],
            inlined: BTreeMap::new(),
        })
    }

    /// Builds a manifest from columns. `table` may contain duplicates (they are merged);
    /// `ids` index into it or are [`MISSING`]. [`INLINED`] is refused here: inline bytes are
    /// attached with [`ChunkManifest::set_inlined`].
    pub fn from_columns(
        shape: &[u64],
        table: Vec<String>,
        mut ids: Vec<u32>,
        offsets: Vec<u64>,
        lengths: Vec<u64>,
    ) -> Result<ChunkManifest> {
        check_column_lengths(shape, &ids, &offsets, &lengths)?;
        let table_len = table.len() as u64;
        if let Some(bad) = ids
            .iter()
            .position(|&id| id != MISSING && u64::from(id) >= table_len)
        {
            return Err(Error::invalid(format!(
                "chunk {} refers to path id {}, but the path table has {} entries",
                bad, ids[bad], table_len
            )));
        }
        let (paths, remap) = PathTable::from_list(table)?;
        if let Some(remap) = remap {
            paths::remap_ids(&mut ids, &remap);
        }
        let mut manifest = ChunkManifest {
            shape: shape.to_vec(),
            paths,
            ids,
            offsets,
            lengths,
            inlined: BTreeMap::new(),
        };
        manifest.zero_missing();
        Ok(manifest)
    }

    /// A manifest from columns whose maker guarantees what [`ChunkManifest::from_columns`]
    /// checks and establishes: every id is 0 (the one path) or `MISSING`, and missing chunks
    /// have offset and length 0. Those are three passes over every chunk; a scan's chunk
    /// table keeps the invariants by construction, and a million-chunk scan in wasm would
    /// otherwise run the passes in V8's baseline tier on its first call.
    pub(crate) fn from_single_path_columns(
        shape: &[u64],
        path: &str,
        ids: Vec<u32>,
        offsets: Vec<u64>,
        lengths: Vec<u64>,
    ) -> Result<ChunkManifest> {
        check_column_lengths(shape, &ids, &offsets, &lengths)?;
        debug_assert!(ids
            .iter()
            .zip(&offsets)
            .zip(&lengths)
            .all(|((&id, &o), &l)| id == 0 || (id == MISSING && o == 0 && l == 0)));
        let (paths, _) = PathTable::from_list(vec![path.to_string()])?;
        Ok(ChunkManifest {
            shape: shape.to_vec(),
            paths,
            ids,
            offsets,
            lengths,
            inlined: BTreeMap::new(),
        })
    }

    /// Missing chunks carry offset 0 and length 0 so that equality is structural.
    fn zero_missing(&mut self) {
        for i in 0..self.ids.len() {
            if self.ids[i] == MISSING {
                self.offsets[i] = 0;
                self.lengths[i] = 0;
            }
        }
    }

    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn paths(&self) -> &PathTable {
        &self.paths
    }

    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    pub fn lengths(&self) -> &[u64] {
        &self.lengths
    }

    pub fn inlined(&self) -> &BTreeMap<u64, Vec<u8>> {
        &self.inlined
    }

    /// Gives the grid another shape with the same number of chunks (C order is unchanged,
    /// so no column moves): e.g. appending length-1 axes.
    pub fn reshape(&mut self, shape: &[u64]) -> Result<()> {
        if chunk_count(shape)? != self.ids.len() {
            return Err(Error::invalid(format!(
                "cannot reshape a chunk grid of shape {:?} to {:?}",
                self.shape, shape
            )));
        }
        self.shape = shape.to_vec();
        Ok(())
    }

    /// Sets one chunk to a file reference.
    pub fn set_ref(&mut self, index: usize, path: &str, offset: u64, length: u64) -> Result<()> {
        self.check_index(index)?;
        let id = self.paths.intern(path)?;
        self.inlined.remove(&(index as u64));
        self.ids[index] = id;
        self.offsets[index] = offset;
        self.lengths[index] = length;
        Ok(())
    }

    /// Sets one chunk to bytes held in the manifest (HDF5 compact layout, small loaded data).
    pub fn set_inlined(&mut self, index: usize, bytes: Vec<u8>) -> Result<()> {
        self.check_index(index)?;
        self.ids[index] = INLINED;
        self.offsets[index] = 0;
        self.lengths[index] = bytes.len() as u64;
        self.inlined.insert(index as u64, bytes);
        Ok(())
    }

    pub fn set_missing(&mut self, index: usize) -> Result<()> {
        self.check_index(index)?;
        self.inlined.remove(&(index as u64));
        self.ids[index] = MISSING;
        self.offsets[index] = 0;
        self.lengths[index] = 0;
        Ok(())
    }

    fn check_index(&self, index: usize) -> Result<()> {
        if index >= self.ids.len() {
            return Err(Error::invalid(format!(
                "chunk index {} is out of range for a manifest of {} chunks",
                index,
                self.ids.len()
            )));
        }
        Ok(())
    }

    /// The chunk at flat C-order `index`.
    pub fn entry(&self, index: usize) -> Result<ChunkEntry<'_>> {
        self.check_index(index)?;
        Ok(self.entry_unchecked(index))
    }

    /// The chunk at grid coordinates `coords`.
    pub fn entry_at(&self, coords: &[u64]) -> Result<ChunkEntry<'_>> {
        let index = ravel(coords, &self.shape)?;
        Ok(self.entry_unchecked(index as usize))
    }

    fn entry_unchecked(&self, index: usize) -> ChunkEntry<'_> {
        match self.ids[index] {
            MISSING => ChunkEntry::Missing,
            INLINED => ChunkEntry::Inlined(
                self.inlined
                    .get(&(index as u64))
                    .map(|b| b.as_slice())
                    .unwrap_or(&[]),
            ),
            id => ChunkEntry::Ref {
                path: self.paths.get(id).unwrap_or(""),
                offset: self.offsets[index],
                length: self.lengths[index],
            },
        }
    }

    /// Every chunk in C order of the grid.
    pub fn iter(&self) -> impl Iterator<Item = ChunkEntry<'_>> + '_ {
        (0..self.ids.len()).map(move |i| self.entry_unchecked(i))
    }

    /// Number of chunks that are not missing.
    pub fn present_count(&self) -> usize {
        self.ids.iter().filter(|&&id| id != MISSING).count()
    }

    /// Sum of the lengths of all referenced (not inlined, not missing) chunks.
    pub fn referenced_bytes(&self) -> u64 {
        self.ids
            .iter()
            .zip(&self.lengths)
            .filter(|(&id, _)| id < FIRST_RESERVED)
            .map(|(_, &len)| len)
            .sum()
    }

    /// Bytes of memory held by this manifest (columns, path table, inlined chunks).
    pub fn nbytes(&self) -> usize {
        let columns =
            self.ids.capacity() * 4 + (self.offsets.capacity() + self.lengths.capacity()) * 8;
        // Each path is stored twice (list and lookup) plus the map's slot overhead.
        let paths: usize = self
            .paths
            .paths()
            .iter()
            .map(|p| 2 * p.capacity() + 64)
            .sum();
        let inlined: usize = self.inlined.values().map(|b| b.capacity() + 48).sum();
        columns + paths + inlined + self.shape.len() * 8
    }

    /// Replaces every path by `new_paths[id]`. Cost is proportional to the number of
    /// distinct paths, plus one pass over the ids only when two paths merge into one.
    pub fn map_paths(&self, new_paths: Vec<String>) -> Result<ChunkManifest> {
        if new_paths.len() != self.paths.len() {
            return Err(Error::invalid(format!(
                "the manifest has {} distinct paths but {} replacements were given",
                self.paths.len(),
                new_paths.len()
            )));
        }
        let (paths, remap) = PathTable::from_list(new_paths)?;
        let mut ids = self.ids.clone();
        if let Some(remap) = remap {
            paths::remap_ids(&mut ids, &remap);
        }
        Ok(ChunkManifest {
            shape: self.shape.clone(),
            paths,
            ids,
            offsets: self.offsets.clone(),
            lengths: self.lengths.clone(),
            inlined: self.inlined.clone(),
        })
    }
}

/// Two manifests are equal when every chunk resolves to the same entry; path ids and the
/// order of the path tables do not matter.
impl PartialEq for ChunkManifest {
    fn eq(&self, other: &ChunkManifest) -> bool {
        if self.shape != other.shape || self.inlined != other.inlined {
            return false;
        }
        if self.offsets != other.offsets || self.lengths != other.lengths {
            return false;
        }
        if self.paths == other.paths {
            return self.ids == other.ids;
        }
        // Translate our ids into the other's table once, then compare the columns.
        let translate: Vec<Option<u32>> = self
            .paths
            .paths()
            .iter()
            .map(|p| other.paths.id_of(p))
            .collect();
        self.ids.iter().zip(&other.ids).all(|(&a, &b)| {
            if a >= FIRST_RESERVED {
                a == b
            } else {
                translate[a as usize] == Some(b)
            }
        })
    }
}

/// Number of chunks in a grid, refusing shapes whose product overflows or exceeds
/// [`MAX_CHUNKS`].
pub fn chunk_count(shape: &[u64]) -> Result<usize> {
    let n = checked_product(shape)?;
    if n > MAX_CHUNKS {
        return Err(Error::limit(format!(
            "a chunk grid of shape {:?} has {} chunks, more than the limit of {}",
            shape, n, MAX_CHUNKS
        )));
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests;
