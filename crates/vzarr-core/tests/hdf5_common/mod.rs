//! Test helpers shared by the HDF5 integration tests: a host that drives a `ScanSession`
//! like the TypeScript layer does (advance, fetch the requested ranges from an in-memory
//! file, feed them, repeat), and fixture/oracle loading.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vzarr_core::json::Json;
use vzarr_core::scan::{Format, ScanOptions, ScanSession, ScannedFile, ScannedVariable};
use vzarr_core::Result;

/// Round trips after which a scan is considered hung.
pub const MAX_ROUNDS: usize = 100_000;

/// What a scan cost the host.
#[derive(Debug, Default, Clone, Copy)]
pub struct Traffic {
    pub rounds: usize,
    pub ranges: usize,
    pub bytes: u64,
}

/// Scans `bytes` as the file `url`, feeding exactly the ranges the session asks for.
pub fn scan_with(
    url: &str,
    bytes: &[u8],
    format: Format,
    options: ScanOptions,
) -> (Result<ScannedFile>, Traffic) {
    let mut session = ScanSession::new(url, bytes.len() as u64, format, options);
    let mut traffic = Traffic::default();
    loop {
        let needs = match session.advance() {
            Ok(n) => n,
            Err(e) => return (Err(e), traffic),
        };
        if needs.is_empty() {
            break;
        }
        traffic.rounds += 1;
        assert!(
            traffic.rounds < MAX_ROUNDS,
            "{}: the scan does not finish",
            url
        );
        for r in needs {
            assert!(r.length > 0, "{}: asked for an empty range", url);
            let start = r.offset as usize;
            let end = (r.offset + r.length) as usize;
            assert!(
                end <= bytes.len(),
                "{}: asked for {:?} beyond the file",
                url,
                r
            );
            traffic.ranges += 1;
            traffic.bytes += r.length;
            session.feed(r.offset, bytes[start..end].to_vec());
        }
    }
    (session.finish(), traffic)
}

pub fn scan(url: &str, bytes: &[u8]) -> Result<ScannedFile> {
    scan_with(url, bytes, Format::Auto, ScanOptions::default()).0
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("test/fixtures/hdf5").join(name)
}

pub fn generated(name: &str) -> PathBuf {
    repo_root().join("test/fixtures/generated").join(name)
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {}", path.display(), e))
}

pub fn oracle(path: &Path) -> Json {
    let mut p = path.as_os_str().to_os_string();
    p.push(".json");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("no oracle {:?}: {}", p, e));
    Json::parse(&text).expect("oracle JSON parses")
}

/// The whole array of `v` in C order and stored byte order: every chunk read from `file`
/// through the manifest and decoded by the core's codecs (all after the array→bytes
/// `bytes` codec), edge chunks cropped. A missing chunk or an undecodable codec is an error.
pub fn read_decoded(v: &ScannedVariable, file: &[u8]) -> Result<Vec<u8>> {
    use vzarr_core::codecs::{decode, DecodeContext};
    use vzarr_core::manifest::{ravel, unravel};
    use vzarr_core::{ChunkEntry, Error};
    let m = v
        .manifest
        .as_ref()
        .ok_or_else(|| Error::invalid("no manifest"))?;
    let ctx = DecodeContext {
        dtype: v.dtype.clone(),
        chunk_shape: v.chunks.clone(),
    };
    let size = ctx.item_size()?;
    let total: u64 = v.shape.iter().product();
    let mut out = vec![0u8; total as usize * size];
    let grid = m.shape().to_vec();
    for index in 0..m.len() {
        let stored: &[u8] = match m.entry(index)? {
            ChunkEntry::Missing => return Err(Error::invalid("a chunk is missing")),
            ChunkEntry::Inlined(b) => b,
            ChunkEntry::Ref { offset, length, .. } => file
                .get(offset as usize..(offset + length) as usize)
                .ok_or_else(|| Error::invalid("a chunk lies outside the file"))?,
        };
        let mut chunk = stored.to_vec();
        for codec in v.codecs[1..].iter().rev() {
            chunk = decode(codec, &chunk, &ctx)?;
        }
        if chunk.len() != ctx.chunk_bytes()? {
            return Err(Error::invalid("a decoded chunk has the wrong size"));
        }
        let origin = unravel(index as u64, &grid);
        for (k, element) in chunk.chunks_exact(size).enumerate() {
            let local = unravel(k as u64, &v.chunks);
            let global: Vec<u64> = local
                .iter()
                .zip(&origin)
                .zip(&v.chunks)
                .map(|((l, c), s)| c * s + l)
                .collect();
            if global.iter().zip(&v.shape).any(|(g, s)| g >= s) {
                continue;
            }
            let at = ravel(&global, &v.shape)? as usize * size;
            out[at..at + size].copy_from_slice(element);
        }
    }
    Ok(out)
}
