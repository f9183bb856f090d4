//! The HDF5 LZ4 filter (`vzarr.hdf5_lz4`, registered filter 32004).
//!
//! Framing (`H5Zlz4.c`): an 8-byte big-endian decoded size, a 4-byte big-endian block size,
//! then per block a 4-byte big-endian compressed size and the LZ4 block. Every block but the
//! last decodes to the block size; a block whose compressed size equals its decoded size was
//! stored raw (LZ4 could not shrink it).

use crate::error::{Error, Result};

use super::{be_u32, be_u64, lz4, DecodeContext, MAX_DECODED_BYTES};

const WHAT: &str = "hdf5 lz4";

pub fn decode(input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    let total = be_u64(input, 0, WHAT)?;
    let block_size = u64::from(be_u32(input, 8, WHAT)?);
    let total = match ctx.known_chunk_bytes()? {
        Some(expected) if total != expected as u64 => {
            return Err(Error::corrupt(format!(
                "hdf5 lz4: the header announces {} bytes, but a chunk holds {}",
                total, expected
            )))
        }
        _ if total > MAX_DECODED_BYTES as u64 => {
            return Err(Error::limit(format!(
                "hdf5 lz4: the header announces {} bytes, more than the limit of {}",
                total, MAX_DECODED_BYTES
            )))
        }
        _ => total as usize,
    };
    // H5Zlz4 clamps the block size to the total; a zero block size would never advance.
    let block_size = (block_size as usize).min(total);
    if block_size == 0 && total > 0 {
        return Err(Error::corrupt("hdf5 lz4: the block size is 0"));
    }
    // Zeroed by calloc (fresh pages are zero already); each block decodes into its place.
    let mut out = vec![0u8; total];
    let mut ip = 12usize;
    let mut at = 0usize;
    while at < total {
        let this_block = block_size.min(total - at);
        let compressed = be_u32(input, ip, WHAT)? as usize;
        ip += 4;
        let block = ip
            .checked_add(compressed)
            .and_then(|end| input.get(ip..end))
            .ok_or_else(|| {
                Error::corrupt(format!(
                    "hdf5 lz4: a block of {} bytes extends past the end of the chunk",
                    compressed
                ))
            })?;
        let dest = &mut out[at..at + this_block];
        if compressed == this_block {
            dest.copy_from_slice(block);
        } else {
            lz4::decompress_block(block, dest)?;
        }
        at += this_block;
        ip += compressed;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(total: u64, block: u32, blocks: &[&[u8]]) -> Vec<u8> {
        let mut v = total.to_be_bytes().to_vec();
        v.extend_from_slice(&block.to_be_bytes());
        for b in blocks {
            v.extend_from_slice(&(b.len() as u32).to_be_bytes());
            v.extend_from_slice(b);
        }
        v
    }

    fn ctx(n: u64) -> DecodeContext {
        DecodeContext {
            dtype: "|u1".to_string(),
            chunk_shape: vec![n],
        }
    }

    #[test]
    fn decodes_compressed_and_raw_blocks() {
        // Block 1: 7 bytes as a 5-byte lz4 block ('z' + a match of 6 at distance 1);
        // block 2 (the last, 3 bytes) stored raw.
        let run = [0x12, b'z', 1, 0, 0x00];
        let input = frame(10, 7, &[&run, b"abc"]);
        assert_eq!(decode(&input, &ctx(10)).unwrap(), b"zzzzzzzabc");
    }

    #[test]
    fn refuses_inconsistent_frames() {
        let input = frame(8, 5, &[b"abcde", b"abc"]);
        assert_eq!(decode(&input, &ctx(8)).unwrap(), b"abcdeabc");
        assert!(
            decode(&input, &ctx(9)).is_err(),
            "size differs from the chunk"
        );
        assert!(
            decode(&input[..input.len() - 1], &ctx(8)).is_err(),
            "truncated"
        );
        assert!(decode(&input[..10], &ctx(8)).is_err(), "truncated header");
        let absurd = frame(u64::MAX, 5, &[]);
        let e = decode(&absurd, &DecodeContext::default()).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::LimitExceeded);
        let zero = frame(8, 0, &[]);
        assert!(decode(&zero, &ctx(8)).is_err());
        let mut lying = frame(8, 8, &[]);
        lying.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode(&lying, &ctx(8)).is_err(), "block size past the end");
    }
}
