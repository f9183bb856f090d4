//! Test helpers shared by the HDF5 integration tests: a host that drives a `ScanSession`
//! like the TypeScript layer does (advance, fetch the requested ranges from an in-memory
//! file, feed them, repeat), and fixture/oracle loading.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vzarr_core::json::Json;
use vzarr_core::scan::{Format, ScanOptions, ScanSession, ScannedFile};
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
