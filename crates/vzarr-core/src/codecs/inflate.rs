//! DEFLATE decompression (RFC 1951), raw and with the zlib wrapper (RFC 1950), over the
//! zlib-rs crate (a pure-Rust port of zlib-ng's inflate; it builds for wasm32 as for the host).
//!
//! Used by HDF5's deflate filter and numcodecs' zlib/gzip when the core decodes chunks
//! (coordinate loading during a scan, `codec_decode` — browsers decode every zlib chunk here),
//! and by the re-encoding of mixed-filter chunks. zlib-rs replaced a hand-written inflater: on the codec benchmark
//! (bench/codecs.bench.mjs, docs/benchmarks.md) it is faster on both backends.
//!
//! Hostile input cannot make it allocate beyond the `max_output` the caller allows, loop
//! forever, or panic: the output buffer is allocated up front (exactly `max_output` when
//! that is modest, otherwise a guess grown geometrically up to it) and zlib-rs never writes
//! past it.

use crate::error::{Error, Result};
use zlib_rs::{decompress_slice, InflateConfig, ReturnCode};

/// Decompresses a raw DEFLATE stream; fails when the output would exceed `max_output`.
pub fn inflate_raw(input: &[u8], max_output: usize) -> Result<Vec<u8>> {
    inflate(input, max_output, -15)
}

/// Decompresses a zlib stream (2-byte header, DEFLATE data, Adler-32 of the output).
pub fn inflate_zlib(input: &[u8], max_output: usize) -> Result<Vec<u8>> {
    inflate(input, max_output, 15)
}

/// Decompresses a gzip member (RFC 1952: header, DEFLATE data, CRC-32 and size).
pub fn inflate_gzip(input: &[u8], max_output: usize) -> Result<Vec<u8>> {
    // zlib's convention: 16 + window bits selects the gzip wrapper.
    inflate(input, max_output, 16 + 15)
}

/// Output buffers up to this size are allocated whole; larger limits (a caller that does
/// not know the decoded size) start from a guess and grow.
const PREALLOCATE: usize = 64 << 20;

fn inflate(input: &[u8], max_output: usize, window_bits: i32) -> Result<Vec<u8>> {
    let config = InflateConfig { window_bits };
    let mut capacity = if max_output <= PREALLOCATE {
        max_output
    } else {
        input.len().saturating_mul(8).clamp(1 << 20, PREALLOCATE)
    };
    loop {
        // Zeroed through calloc: fresh pages from the system (and wasm's fresh memory) are
        // zero already, so this costs no pass over the buffer.
        let mut out = vec![0u8; capacity];
        let (decoded, code) = decompress_slice(&mut out, input, config);
        let len = decoded.len();
        match code {
            ReturnCode::Ok => {
                out.truncate(len);
                return Ok(out);
            }
            // The output did not fit: a larger buffer, unless the limit is reached.
            ReturnCode::BufError if len == capacity && capacity < max_output => {
                capacity = capacity.saturating_mul(2).min(max_output);
            }
            ReturnCode::BufError if len == capacity => {
                return Err(Error::limit(format!(
                    "deflate: the stream decodes to more than {} bytes",
                    max_output
                )));
            }
            ReturnCode::BufError => return Err(corrupt("the stream ends early")),
            ReturnCode::DataError => return Err(corrupt("invalid compressed data or checksum")),
            ReturnCode::MemError => return Err(Error::limit("deflate: out of memory")),
            ReturnCode::NeedDict => {
                return Err(Error::unsupported("zlib streams with a preset dictionary"))
            }
            other => return Err(corrupt(&format!("zlib-rs returned {:?}", other))),
        }
    }
}

/// Adler-32 checksum (RFC 1950).
pub fn adler32(data: &[u8]) -> u32 {
    zlib_rs::adler32::adler32(1, data)
}

fn corrupt(message: &str) -> Error {
    Error::corrupt(format!("deflate: {}", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn stored_and_fixed_blocks() {
        // Python: zlib.compress(b"hello hello hello hello", 9)
        let fixed = [
            120, 218, 203, 72, 205, 201, 201, 87, 200, 64, 39, 1, 104, 3, 8, 177,
        ];
        assert_eq!(
            inflate_zlib(&fixed, 100).unwrap(),
            b"hello hello hello hello"
        );
        assert_eq!(
            inflate_raw(&fixed[2..12], 100).unwrap(),
            b"hello hello hello hello"
        );
        // zlib.compress(b"abc", 0): a stored block.
        let stored = [120, 1, 1, 3, 0, 252, 255, 97, 98, 99, 2, 77, 1, 39];
        assert_eq!(inflate_zlib(&stored, 100).unwrap(), b"abc");
        assert_eq!(
            inflate_zlib(&fixed, 10).unwrap_err().kind,
            crate::ErrorKind::LimitExceeded
        );
        let mut bad = fixed;
        bad[15] ^= 1;
        assert!(inflate_zlib(&bad, 100).is_err());
    }

    #[test]
    fn dynamic_block() {
        // Python: random.seed(7); 300 words from alpha..theta joined by spaces;
        // zlib.compress(data, 9). The zlib wrapper checks the Adler-32 of all 1702 bytes.
        let c = hex("78da7d945d0e02210c84afb2578368d464fd49f4a9a7d7dda2fda6253ec042a1d3693b8b1d5f6d39b5ebb52ddbaaad8f735bfab6dc270be3e1b8ea85efd8377efab3e31afde66823fce37959efb7250839da30c3e4bef68bdd33ecebfce5b15ff2adcf464cbfedc84c601cc363208e83881a642d96111e65309dc80970121979e9014b850e812faae55696474b3a6c6320724e46dda63ca23b20e04b0663f31d3f49607c451e523eb711210fe49ef38788183d0b1ee5ff7321caa739e456f744aacea2ae1c5105c0f4f137d02c68420a7a852f3b1339710f7979887fd20432fc6cf65e10bd10a27a01a47f60eda55e54291451b26c143dd7969d5882ae81abc8b52a931ad5c7cf1d4da95702550f35b3f29a645952484a11f9b1133df5559d28ea59c6b951a94759249fd51b9f3c6706");
        let out = inflate_zlib(&c, 1 << 20).unwrap();
        assert_eq!(out.len(), 1702);
        assert_eq!(adler32(&out), 2_671_535_878);
        assert!(out.starts_with(b"zeta gamma eta alpha beta beta zeta alpha delta alpha beta e"));
    }

    #[test]
    fn hostile_streams_fail_cleanly() {
        let mut state = 12345u32;
        for len in 0..200 {
            let junk: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (state >> 16) as u8
                })
                .collect();
            let _ = inflate_raw(&junk, 1 << 16);
        }
    }
}
