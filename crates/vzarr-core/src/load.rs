//! Loading small variables during the scan.
//!
//! Opening a file with VirtualiZarr's defaults reads its 1-D dimension coordinates into
//! memory, so that files can be ordered and combined by them. Done by the host, that is a
//! second pass per file through the generic read path (selection, fetch, codec chain) for a
//! few hundred bytes; across thousands of small files it cost as much as the scan itself. So
//! the session, once the format scanner is done, asks for those variables' chunks in the same
//! sans-IO loop, decodes them with the core's codecs and returns the values with the scan.
//!
//! Only the plain cases are taken: a numeric dtype, every chunk stored in this file (none
//! missing), and codecs the core decodes. Anything else — or any failure while decoding —
//! leaves the variable virtual, and the host loads it through its read path, which has every
//! codec and reports errors with their context. Loading here is an optimisation, never a
//! second set of rules.

use crate::codecs::{self, DecodeContext};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::{checked_product, for_each_run, strides, ChunkEntry};
use crate::sansio::{ByteCache, ByteRange};
use crate::scan::{ScannedFile, ScannedGroup, ScannedVariable};

/// Which variables to load while scanning.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LoadSpec {
    /// None: the host loads what it wants.
    #[default]
    Nothing,
    /// Variables named like their only dimension (xarray's index variables), as VirtualiZarr.
    DimensionCoordinates,
    /// These paths (relative to the scanned root, `group/name`).
    Listed(Vec<String>),
}

/// Variables larger than this (decoded) are left to the host, which reads in bounded
/// batches; the same limit the host applies to its default coordinates.
pub const LOAD_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// Values decoded during the scan: C order, native (little-endian) byte order.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedValues {
    /// The dtype of `bytes` (the stored dtype with `<` for `>`).
    pub dtype: String,
    pub bytes: Vec<u8>,
}

/// Where a variable sits in the scanned tree: child-group indices, then its index.
type Location = (Vec<usize>, usize);

/// The variables a scan will load, chosen once the format scanner is done.
pub struct LoadPlan {
    targets: Vec<Location>,
}

impl LoadPlan {
    pub fn new(file: &ScannedFile, spec: &LoadSpec, url: &str) -> LoadPlan {
        let mut targets = Vec::new();
        if *spec != LoadSpec::Nothing {
            select(&file.root, "", &mut Vec::new(), spec, url, &mut targets);
        }
        LoadPlan { targets }
    }

    /// Byte ranges of the chosen variables' chunks not fed yet. A variable whose ranges the
    /// cache refuses (beyond the end of the file) is dropped from the plan.
    pub fn needs(&mut self, file: &ScannedFile, cache: &ByteCache) -> Vec<ByteRange> {
        let mut needs = Vec::new();
        self.targets.retain(|loc| {
            let mut own = Vec::new();
            for entry in manifest_of(variable_at(&file.root, loc)).iter() {
                if let ChunkEntry::Ref { offset, length, .. } = entry {
                    match cache.read(offset, length) {
                        Ok(_) => {}
                        Err(crate::sansio::Stop::Need(r)) => own.push(r),
                        Err(crate::sansio::Stop::Fail(_)) => return false,
                    }
                }
            }
            needs.extend(own);
            true
        });
        needs
    }

    /// Decodes every chosen variable whose bytes are all held; a variable that fails to
    /// decode stays virtual (see the module comment).
    pub fn apply(self, file: &mut ScannedFile, cache: &ByteCache) {
        for loc in self.targets {
            let v = variable_at_mut(&mut file.root, &loc);
            if let Ok(values) = decode_variable(v, cache) {
                v.loaded = Some(values);
                v.manifest = None;
            }
        }
    }
}

fn select(
    g: &ScannedGroup,
    prefix: &str,
    at: &mut Vec<usize>,
    spec: &LoadSpec,
    url: &str,
    out: &mut Vec<Location>,
) {
    for (i, v) in g.variables.iter().enumerate() {
        let path = format!("{}{}", prefix, v.name);
        let wanted = match spec {
            LoadSpec::Nothing => false,
            LoadSpec::DimensionCoordinates => v.dims.len() == 1 && v.dims[0] == v.name,
            LoadSpec::Listed(list) => list.iter().any(|p| p.trim_start_matches('/') == path),
        };
        if wanted && loadable(v, url) {
            out.push((at.clone(), i));
        }
    }
    for (i, sub) in g.groups.iter().enumerate() {
        at.push(i);
        select(sub, &format!("{}{}/", prefix, sub.name), at, spec, url, out);
        at.pop();
    }
}

/// The plain cases this module decodes; everything else is the host's.
fn loadable(v: &ScannedVariable, url: &str) -> bool {
    let manifest = match &v.manifest {
        Some(m) if v.values.is_none() => m,
        _ => return false,
    };
    let numeric = matches!(v.dtype.get(1..2), Some("i" | "u" | "f"));
    let size_ok = item_size(&v.dtype)
        .ok()
        .and_then(|item| checked_product(&v.shape).ok()?.checked_mul(item as u64))
        .is_some_and(|n| n <= LOAD_LIMIT_BYTES);
    let codecs_ok = v.codecs.split_first().is_some_and(|(first, rest)| {
        codec_name(first) == Some("bytes") && rest.iter().all(|c| decodable(codec_name(c)))
    });
    // The grid covers the array exactly (so every element is written), and a chunk is no
    // larger than the limit either (a hostile chunk shape must not size a decoder's output).
    let grid_ok = v.chunks.len() == v.shape.len()
        && v.chunks.iter().all(|&c| c > 0)
        && manifest.shape().len() == v.shape.len()
        && v.shape
            .iter()
            .zip(&v.chunks)
            .zip(manifest.shape())
            .all(|((&n, &c), &g)| g == n / c + u64::from(n % c != 0));
    let chunk_bytes = item_size(&v.dtype)
        .ok()
        .and_then(|item| checked_product(&v.chunks).ok()?.checked_mul(item as u64))
        .filter(|&n| n <= LOAD_LIMIT_BYTES);
    // Stored chunks larger than they decode to (beyond a codec's framing) are not read here:
    // a corrupt index must not make the scan fetch a large part of a large file.
    let stored_limit = chunk_bytes.map_or(0, |n| n + 64 * 1024);
    let chunks_ok = grid_ok
        && chunk_bytes.is_some()
        && manifest.iter().all(|e| match e {
            ChunkEntry::Missing => false,
            ChunkEntry::Inlined(_) => true,
            ChunkEntry::Ref { path, length, .. } => path == url && length <= stored_limit,
        });
    numeric && size_ok && codecs_ok && chunks_ok
}

fn codec_name(c: &Json) -> Option<&str> {
    c.get("name").and_then(Json::as_str)
}

fn decodable(name: Option<&str>) -> bool {
    name.is_some_and(|n| codecs::supported().contains(&n))
}

fn item_size(dtype: &str) -> Result<usize> {
    DecodeContext {
        dtype: dtype.to_string(),
        chunk_shape: Vec::new(),
    }
    .item_size()
}

fn manifest_of(v: &ScannedVariable) -> &crate::manifest::ChunkManifest {
    v.manifest
        .as_ref()
        .expect("a planned variable keeps its manifest until it is loaded")
}

fn variable_at<'a>(root: &'a ScannedGroup, (groups, i): &Location) -> &'a ScannedVariable {
    let g = groups.iter().fold(root, |g, &k| &g.groups[k]);
    &g.variables[*i]
}

fn variable_at_mut<'a>(
    root: &'a mut ScannedGroup,
    (groups, i): &Location,
) -> &'a mut ScannedVariable {
    let g = groups.iter().fold(root, |g, &k| &mut g.groups[k]);
    &mut g.variables[*i]
}

/// The whole variable, chunk by chunk: decoded, byte-swapped to little-endian, and its
/// in-bounds part (edge chunks are stored padded) copied into place.
fn decode_variable(v: &ScannedVariable, cache: &ByteCache) -> Result<LoadedValues> {
    let item = item_size(&v.dtype)?;
    let total = checked_product(&v.shape)? as usize;
    let mut out = vec![0u8; total * item];
    let ctx = DecodeContext {
        dtype: v.dtype.clone(),
        chunk_shape: v.chunks.clone(),
    };
    let chunk_bytes = ctx.chunk_bytes()?;
    let swap = v.dtype.starts_with('>') && item > 1;
    let manifest = manifest_of(v);
    for (index, entry) in manifest.iter().enumerate() {
        let stored = match entry {
            ChunkEntry::Ref { offset, length, .. } => cache
                .read(offset, length)
                .map_err(|_| Error::invalid("chunk bytes were not fed"))?,
            ChunkEntry::Inlined(bytes) => bytes,
            ChunkEntry::Missing => return Err(Error::invalid("a chunk is missing")),
        };
        let mut bytes = stored.to_vec();
        for codec in v.codecs[1..].iter().rev() {
            // Each step's output is bounded by the chunk's size (codecs::decode, from `ctx`).
            bytes = codecs::decode(codec, &bytes, &ctx)?;
        }
        if bytes.len() < chunk_bytes {
            return Err(Error::corrupt(
                "a chunk decoded to fewer bytes than it holds",
            ));
        }
        bytes.truncate(chunk_bytes);
        if swap {
            bytes.chunks_exact_mut(item).for_each(|e| e.reverse());
        }
        let origin = crate::manifest::unravel(index as u64, manifest.shape());
        copy_chunk(&bytes, &origin, &v.chunks, &v.shape, item, &mut out);
    }
    let dtype = match v.dtype.strip_prefix('>') {
        Some(rest) => format!("<{}", rest),
        None => v.dtype.clone(),
    };
    Ok(LoadedValues { dtype, bytes: out })
}

/// Copies the part of chunk `grid` (grid coordinates) that lies inside `shape` into `out`,
/// one contiguous run along the last axis at a time.
fn copy_chunk(
    chunk: &[u8],
    grid: &[u64],
    chunks: &[u64],
    shape: &[u64],
    item: usize,
    out: &mut [u8],
) {
    let ndim = shape.len();
    let start: Vec<u64> = (0..ndim).map(|a| grid[a] * chunks[a]).collect();
    let extent: Vec<u64> = (0..ndim)
        .map(|a| chunks[a].min(shape[a].saturating_sub(start[a])))
        .collect();
    let out_strides = strides(shape);
    let first: u64 = start.iter().zip(&out_strides).map(|(&s, &k)| s * k).sum();
    // The same runs, walked once over the output's layout and once over the chunk's.
    let mut targets = Vec::new();
    for_each_run(&extent, &out_strides, first, |at, _, _| {
        targets.push(at as usize * item)
    });
    let mut next = targets.into_iter();
    for_each_run(&extent, &strides(chunks), 0, |at, run, _| {
        let (src, len) = (at as usize * item, run as usize * item);
        if let Some(dst) = next.next() {
            out[dst..dst + len].copy_from_slice(&chunk[src..src + len]);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zlib stream of one stored (uncompressed) DEFLATE block.
    fn zlib_stored(data: &[u8]) -> Vec<u8> {
        let n = data.len() as u16;
        let mut out = vec![0x78, 0x01, 0x01];
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&crate::codecs::inflate::adler32(data).to_be_bytes());
        out
    }

    #[test]
    fn copies_edge_chunks_into_place() {
        // A 3×5 array in 2×2 chunks: chunk (1, 2) holds only element (2, 4).
        let shape = [3u64, 5];
        let chunks = [2u64, 2];
        let mut out = vec![0u8; 15];
        for gi in 0..2u64 {
            for gj in 0..3u64 {
                let mut chunk = vec![0u8; 4];
                for (k, b) in chunk.iter_mut().enumerate() {
                    let (i, j) = (gi * 2 + k as u64 / 2, gj * 2 + k as u64 % 2);
                    *b = if i < 3 && j < 5 {
                        (i * 5 + j) as u8
                    } else {
                        99
                    };
                }
                copy_chunk(&chunk, &[gi, gj], &chunks, &shape, 1, &mut out);
            }
        }
        assert_eq!(out, (0..15).collect::<Vec<u8>>());
    }

    #[test]
    fn decodes_big_endian_zlib_chunks_and_refuses_short_ones() {
        let values: Vec<u8> = [1.5f64, -2.0, 3.25]
            .iter()
            .flat_map(|x| x.to_be_bytes())
            .collect();
        let stored = zlib_stored(&values);
        let mut cache = ByteCache::new(stored.len() as u64);
        cache.insert(0, stored.clone());
        let mut m = crate::manifest::ChunkManifest::empty(&[1]).unwrap();
        m.set_ref(0, "file:///x.nc", 0, stored.len() as u64)
            .unwrap();
        let v = ScannedVariable {
            name: "t".into(),
            dims: vec!["t".into()],
            shape: vec![3],
            chunks: vec![4],
            dtype: ">f8".into(),
            codecs: vec![
                Json::parse(r#"{"name":"bytes","configuration":{"endian":"big"}}"#).unwrap(),
                Json::parse(r#"{"name":"numcodecs.zlib","configuration":{"level":1}}"#).unwrap(),
            ],
            fill_value: Json::Null,
            attrs: Vec::new(),
            manifest: Some(m),
            values: None,
            loaded: None,
        };
        // The chunk holds 4 elements, the stream only 3: refused, left to the host.
        assert!(decode_variable(&v, &cache).is_err());
        let mut padded = values.clone();
        padded.extend_from_slice(&[0; 8]);
        let stored = zlib_stored(&padded);
        let mut cache = ByteCache::new(stored.len() as u64);
        cache.insert(0, stored.clone());
        let mut v = v;
        let mut m = crate::manifest::ChunkManifest::empty(&[1]).unwrap();
        m.set_ref(0, "file:///x.nc", 0, stored.len() as u64)
            .unwrap();
        v.manifest = Some(m);
        assert!(loadable(&v, "file:///x.nc"));
        assert!(!loadable(&v, "file:///other.nc"));
        // Declined, for the host: a chunk shape larger than the limit, a grid that does not
        // cover the array.
        let mut huge = v.clone();
        huge.chunks = vec![1 << 40];
        assert!(!loadable(&huge, "file:///x.nc"));
        let mut short = v.clone();
        short.shape = vec![5];
        assert!(!loadable(&short, "file:///x.nc"));
        let mut bloated = v.clone();
        let mut m = crate::manifest::ChunkManifest::empty(&[1]).unwrap();
        m.set_ref(0, "file:///x.nc", 0, 1 << 20).unwrap();
        bloated.manifest = Some(m);
        assert!(!loadable(&bloated, "file:///x.nc"));
        let got = decode_variable(&v, &cache).unwrap();
        assert_eq!(got.dtype, "<f8");
        let le: Vec<u8> = [1.5f64, -2.0, 3.25]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(got.bytes, le);
    }
}
