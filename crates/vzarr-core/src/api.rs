//! The binding surface, in plain Rust types.
//!
//! Both bindings (N-API and wasm) expose exactly these functions; each of their exports is a
//! type conversion plus one call here. Objects that outlive a call (manifests, scans) live in
//! process-wide handle tables and are named by `u32` handles on the JavaScript side.

use crate::codecs::{self, DecodeContext};
use crate::error::{Error, Result};
use crate::handles::HandleTable;
use crate::json::Json;
use crate::load::LoadSpec;
use crate::manifest::{ChunkEntry, ChunkManifest};
use crate::sansio::ByteRange;
use crate::scan::{Format, ScanOptions, ScanSession};
use std::sync::{Mutex, MutexGuard};

static MANIFESTS: Mutex<Option<HandleTable<ChunkManifest>>> = Mutex::new(None);
static SCANS: Mutex<Option<HandleTable<ScanSession>>> = Mutex::new(None);

fn with_table<T, R>(
    table: &'static Mutex<Option<HandleTable<T>>>,
    what: &'static str,
    f: impl FnOnce(&mut HandleTable<T>) -> Result<R>,
) -> Result<R> {
    // A panic while holding the lock cannot leave a table half-updated in a way that matters
    // (each operation inserts or removes whole items), so a poisoned lock is recovered.
    let mut guard: MutexGuard<'_, Option<HandleTable<T>>> = table
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(guard.get_or_insert_with(|| HandleTable::new(what)))
}

fn manifests<R>(f: impl FnOnce(&mut HandleTable<ChunkManifest>) -> Result<R>) -> Result<R> {
    with_table(&MANIFESTS, "manifest", f)
}

fn scans<R>(f: impl FnOnce(&mut HandleTable<ScanSession>) -> Result<R>) -> Result<R> {
    with_table(&SCANS, "scan", f)
}

/// Converts JavaScript numbers to grid sizes, refusing fractions, negatives and NaN.
pub fn to_u64s(values: &[f64], what: &str) -> Result<Vec<u64>> {
    values
        .iter()
        .map(|&v| {
            if v >= 0.0 && v.fract() == 0.0 && v <= 9007199254740991.0 {
                Ok(v as u64)
            } else {
                Err(Error::invalid(format!(
                    "{} must be non-negative integers, got {}",
                    what, v
                )))
            }
        })
        .collect()
}

pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

// ---- manifests -------------------------------------------------------------------------

pub fn manifest_from_columns(
    shape: &[f64],
    table: Vec<String>,
    ids: Vec<u32>,
    offsets: Vec<u64>,
    lengths: Vec<u64>,
) -> Result<u32> {
    let shape = to_u64s(shape, "chunk grid sizes")?;
    let m = ChunkManifest::from_columns(&shape, table, ids, offsets, lengths)?;
    manifests(|t| t.insert(m))
}

/// A manifest of the given grid shape with every chunk missing.
pub fn manifest_empty(shape: &[f64]) -> Result<u32> {
    let shape = to_u64s(shape, "chunk grid sizes")?;
    let m = ChunkManifest::empty(&shape)?;
    manifests(|t| t.insert(m))
}

pub fn manifest_free(handle: u32) -> Result<()> {
    manifests(|t| t.remove(handle).map(drop))
}

/// Number of live manifests (leak checks in tests).
pub fn manifest_live_count() -> usize {
    manifests(|t| Ok(t.len())).unwrap_or(0)
}

pub fn manifest_shape(handle: u32) -> Result<Vec<f64>> {
    manifests(|t| Ok(t.get(handle)?.shape().iter().map(|&d| d as f64).collect()))
}

/// `(kind, path, offset, length, inline bytes)`; kind is 0 missing, 1 inlined, 2 reference.
pub type EntryParts = (u32, String, u64, u64, Vec<u8>);

pub fn manifest_entry(handle: u32, index: f64) -> Result<EntryParts> {
    let index = to_u64s(&[index], "a chunk index")?[0] as usize;
    manifests(|t| {
        Ok(match t.get(handle)?.entry(index)? {
            ChunkEntry::Missing => (0, String::new(), 0, 0, Vec::new()),
            ChunkEntry::Inlined(b) => (1, String::new(), 0, b.len() as u64, b.to_vec()),
            ChunkEntry::Ref {
                path,
                offset,
                length,
            } => (2, path.to_string(), offset, length, Vec::new()),
        })
    })
}

/// The columns, copied out: path table, ids, offsets, lengths.
pub type Columns = (Vec<String>, Vec<u32>, Vec<u64>, Vec<u64>);

pub fn manifest_columns(handle: u32) -> Result<Columns> {
    manifests(|t| {
        let m = t.get(handle)?;
        Ok((
            m.paths().paths().to_vec(),
            m.ids().to_vec(),
            m.offsets().to_vec(),
            m.lengths().to_vec(),
        ))
    })
}

/// The distinct paths a manifest's chunks refer to (its path table), without the columns:
/// what a caller checks before following references.
pub fn manifest_paths(handle: u32) -> Result<Vec<String>> {
    manifests(|t| Ok(t.get(handle)?.paths().paths().to_vec()))
}

/// Inlined chunks as (flat indices, concatenated bytes, per-chunk lengths).
pub fn manifest_inlined(handle: u32) -> Result<(Vec<f64>, Vec<u8>, Vec<u32>)> {
    manifests(|t| {
        let m = t.get(handle)?;
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut lengths = Vec::new();
        for (&i, bytes) in m.inlined() {
            indices.push(i as f64);
            data.extend_from_slice(bytes);
            lengths.push(bytes.len() as u32);
        }
        Ok((indices, data, lengths))
    })
}

pub fn manifest_set_inlined(handle: u32, index: f64, bytes: Vec<u8>) -> Result<()> {
    let index = to_u64s(&[index], "a chunk index")?[0] as usize;
    manifests(|t| t.get_mut(handle)?.set_inlined(index, bytes))
}

fn derive(
    handles: &[u32],
    f: impl FnOnce(&[&ChunkManifest]) -> Result<ChunkManifest>,
) -> Result<u32> {
    manifests(|t| {
        let list = handles
            .iter()
            .map(|&h| t.get(h))
            .collect::<Result<Vec<_>>>()?;
        let out = f(&list)?;
        t.insert(out)
    })
}

pub fn manifest_concat(handles: &[u32], axis: u32) -> Result<u32> {
    derive(handles, |list| ChunkManifest::concat(list, axis as usize))
}

pub fn manifest_stack(handles: &[u32], axis: u32) -> Result<u32> {
    derive(handles, |list| ChunkManifest::stack(list, axis as usize))
}

pub fn manifest_broadcast(handle: u32, shape: &[f64]) -> Result<u32> {
    let shape = to_u64s(shape, "chunk grid sizes")?;
    derive(&[handle], |list| list[0].broadcast(&shape))
}

pub fn manifest_slice(handle: u32, starts: &[f64], stops: &[f64]) -> Result<u32> {
    let starts = to_u64s(starts, "slice starts")?;
    let stops = to_u64s(stops, "slice stops")?;
    derive(&[handle], |list| list[0].slice(&starts, &stops))
}

pub fn manifest_map_paths(handle: u32, table: Vec<String>) -> Result<u32> {
    derive(&[handle], |list| list[0].map_paths(table))
}

pub fn manifest_equals(a: u32, b: u32) -> Result<bool> {
    manifests(|t| Ok(t.get(a)? == t.get(b)?))
}

/// `[nbytes, chunk count, present chunks, referenced bytes]`.
pub fn manifest_stats(handle: u32) -> Result<Vec<f64>> {
    manifests(|t| {
        let m = t.get(handle)?;
        Ok(vec![
            m.nbytes() as f64,
            m.len() as f64,
            m.present_count() as f64,
            m.referenced_bytes() as f64,
        ])
    })
}

// ---- scans -----------------------------------------------------------------------------

pub fn scan_open(url: &str, file_size: f64, format: &str, options_json: &str) -> Result<u32> {
    let file_size = to_u64s(&[file_size], "a file size")?[0];
    let format = Format::parse(format)?;
    let options = parse_scan_options(options_json)?;
    scans(|t| t.insert(ScanSession::new(url, file_size, format, options)))
}

fn parse_scan_options(text: &str) -> Result<ScanOptions> {
    let mut options = ScanOptions::default();
    if text.trim().is_empty() {
        return Ok(options);
    }
    let json = Json::parse(text)?;
    if let Some(g) = json.get("group").and_then(Json::as_str) {
        options.group = g.trim_matches('/').to_string();
    }
    if let Some(list) = json.get("dropVariables").and_then(Json::as_array) {
        options.drop_variables = list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    options.load = match json.get("load") {
        None | Some(Json::Null) => LoadSpec::Nothing,
        Some(Json::String(s)) if s == "dimension-coordinates" => LoadSpec::DimensionCoordinates,
        Some(Json::Array(list)) => LoadSpec::Listed(
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        Some(other) => {
            return Err(Error::invalid(format!(
                "scan option load must be \"dimension-coordinates\" or a list of paths, not {}",
                other
            )))
        }
    };
    Ok(options)
}

/// Byte ranges still needed, as `[offset0, length0, offset1, length1, ...]`; empty = done.
pub fn scan_advance(handle: u32) -> Result<Vec<f64>> {
    let needs = scans(|t| t.get_mut(handle)?.advance())?;
    Ok(flat_ranges(&needs))
}

/// What a host that reads the file itself reads next: the needed ranges of
/// [`scan_advance`], those close together read as one ([`host_reads`]). The wasm module's
/// local scan uses it: coalescing ten thousand ranges in JavaScript cost a cold first scan
/// several milliseconds of object allocation.
pub fn scan_advance_reads(handle: u32) -> Result<Vec<f64>> {
    let needs = scans(|t| t.get_mut(handle)?.advance())?;
    Ok(flat_ranges(&host_reads(&needs)))
}

/// Ranges as the bindings pass them: `[offset0, length0, offset1, length1, ...]`.
fn flat_ranges(ranges: &[ByteRange]) -> Vec<f64> {
    ranges
        .iter()
        .flat_map(|r| [r.offset as f64, r.length as f64])
        .collect()
}

pub fn scan_feed(handle: u32, offset: f64, bytes: Vec<u8>) -> Result<()> {
    let offset = to_u64s(&[offset], "a file offset")?[0];
    scans(|t| {
        t.get_mut(handle)?.feed(offset, bytes);
        Ok(())
    })
}

/// A finished scan as the bindings return it.
pub struct ScanOutput {
    /// The metadata JSON.
    pub json: String,
    /// Handles of its manifests, in the order the JSON's `"manifest": i` fields number them.
    pub manifests: Vec<u32>,
    /// Loaded values, at the JSON's `"loaded": {"offset", "length"}` positions.
    pub loaded: Vec<u8>,
}

/// Finishes a scan; the scan handle is freed.
pub fn scan_finish(handle: u32) -> Result<ScanOutput> {
    let session = scans(|t| t.remove(handle))?;
    finish_session(session)
}

/// Needed ranges this close are read as one (`sansio::coalesce_reads`): the bytes between
/// cost less than another system call and feed. The TypeScript side's local reads use the
/// same figures (`LOCAL_COALESCE` in `ts/src/io/local-file.ts`).
const READ_GAP: u64 = 4096;
const READ_SIZE: u64 = 8 << 20;

/// The reads a host that reads the file itself makes for `needs` (the addon's
/// `scan_with_reader`, the wasm module's local scan through [`scan_advance_reads`]).
fn host_reads(needs: &[ByteRange]) -> Vec<ByteRange> {
    crate::sansio::coalesce_reads(needs, READ_GAP, READ_SIZE)
}

/// A whole scan with the host's reader, on the calling thread: what `parsers/scan.ts` does
/// through the handle functions, for a host that can read synchronously (the Node addon
/// scanning a local file on a libuv thread). `read(offset, length)` returns those bytes.
pub fn scan_with_reader(
    url: &str,
    file_size: u64,
    format: &str,
    options_json: &str,
    mut read: impl FnMut(u64, u64) -> Result<Vec<u8>>,
) -> Result<ScanOutput> {
    let format = Format::parse(format)?;
    let options = parse_scan_options(options_json)?;
    let mut session = ScanSession::new(url, file_size, format, options);
    loop {
        let needs = session.advance()?;
        if needs.is_empty() {
            return finish_session(session);
        }
        for r in host_reads(&needs) {
            let bytes = read(r.offset, r.length).map_err(|e| e.with_file(url.to_string()))?;
            session.feed(r.offset, bytes);
        }
    }
}

fn finish_session(mut session: ScanSession) -> Result<ScanOutput> {
    let mut file = session.finish()?;
    // Number the manifests and loaded values in the JSON before moving them out.
    let json = file.to_json().to_string();
    let loaded = file.take_loaded();
    let list = file.take_manifests();
    let handles = manifests(|t| list.into_iter().map(|m| t.insert(m)).collect())?;
    Ok(ScanOutput {
        json,
        manifests: handles,
        loaded,
    })
}

pub fn scan_free(handle: u32) -> Result<()> {
    scans(|t| t.remove(handle).map(drop))
}

// ---- codecs ----------------------------------------------------------------------------

pub fn codec_decode(
    codec_json: &str,
    input: &[u8],
    dtype: &str,
    chunk_shape: &[f64],
) -> Result<Vec<u8>> {
    let codec = Json::parse(codec_json)?;
    let ctx = DecodeContext {
        dtype: dtype.to_string(),
        chunk_shape: to_u64s(chunk_shape, "chunk sizes")?,
    };
    codecs::decode(&codec, input, &ctx)
}

/// `[offset, length, samples]` of a GRIB2 JPEG 2000 field's codestream within `message`;
/// empty when the field is not JPEG 2000 packed.
pub fn grib_jpeg2000_codestream(message: &[u8]) -> Result<Vec<f64>> {
    Ok(crate::grib::decode::jpeg2000_codestream(message)?
        .map(|(o, l, n)| vec![o as f64, l as f64, n as f64])
        .unwrap_or_default())
}

/// The `vzarr.grib` codec's output for a JPEG 2000 field from its decoded samples.
pub fn grib_decode_samples(
    message: &[u8],
    samples: &[u32],
    dtype: &str,
    chunk_shape: &[f64],
) -> Result<Vec<u8>> {
    let ctx = DecodeContext {
        dtype: dtype.to_string(),
        chunk_shape: to_u64s(chunk_shape, "chunk sizes")?,
    };
    codecs::grib::decode_with_samples(message, samples, &ctx)
}

pub fn codec_supported() -> Vec<String> {
    codecs::supported()
        .into_iter()
        .map(str::to_string)
        .collect()
}
