//! Applying HDF5 filters a chunk skipped, so that it reads through the same codec list as
//! the other chunks of its dataset.
//!
//! HDF5 lets a chunk skip an optional filter (its filter mask says which): typically a
//! compressor that could not shrink it. Zarr has one codec list per array, so such a chunk
//! is brought to the others' encoding and inlined in the manifest. Compressors are applied
//! in their *stored* form — zlib stored blocks, a zstd frame of raw blocks, HDF5 LZ4 blocks
//! marked uncompressed, LZF literal runs — which every decoder reads and which cost nothing
//! to produce;
//! shuffle and Fletcher-32 are applied for real. Other filters cannot be applied here.

use super::filters::{self, Filter};
use crate::codecs::inflate::adler32;
use crate::codecs::{fletcher32, shuffle};
use crate::error::{Error, Result};

/// Whether `filter` can be applied by [`apply`].
pub fn can_apply(filter: &Filter) -> bool {
    matches!(
        filter.id,
        filters::DEFLATE
            | filters::SHUFFLE
            | filters::FLETCHER32
            | filters::ZSTD
            | filters::LZ4
            | filters::LZF
    )
}

/// `bytes` with `filter` applied; `item_size` is the dataset's element size (shuffle's
/// default element size).
pub fn apply(filter: &Filter, bytes: &[u8], item_size: usize) -> Result<Vec<u8>> {
    match filter.id {
        filters::DEFLATE => Ok(zlib_stored(bytes)),
        filters::SHUFFLE => {
            let size = filter
                .client_data
                .first()
                .map_or(item_size, |&s| s as usize);
            Ok(shuffle::shuffle(bytes, size))
        }
        filters::FLETCHER32 => {
            let mut out = bytes.to_vec();
            out.extend_from_slice(&fletcher32::checksum(bytes).to_le_bytes());
            Ok(out)
        }
        filters::ZSTD => Ok(zstd_raw(bytes)),
        filters::LZ4 => Ok(hdf5_lz4_stored(bytes)),
        filters::LZF => Ok(lzf_literals(bytes)),
        id => Err(Error::unsupported(format!(
            "HDF5 filter {} cannot be applied to a chunk that skipped it",
            id
        ))),
    }
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 11);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut pieces = data.chunks(65535).peekable();
    if pieces.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        let len = piece.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(piece);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// A zstd frame (RFC 8878) holding `data` in raw blocks: single segment, 8-byte content size.
fn zstd_raw(data: &[u8]) -> Vec<u8> {
    const MAX_BLOCK: usize = 128 * 1024;
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX_BLOCK * 3 + 16);
    out.extend_from_slice(&0xFD2F_B528u32.to_le_bytes());
    // Frame header descriptor: 8-byte content size, single segment (no window descriptor).
    out.push(0b1110_0000);
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    let mut pieces = data.chunks(MAX_BLOCK).peekable();
    if pieces.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0]);
    }
    while let Some(piece) = pieces.next() {
        let last = u32::from(pieces.peek().is_none());
        // Block header: last flag, type 0 (raw), size — 3 bytes little-endian.
        let header = last | (piece.len() as u32) << 3;
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.extend_from_slice(piece);
    }
    out
}

/// An LZF stream of literal runs: a control byte n − 1 (< 32) before each run of n ≤ 32 bytes.
fn lzf_literals(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32 + 1);
    for run in data.chunks(32) {
        out.push((run.len() - 1) as u8);
        out.extend_from_slice(run);
    }
    out
}

/// HDF5's LZ4 filter framing with one block stored uncompressed (compressed size = size).
fn hdf5_lz4_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&(data.len() as u64).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    if !data.is_empty() {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::{self, DecodeContext};
    use crate::json::Json;

    fn filter(id: u16, client_data: Vec<u32>) -> Filter {
        Filter {
            id,
            name: String::new(),
            flags: 1,
            client_data,
        }
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn stored_forms_decode_with_the_core_codecs() {
        for n in [0usize, 1, 7, 65535, 65536, 200_000] {
            let d = data(n);
            let ctx = DecodeContext::default();
            let z = apply(&filter(filters::DEFLATE, vec![4]), &d, 4).unwrap();
            let inflated = codecs::inflate::inflate_zlib(&z, 1 << 20);
            assert_eq!(inflated.unwrap(), d, "zlib, {} bytes", n);
            let l = apply(&filter(filters::LZ4, vec![]), &d, 4).unwrap();
            let lz4 = Json::object(vec![("name", Json::from("vzarr.hdf5_lz4"))]);
            assert_eq!(
                codecs::decode(&lz4, &l, &ctx).unwrap(),
                d,
                "lz4, {} bytes",
                n
            );
            let lzf = apply(&filter(filters::LZF, vec![]), &d, 4).unwrap();
            let ctx_n = DecodeContext {
                dtype: "|u1".to_string(),
                chunk_shape: vec![n as u64],
            };
            let codec = Json::object(vec![("name", Json::from("vzarr.lzf"))]);
            if n > 0 {
                assert_eq!(
                    codecs::decode(&codec, &lzf, &ctx_n).unwrap(),
                    d,
                    "lzf, {} bytes",
                    n
                );
            }
            let f = apply(&filter(filters::FLETCHER32, vec![]), &d, 4).unwrap();
            assert_eq!(fletcher32::decode(&f).unwrap(), d);
        }
    }

    #[test]
    fn shuffle_is_the_inverse_of_the_core_unshuffle() {
        let d = data(4 * 10 + 3);
        let s = apply(&filter(filters::SHUFFLE, vec![4]), &d, 8).unwrap();
        let mut back = vec![0u8; s.len()];
        shuffle::unshuffle(&s, 4, &mut back);
        assert_eq!(back, d);
    }

    #[test]
    fn zstd_frame_layout() {
        let z = zstd_raw(&[1, 2, 3]);
        assert_eq!(&z[..4], &[0x28, 0xB5, 0x2F, 0xFD]);
        assert_eq!(z[4], 0xE0);
        assert_eq!(u64::from_le_bytes(z[5..13].try_into().unwrap()), 3);
        // Last block, raw, 3 bytes: (3 << 3) | 1.
        assert_eq!(&z[13..16], &[25, 0, 0]);
        assert_eq!(&z[16..], &[1, 2, 3]);
        assert!(!can_apply(&filter(filters::SZIP, vec![])));
    }
}
