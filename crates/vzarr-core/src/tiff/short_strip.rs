//! The short last strip of a striped image whose height is not a multiple of RowsPerStrip.
//!
//! The chunk grid is regular — every chunk `RowsPerStrip` rows — and a Zarr reader decodes
//! each chunk to the full chunk size before taking the rows inside the array. The last
//! strip holds fewer rows, so it would decode short and every reader (zarr-python, zarrita,
//! ours) would refuse it. The scanner therefore replaces that one chunk by an inlined copy
//! that decodes, through the same codecs, to a full chunk whose extra rows are zero:
//!
//! * uncompressed: the reference is lengthened to a full chunk when the file has the bytes
//!   (they lie outside the array, nobody looks at them); else the padded bytes are inlined;
//! * zstd and PackBits: the stored bytes plus a second zstd frame / PackBits runs of zeros
//!   (both formats decode concatenations) — no decoding needed;
//! * deflate and LZW: decoded, padded, and re-encoded (a zlib stream of stored blocks; LZW
//!   of literal codes).
//!
//! Padding rows are whole rows of zero bytes below the predictor, which decodes rows
//! independently, so predicted data needs nothing more. JPEG strips cannot be re-encoded
//! losslessly: such images are refused with the reason.

use super::encoding::{Compression, Encoding};
use crate::codecs::{self, DecodeContext};
use crate::error::{Error, Result};

/// Bytes of a padded chunk beyond which the scanner refuses to inline one.
pub const MAX_INLINE: u64 = 64 << 20;

/// What to do with a short last strip.
pub enum Plan {
    /// Point at the full chunk's bytes instead (uncompressed, and the file has them).
    Lengthen,
    /// Read the stored strip and inline [`padded`] of it.
    Inline,
}

/// Bytes of one stored row of a chunk and of the full chunk.
pub fn row_and_chunk_bytes(row_bytes: u64, chunk_rows: u64) -> Result<u64> {
    row_bytes
        .checked_mul(chunk_rows)
        .filter(|&n| n <= MAX_INLINE)
        .ok_or_else(|| {
            Error::limit(format!(
                "a strip of {} rows of {} bytes is too large to pad",
                chunk_rows, row_bytes
            ))
        })
}

pub fn plan(enc: &Encoding, offset: u64, full_bytes: u64, file_size: u64) -> Result<Plan> {
    match enc.compression {
        Compression::None
            if offset
                .checked_add(full_bytes)
                .is_some_and(|e| e <= file_size) =>
        {
            Ok(Plan::Lengthen)
        }
        Compression::Jpeg => Err(Error::unsupported(
            "a JPEG-compressed striped image whose height is not a multiple of RowsPerStrip: \
             its short last strip cannot be padded to a full Zarr chunk without re-encoding",
        )),
        _ => Ok(Plan::Inline),
    }
}

/// The inlined replacement for the stored last strip `stored`, which holds `short_bytes`
/// bytes of rows (before compression) of a chunk of `full_bytes`.
pub fn padded(enc: &Encoding, stored: &[u8], short_bytes: u64, full_bytes: u64) -> Result<Vec<u8>> {
    let pad = (full_bytes - short_bytes) as usize;
    match enc.compression {
        Compression::None => {
            let mut out = stored[..stored.len().min(short_bytes as usize)].to_vec();
            out.resize(full_bytes as usize, 0);
            Ok(out)
        }
        Compression::Zstd => {
            let mut out = stored.to_vec();
            out.extend(zstd_zero_frame(pad));
            Ok(out)
        }
        Compression::PackBits => {
            // The stored runs may decode to a little more than the short strip (PackBits
            // pads rows in some writers): decode, pad, and write literal runs then.
            let raw = decode_step(enc, stored, short_bytes)?;
            let mut out = Vec::with_capacity(raw.len() + raw.len() / 128 + 2);
            for run in raw.chunks(128) {
                out.push((run.len() - 1) as u8);
                out.extend_from_slice(run);
            }
            out.extend(codecs::packbits::encode_zeros(pad));
            Ok(out)
        }
        Compression::Deflate => {
            let mut raw = decode_step(enc, stored, short_bytes)?;
            raw.resize(full_bytes as usize, 0);
            Ok(zlib_stored(&raw))
        }
        Compression::Lzw => {
            let mut raw = decode_step(enc, stored, short_bytes)?;
            raw.resize(full_bytes as usize, 0);
            Ok(lzw_literals(&raw))
        }
        Compression::Jpeg => Err(Error::unsupported("padding a JPEG strip")),
    }
}

/// Decodes the compression step alone, to exactly `short_bytes` bytes.
fn decode_step(enc: &Encoding, stored: &[u8], short_bytes: u64) -> Result<Vec<u8>> {
    let step = enc
        .compression_step
        .and_then(|i| enc.codecs.get(i))
        .ok_or_else(|| Error::invalid("no compression step to decode"))?;
    let ctx = DecodeContext {
        dtype: "|u1".to_string(),
        chunk_shape: vec![short_bytes],
    };
    let mut raw = codecs::decode(step, stored, &ctx)?;
    if (raw.len() as u64) < short_bytes {
        return Err(Error::corrupt(format!(
            "the last strip decodes to {} bytes, its rows hold {}",
            raw.len(),
            short_bytes
        )));
    }
    raw.truncate(short_bytes as usize);
    Ok(raw)
}

/// TIFF LZW (MSB first) that codes every byte as a literal: 9-bit codes, a Clear code every
/// [`LZW_RUN`] literals so the decoder's table never grows past 9 bits, then
/// End-of-Information. Larger than the data by 1/8, and needs no dictionary (weezl's encoder
/// would add to the wasm module for a path taken once per short strip).
fn lzw_literals(data: &[u8]) -> Vec<u8> {
    const CLEAR: u32 = 256;
    const EOI: u32 = 257;
    let mut out = Vec::with_capacity(data.len() * 9 / 8 + data.len() / LZW_RUN * 2 + 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut put = |code: u32, out: &mut Vec<u8>| {
        acc = (acc << 9) | code;
        bits += 9;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    };
    for run in data.chunks(LZW_RUN) {
        put(CLEAR, &mut out);
        for &b in run {
            put(u32::from(b), &mut out);
        }
    }
    put(EOI, &mut out);
    put(0, &mut out); // flushes the last partial byte (padding after EOI is ignored)
    out
}

/// Literals between Clear codes: well below the 253 after which a TIFF decoder widens codes.
const LZW_RUN: usize = 200;

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 11);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(65535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let n = block.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&codecs::inflate::adler32(data).to_be_bytes());
    out
}

/// A zstd frame of `count` zero bytes: one RLE block per 128 KiB.
fn zstd_zero_frame(count: usize) -> Vec<u8> {
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Frame header: single segment, 8-byte content size.
    out.push(0b1110_0000);
    out.extend_from_slice(&(count as u64).to_le_bytes());
    let mut left = count;
    loop {
        let n = left.min(128 << 10);
        left -= n;
        let last = u32::from(left == 0);
        // Block header: last flag, type 1 (RLE), size = repetitions.
        let header = last | (1 << 1) | ((n as u32) << 3);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
        if left == 0 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_zlib_inflates() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let z = zlib_stored(&data);
        assert_eq!(
            codecs::inflate::inflate_zlib(&z, data.len() + 16).unwrap(),
            data
        );
        assert_eq!(
            codecs::inflate::inflate_zlib(&zlib_stored(&[]), 16).unwrap(),
            Vec::<u8>::new()
        );
    }

    #[test]
    fn literal_lzw_decodes() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
        let ctx = DecodeContext {
            dtype: "|u1".into(),
            chunk_shape: vec![data.len() as u64],
        };
        assert_eq!(
            codecs::lzw::decode(&lzw_literals(&data), &ctx).unwrap(),
            data
        );
    }

    #[test]
    fn zstd_zero_frame_is_well_formed() {
        let f = zstd_zero_frame(300_000);
        assert_eq!(&f[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        // 4 magic + 1 descriptor + 8 size + 3 blocks of 4 bytes.
        assert_eq!(f.len(), 4 + 1 + 8 + 3 * 4);
    }
}
