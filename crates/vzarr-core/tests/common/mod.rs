//! Helpers shared by the integration tests: fixture paths, a scan driver that serves the
//! scanner's byte requests from a file in memory, SHA-256 (the corpus digest) and base64.

#![allow(dead_code)]

use std::path::PathBuf;
use vzarr_core::sansio::ByteRange;
use vzarr_core::scan::{Format, ScanOptions, ScanSession, ScannedFile};
use vzarr_core::Result;

/// `test/fixtures/<rel>` in the repository.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test/fixtures")
        .join(rel)
}

/// The shared corpus of real files, next to the repository's parent (`/work/shared`).
pub fn corpus_dir() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ];
    candidates
        .into_iter()
        .find(|p| p.join("truth.json").exists())
}

/// What a scan did: its result and every range it asked for.
pub struct ScanRun {
    pub result: Result<ScannedFile>,
    pub requests: Vec<ByteRange>,
}

impl ScanRun {
    pub fn bytes_requested(&self) -> u64 {
        self.requests.iter().map(|r| r.length).sum()
    }
}

/// Runs a scan over `bytes`, feeding exactly the requested ranges (bounded rounds).
pub fn scan_bytes(bytes: &[u8], format: Format) -> ScanRun {
    let mut session = ScanSession::new(
        "file.nc",
        bytes.len() as u64,
        format,
        ScanOptions::default(),
    );
    let mut requests = Vec::new();
    for _ in 0..1000 {
        let needs = match session.advance() {
            Ok(n) => n,
            Err(e) => {
                return ScanRun {
                    result: Err(e),
                    requests,
                }
            }
        };
        if needs.is_empty() {
            return ScanRun {
                result: session.finish(),
                requests,
            };
        }
        for r in needs {
            assert!(
                r.end() <= bytes.len() as u64,
                "request {:?} past the end",
                r
            );
            requests.push(r);
            session.feed(
                r.offset,
                bytes[r.offset as usize..r.end() as usize].to_vec(),
            );
        }
    }
    panic!("the scan did not finish in 1000 rounds");
}

/// SHA-256 (FIPS 180-4), hex-encoded.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    h.iter().map(|x| format!("{:08x}", x)).collect()
}

/// Decodes standard base64 (with padding).
pub fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The corpus digest of raw stored values: little-endian, floats widened to f64 with NaN
/// replaced by 1e300 (see /work/shared/tools/corpus_lib.py).
pub fn corpus_digest(raw: &[u8], dtype: &str) -> String {
    let big = dtype.starts_with('>');
    let kind = dtype.as_bytes().get(1).copied().unwrap_or(b'?');
    let size: usize = dtype[2..].parse().expect("dtype size");
    let mut out = Vec::with_capacity(raw.len() * 2);
    for e in raw.chunks_exact(size) {
        let mut b = e.to_vec();
        if big {
            b.reverse();
        }
        if kind == b'f' {
            let v = match size {
                4 => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                8 => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
                _ => panic!("float size {}", size),
            };
            let v = if v.is_nan() { 1e300 } else { v };
            out.extend_from_slice(&v.to_le_bytes());
        } else {
            out.extend_from_slice(&b);
        }
    }
    sha256_hex(&out)
}

#[test]
fn sha256_matches_known_vectors() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
}
