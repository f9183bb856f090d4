//! The Bitshuffle filter (`vzarr.bitshuffle`, registered HDF5 filter 32008).
//!
//! Configuration `{"elementsize": N, "blocksize": B, "compression": "none"|"lz4"|"zstd"}`
//! (the filter's `cd_values[2..5]`). Data are processed in blocks of `B` elements (0 means
//! bitshuffle's default, [`default_block_size`]). Within a block of `n` elements (a
//! multiple of 8) of `N` bytes, bit-shuffling stores `8·N` rows of `n` bits: row
//! `8·byte + bit` holds bit `bit` (least significant first) of byte `byte` of every
//! element, element `j` at bit `j % 8` of row byte `j / 8`. After the whole blocks, a last
//! block holds the remaining elements rounded down to a multiple of 8; the final
//! `count % 8` elements are stored as they are (`bshuf_blocked_wrap_fun`).
//!
//! With LZ4 (`bshuf_h5filter.c`), the chunk starts with a 12-byte header — the decoded size
//! in bytes (u64, big-endian) and the block size in bytes (u32, big-endian), which
//! overrides the configuration — and each block is a big-endian u32 compressed size
//! followed by an LZ4 block of the shuffled bytes. Zstandard is not decoded in the core.

use crate::error::{Error, Result};
use crate::json::Json;

use super::{be_u32, be_u64, config_u64, lz4_small, DecodeContext, MAX_DECODED_BYTES};

/// bitshuffle's `BSHUF_TARGET_BLOCK_SIZE_B`, `BSHUF_BLOCKED_MULT`, `BSHUF_MIN_RECOMMEND_BLOCK`.
const TARGET_BLOCK_BYTES: usize = 8192;
const BLOCKED_MULT: usize = 8;
const MIN_RECOMMENDED_BLOCK: usize = 128;
const WHAT: &str = "bitshuffle";

/// bitshuffle's `bshuf_default_block_size`: ~8 KiB of elements, a multiple of 8, at least 128.
pub fn default_block_size(elem_size: usize) -> usize {
    let block = TARGET_BLOCK_BYTES / elem_size.max(1);
    let block = block / BLOCKED_MULT * BLOCKED_MULT;
    block.max(MIN_RECOMMENDED_BLOCK)
}

pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let elem_size = match config_u64(config, "elementsize", Some(0))? {
        0 => ctx.item_size()?,
        n => usize::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_DECODED_BYTES)
            .ok_or_else(|| Error::invalid(format!("bitshuffle element size {} is absurd", n)))?,
    };
    let block_elems = usize::try_from(config_u64(config, "blocksize", Some(0))?)
        .map_err(|_| Error::invalid("bitshuffle block size is absurd"))?;
    let compression = config
        .get("compression")
        .map(|c| {
            c.as_str().ok_or_else(|| {
                Error::invalid(format!(
                    "bitshuffle compression must be a string, not {}",
                    c
                ))
            })
        })
        .transpose()?
        .unwrap_or("none");
    match compression {
        "none" => {
            if let Some(expected) = ctx.known_chunk_bytes()? {
                if input.len() != expected {
                    return Err(Error::corrupt(format!(
                        "bitshuffle: a chunk of {} bytes was expected, found {}",
                        expected,
                        input.len()
                    )));
                }
            }
            let mut out = vec![0u8; input.len()];
            let mut source = RawBlocks { input, at: 0 };
            unshuffle_blocks(&mut source, &mut out, elem_size, block_elems)?;
            Ok(out)
        }
        "lz4" => decode_lz4(input, elem_size, ctx),
        "zstd" => Err(Error::unsupported(
            "bitshuffle with zstd compression is not decoded by vzarr-core",
        )),
        other => Err(Error::unsupported(format!(
            "bitshuffle compression {:?} is not known",
            other
        ))),
    }
}

fn decode_lz4(input: &[u8], elem_size: usize, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let total = be_u64(input, 0, WHAT)?;
    let block_bytes = be_u32(input, 8, WHAT)? as usize;
    let total = match ctx.known_chunk_bytes()? {
        Some(expected) if total != expected as u64 => {
            return Err(Error::corrupt(format!(
                "bitshuffle: the header announces {} bytes, but a chunk holds {}",
                total, expected
            )))
        }
        _ if total > MAX_DECODED_BYTES as u64 => {
            return Err(Error::limit(format!(
                "bitshuffle: the header announces {} bytes, more than the limit of {}",
                total, MAX_DECODED_BYTES
            )))
        }
        _ => total as usize,
    };
    let mut out = vec![0u8; total];
    let mut source = Lz4Blocks {
        input,
        at: 12,
        scratch: Vec::new(),
    };
    unshuffle_blocks(&mut source, &mut out, elem_size, block_bytes / elem_size)?;
    Ok(out)
}

/// Where the shuffled bytes of each block come from.
trait BlockSource {
    /// The `len` shuffled bytes of the next block.
    fn block(&mut self, len: usize) -> Result<&[u8]>;
    /// The `len` bytes of the trailing elements, stored unshuffled.
    fn tail(&mut self, len: usize) -> Result<&[u8]>;
}

struct RawBlocks<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> BlockSource for RawBlocks<'a> {
    fn block(&mut self, len: usize) -> Result<&[u8]> {
        self.tail(len)
    }
    fn tail(&mut self, len: usize) -> Result<&[u8]> {
        let bytes = self
            .input
            .get(self.at..self.at.saturating_add(len))
            .ok_or_else(|| Error::corrupt("bitshuffle: the chunk ends inside a block"))?;
        self.at += len;
        Ok(bytes)
    }
}

struct Lz4Blocks<'a> {
    input: &'a [u8],
    at: usize,
    scratch: Vec<u8>,
}

impl<'a> BlockSource for Lz4Blocks<'a> {
    fn block(&mut self, len: usize) -> Result<&[u8]> {
        let compressed = be_u32(self.input, self.at, WHAT)? as usize;
        let start = self.at + 4;
        let block = start
            .checked_add(compressed)
            .and_then(|end| self.input.get(start..end))
            .ok_or_else(|| {
                Error::corrupt(format!(
                    "bitshuffle: an lz4 block of {} bytes extends past the end of the chunk",
                    compressed
                ))
            })?;
        self.scratch.clear();
        lz4_small::decompress_block(block, &mut self.scratch, len)?;
        self.at = start + compressed;
        Ok(&self.scratch)
    }
    fn tail(&mut self, len: usize) -> Result<&[u8]> {
        let bytes = self
            .input
            .get(self.at..self.at.saturating_add(len))
            .ok_or_else(|| Error::corrupt("bitshuffle: the chunk ends before its last elements"))?;
        self.at += len;
        Ok(bytes)
    }
}

/// Fills `out` block by block as `bshuf_blocked_wrap_fun` lays the chunk out.
fn unshuffle_blocks(
    source: &mut dyn BlockSource,
    out: &mut [u8],
    elem_size: usize,
    block_elems: usize,
) -> Result<()> {
    if elem_size == 0 || !out.len().is_multiple_of(elem_size) {
        return Err(Error::corrupt(format!(
            "bitshuffle: {} bytes are not a whole number of {}-byte elements",
            out.len(),
            elem_size
        )));
    }
    let count = out.len() / elem_size;
    let block_elems = if block_elems == 0 {
        default_block_size(elem_size)
    } else {
        block_elems
    };
    if block_elems % BLOCKED_MULT != 0 {
        return Err(Error::corrupt(format!(
            "bitshuffle: the block size {} is not a multiple of 8 elements",
            block_elems
        )));
    }
    let mut done = 0usize; // elements written
    let full_blocks = count / block_elems;
    let last = count % block_elems / BLOCKED_MULT * BLOCKED_MULT;
    let sizes = std::iter::repeat_n(block_elems, full_blocks).chain(Some(last).filter(|&n| n > 0));
    for n in sizes {
        let bytes = n * elem_size;
        let shuffled = source.block(bytes)?;
        untranspose_bits(
            shuffled,
            &mut out[done * elem_size..done * elem_size + bytes],
            elem_size,
        );
        done += n;
    }
    let rest = (count - done) * elem_size;
    let tail = source.tail(rest)?;
    out[done * elem_size..].copy_from_slice(tail);
    Ok(())
}

/// Undoes the bit transpose of one block: `input` and `out` hold `n × elem_size` bytes,
/// `n` a multiple of 8. Each 8×8 bit tile (8 rows × one row byte, i.e. 8 elements × one
/// element byte) is transposed as one 64-bit word.
fn untranspose_bits(input: &[u8], out: &mut [u8], elem_size: usize) {
    let n = out.len() / elem_size;
    let row_len = n / 8;
    if row_len == 0 {
        return;
    }
    // Group-major, so the 8 × elem_size output bytes of each group of 8 elements are
    // written together; a block is at most a few KiB, so its rows stay in L1.
    for (group, dst) in out.chunks_exact_mut(8 * elem_size).enumerate() {
        for byte in 0..elem_size {
            let rows = &input[byte * 8 * row_len..(byte + 1) * 8 * row_len];
            let mut tile = [0u8; 8];
            for (bit, t) in tile.iter_mut().enumerate() {
                *t = rows[bit * row_len + group];
            }
            let t = transpose_8x8(u64::from_le_bytes(tile)).to_le_bytes();
            for (k, &b) in t.iter().enumerate() {
                dst[k * elem_size + byte] = b;
            }
        }
    }
}

/// Transposes an 8×8 bit matrix held as bit `8·row + col` of a u64 (Hacker's Delight 7-3).
fn transpose_8x8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forward bit transpose of one block, written from the definition.
    fn shuffle_block(input: &[u8], elem_size: usize) -> Vec<u8> {
        let n = input.len() / elem_size;
        let mut out = vec![0u8; input.len()];
        for j in 0..n {
            for byte in 0..elem_size {
                for bit in 0..8 {
                    if input[j * elem_size + byte] >> bit & 1 == 1 {
                        let row = byte * 8 + bit;
                        out[row * n / 8 + j / 8] |= 1 << (j % 8);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        for seed in 0..64u64 {
            let x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (seed << 17);
            let y = transpose_8x8(x);
            for r in 0..8 {
                for c in 0..8 {
                    assert_eq!(y >> (8 * c + r) & 1, x >> (8 * r + c) & 1);
                }
            }
        }
    }

    #[test]
    fn untranspose_inverts_the_definition() {
        for elem_size in [1usize, 2, 3, 4, 8, 16] {
            for n in [8usize, 16, 64, 136] {
                let data: Vec<u8> = (0..n * elem_size).map(|i| (i * 131 + 17) as u8).collect();
                let shuffled = shuffle_block(&data, elem_size);
                let mut out = vec![0u8; data.len()];
                untranspose_bits(&shuffled, &mut out, elem_size);
                assert_eq!(out, data, "elem {} n {}", elem_size, n);
            }
        }
    }

    #[test]
    fn default_block_sizes_match_bitshuffle() {
        assert_eq!(default_block_size(1), 8192);
        assert_eq!(default_block_size(4), 2048);
        assert_eq!(default_block_size(3), 2728);
        assert_eq!(default_block_size(8), 1024);
        assert_eq!(default_block_size(128), 128);
    }

    #[test]
    fn uncompressed_blocks_and_remainder() {
        // 2-byte elements, blocks of 16: 37 elements = 2 blocks of 16 + none of 8 (5 left)
        // ... 37 % 16 = 5 → no partial block, 5 elements copied.
        let data: Vec<u8> = (0..74u32).map(|i| (i * 7) as u8).collect();
        let mut encoded = shuffle_block(&data[..32], 2);
        encoded.extend(shuffle_block(&data[32..64], 2));
        encoded.extend_from_slice(&data[64..]);
        let config = Json::object(vec![
            ("elementsize", Json::UInt(2)),
            ("blocksize", Json::UInt(16)),
            ("compression", Json::from("none")),
        ]);
        let ctx = DecodeContext {
            dtype: "<i2".to_string(),
            chunk_shape: vec![37],
        };
        assert_eq!(decode(&encoded, &config, &ctx).unwrap(), data);
        let bad = Json::object(vec![
            ("elementsize", Json::UInt(2)),
            ("blocksize", Json::UInt(12)),
        ]);
        assert!(
            decode(&encoded, &bad, &ctx).is_err(),
            "block size not a multiple of 8"
        );
        assert!(decode(&encoded[1..], &config, &ctx).is_err(), "wrong size");
        let zstd = Json::object(vec![("compression", Json::from("zstd"))]);
        assert_eq!(
            decode(&encoded, &zstd, &ctx).unwrap_err().kind,
            crate::ErrorKind::UnsupportedFeature
        );
    }
}
