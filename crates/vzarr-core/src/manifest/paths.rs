//! The deduplicated path table of a manifest. Chunks refer to paths by `u32` id; a file
//! appears once however many chunks it holds, so renaming and merging cost is proportional
//! to the number of distinct files, not chunks.

use crate::error::{Error, Result};
use std::collections::HashMap;

/// Id of a chunk that has no bytes anywhere (reads give the fill value).
pub const MISSING: u32 = u32::MAX;
/// Id of a chunk whose bytes are held in the manifest itself.
pub const INLINED: u32 = u32::MAX - 1;
/// Ids at or above this value are reserved.
pub const FIRST_RESERVED: u32 = INLINED;

#[derive(Clone, Debug, Default)]
pub struct PathTable {
    paths: Vec<String>,
    lookup: HashMap<String, u32>,
}

impl PathTable {
    pub fn new() -> PathTable {
        PathTable::default()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn get(&self, id: u32) -> Option<&str> {
        self.paths.get(id as usize).map(|s| s.as_str())
    }

    pub fn id_of(&self, path: &str) -> Option<u32> {
        self.lookup.get(path).copied()
    }

    /// Returns the id of `path`, adding it when new.
    pub fn intern(&mut self, path: &str) -> Result<u32> {
        if let Some(&id) = self.lookup.get(path) {
            return Ok(id);
        }
        if path.is_empty() {
            return Err(Error::invalid("a chunk path must not be empty"));
        }
        let id = self.paths.len() as u32;
        if id >= FIRST_RESERVED {
            return Err(Error::limit("too many distinct paths in one manifest"));
        }
        self.paths.push(path.to_string());
        self.lookup.insert(path.to_string(), id);
        Ok(id)
    }

    /// Interns every entry of `table`, returning `remap[old_id] = new_id`.
    pub fn intern_all(&mut self, table: &[String]) -> Result<Vec<u32>> {
        table.iter().map(|p| self.intern(p)).collect()
    }

    /// Builds a table from a list that may hold duplicates. Returns the table and the remap
    /// from list position to id, or `None` for the remap when the list was already unique
    /// (so callers can skip rewriting their id column).
    pub fn from_list(list: Vec<String>) -> Result<(PathTable, Option<Vec<u32>>)> {
        let mut table = PathTable::new();
        let remap = table.intern_all(&list)?;
        let identity = remap.iter().enumerate().all(|(i, &id)| i as u32 == id);
        Ok((table, if identity { None } else { Some(remap) }))
    }
}

impl PartialEq for PathTable {
    fn eq(&self, other: &PathTable) -> bool {
        self.paths == other.paths
    }
}

/// Applies `remap` to an id column, leaving reserved ids untouched.
pub fn remap_ids(ids: &mut [u32], remap: &[u32]) {
    for id in ids.iter_mut() {
        if *id < FIRST_RESERVED {
            *id = remap[*id as usize];
        }
    }
}

/// Appends `src` to `dst` through `remap` (or as is when `remap` is the identity).
pub fn extend_ids(dst: &mut Vec<u32>, src: &[u32], remap: Option<&[u32]>) {
    match remap {
        None => dst.extend_from_slice(src),
        Some(remap) => dst.extend(src.iter().map(|&id| {
            if id < FIRST_RESERVED {
                remap[id as usize]
            } else {
                id
            }
        })),
    }
}
