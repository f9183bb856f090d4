//! Helpers shared by the GRIB integration tests: driving a scan like a host would, and
//! walking the scanned variables.

#![allow(dead_code)]

use vzarr_core::codecs::{decode, DecodeContext};
use vzarr_core::json::Json;
use vzarr_core::scan::{
    Format, ScanOptions, ScanSession, ScannedFile, ScannedGroup, ScannedVariable,
};
use vzarr_core::Result;

/// Scans `bytes` by answering every request from memory; returns the result, the number
/// of bytes requested in total and the number of request rounds.
pub fn scan(url: &str, bytes: &[u8]) -> Result<(ScannedFile, u64, usize)> {
    scan_with(url, bytes, ScanOptions::default())
}

pub fn scan_with(
    url: &str,
    bytes: &[u8],
    options: ScanOptions,
) -> Result<(ScannedFile, u64, usize)> {
    let mut session = ScanSession::new(url, bytes.len() as u64, Format::Auto, options);
    let mut requested = 0u64;
    let mut rounds = 0usize;
    loop {
        let needs = session.advance()?;
        if needs.is_empty() {
            break;
        }
        rounds += 1;
        for r in needs {
            requested += r.length;
            let end = (r.offset + r.length) as usize;
            session.feed(r.offset, bytes[r.offset as usize..end].to_vec());
        }
    }
    Ok((session.finish()?, requested, rounds))
}

/// Every variable with its path.
pub fn variables(file: &ScannedFile) -> Vec<(String, &ScannedVariable)> {
    fn walk<'a>(g: &'a ScannedGroup, prefix: &str, out: &mut Vec<(String, &'a ScannedVariable)>) {
        for v in &g.variables {
            out.push((format!("{}{}", prefix, v.name), v));
        }
        for sub in &g.groups {
            walk(sub, &format!("{}{}/", prefix, sub.name), out);
        }
    }
    let mut out = Vec::new();
    walk(&file.root, "", &mut out);
    out
}

/// Decodes one chunk of `var` with its codec; float64 values.
pub fn decode_chunk(var: &ScannedVariable, chunk: &[u8]) -> Result<Vec<f64>> {
    let ctx = DecodeContext {
        dtype: var.dtype.clone(),
        chunk_shape: var.chunks.clone(),
    };
    let raw = decode(&var.codecs[0], chunk, &ctx)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// Sum, min, max and NaN count of decoded values.
pub fn stats(values: &[f64]) -> (f64, f64, f64, usize) {
    let mut sum = 0.0;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut missing = 0;
    for &v in values {
        if v.is_nan() {
            missing += 1;
        } else {
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
    }
    (sum, min, max, missing)
}

pub fn read_json(path: &str) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {}", path, e));
    // Python's json writes non-finite floats as bare words; make them strings.
    let text = text
        .replace(": -Infinity", ": \"-Infinity\"")
        .replace(": Infinity", ": \"Infinity\"")
        .replace(": NaN", ": \"NaN\"");
    Json::parse(&text).unwrap()
}

pub fn repo_path(rel: &str) -> String {
    format!("{}/../../{}", env!("CARGO_MANIFEST_DIR"), rel)
}
