//! Shared by the TIFF tests: reading a scanned variable's values through the core's codecs.

#![allow(dead_code)]

use vzarr_core::codecs::{self, DecodeContext};
use vzarr_core::json::Json;
use vzarr_core::scan::{ScannedFile, ScannedGroup, ScannedVariable};
use vzarr_core::ChunkEntry;

pub fn variable<'a>(f: &'a ScannedFile, path: &str) -> Option<&'a ScannedVariable> {
    let mut g: &ScannedGroup = &f.root;
    let parts: Vec<&str> = path.split('/').collect();
    for p in &parts[..parts.len() - 1] {
        g = g.groups.iter().find(|s| s.name == *p)?;
    }
    g.variables
        .iter()
        .find(|v| v.name == parts[parts.len() - 1])
}

fn item_size(dtype: &str) -> usize {
    dtype[2..].parse().unwrap()
}

/// True when every codec of the variable is the core's (zstd is the host's).
pub fn core_decodes(v: &ScannedVariable) -> bool {
    let supported = codecs::supported();
    v.codecs[1..]
        .iter()
        .all(|c| supported.contains(&c.get("name").and_then(Json::as_str).unwrap_or("")))
}

/// The variable's values, C order, little-endian; `None` when a chunk fails to decode.
pub fn read_values(file: &[u8], v: &ScannedVariable) -> vzarr_core::Result<Vec<u8>> {
    let m = v.manifest.as_ref().expect("a virtual variable");
    let item = item_size(&v.dtype);
    let big = v.codecs[0]
        .get("configuration")
        .and_then(|c| c.get("endian"))
        .and_then(Json::as_str)
        == Some("big");
    let n: u64 = v.shape.iter().product();
    let mut out = vec![0u8; n as usize * item];
    let grid = m.shape().to_vec();
    let ctx = DecodeContext {
        dtype: v.dtype.clone(),
        chunk_shape: v.chunks.clone(),
    };
    let chunk_len: u64 = v.chunks.iter().product();
    for (index, entry) in m.iter().enumerate() {
        let stored: Vec<u8> = match entry {
            ChunkEntry::Missing => continue,
            ChunkEntry::Inlined(b) => b.to_vec(),
            ChunkEntry::Ref { offset, length, .. } => {
                file[offset as usize..(offset + length) as usize].to_vec()
            }
        };
        let mut bytes = stored;
        for c in v.codecs[1..].iter().rev() {
            bytes = codecs::decode(c, &bytes, &ctx)?;
        }
        if bytes.len() < (chunk_len as usize) * item {
            return Err(vzarr_core::Error::corrupt(format!(
                "chunk {} decoded to {} bytes",
                index,
                bytes.len()
            )));
        }
        if big {
            for e in bytes.chunks_mut(if v.dtype.contains('c') {
                item / 2
            } else {
                item
            }) {
                e.reverse();
            }
        }
        // Chunk coordinates, then copy every element inside the array.
        let mut coords = vec![0u64; grid.len()];
        let mut rest = index as u64;
        for a in (0..grid.len()).rev() {
            coords[a] = rest % grid[a];
            rest /= grid[a];
        }
        for e in 0..chunk_len {
            let mut within = vec![0u64; grid.len()];
            let mut r = e;
            for a in (0..grid.len()).rev() {
                within[a] = r % v.chunks[a];
                r /= v.chunks[a];
            }
            let mut flat = 0u64;
            let mut inside = true;
            for a in 0..grid.len() {
                let g = coords[a] * v.chunks[a] + within[a];
                if g >= v.shape[a] {
                    inside = false;
                    break;
                }
                flat = flat * v.shape[a] + g;
            }
            if inside {
                let (s, d) = (e as usize * item, flat as usize * item);
                out[d..d + item].copy_from_slice(&bytes[s..s + item]);
            }
        }
    }
    Ok(out)
}
