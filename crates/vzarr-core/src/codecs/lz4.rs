//! LZ4 block format decoding (no frame), as used inside the HDF5 LZ4 and Bitshuffle
//! filters, over the lz4_flex crate (pure Rust, builds for wasm32 and the host). It replaced
//! a hand-written decoder: faster on both backends in bench/codecs.bench.mjs
//! (docs/benchmarks.md).
//!
//! A block is a sequence of sequences: a token (literal length, match length), the literals,
//! a 2-byte match distance and the match; the last sequence has literals only. Blocks are
//! independent: a match may not reach before the start of its own block's output, which
//! holds here because lz4_flex decodes into a slice that starts at the block's output.

use crate::error::{Error, Result};

/// Decodes one block from the whole of `block` into exactly the whole of `dest` (the
/// callers know each block's decoded size). Fails — never writing outside `dest` — when the
/// block is malformed, decodes to another size, or does not end exactly at its end.
pub fn decompress_block(block: &[u8], dest: &mut [u8]) -> Result<()> {
    if block.is_empty() {
        return Err(corrupt("an empty block has no token"));
    }
    match lz4_flex::block::decompress_into(block, dest) {
        Ok(n) if n == dest.len() => Ok(()),
        Ok(n) => Err(corrupt(&format!(
            "a block decodes to {} bytes, expected {}",
            n,
            dest.len()
        ))),
        Err(lz4_flex::block::DecompressError::OutputTooSmall { .. }) => Err(corrupt(&format!(
            "a block decodes to more than the expected {} bytes",
            dest.len()
        ))),
        Err(e) => Err(corrupt(&e.to_string())),
    }
}

fn corrupt(what: &str) -> Error {
    Error::corrupt(format!("lz4: {}", what))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(block: &[u8], expected: usize) -> Result<Vec<u8>> {
        let mut out = vec![9u8; 3 + expected]; // bytes before the block must stay unreachable
        decompress_block(block, &mut out[3..])?;
        assert_eq!(&out[..3], &[9, 9, 9]);
        Ok(out[3..].to_vec())
    }

    #[test]
    fn decodes_literals_matches_and_long_lengths() {
        // "abcd" + match(dist 4, len 8) + "xyz"
        let block = [0x44, b'a', b'b', b'c', b'd', 4, 0, 0x30, b'x', b'y', b'z'];
        assert_eq!(decode(&block, 15).unwrap(), b"abcdabcdabcdxyz");
        // Literal length 15 + 3 = 18, then an overlapping run of 4 + 15 + 255 + 1 bytes.
        let mut block = vec![0xff, 3];
        block.extend_from_slice(&[b'q'; 18]);
        block.extend_from_slice(&[1, 0, 255, 1]);
        block.push(0x00); // last sequence with no literals
        let out = decode(&block, 18 + 275).unwrap();
        assert_eq!(out, vec![b'q'; 293]);
    }

    #[test]
    fn refuses_malformed_blocks() {
        // Match reaching before the block start (into the bytes already in `out`).
        assert!(decode(&[0x10, b'a', 2, 0, 0x00], 6).is_err());
        assert!(decode(&[0x10, b'a', 0, 0, 0x00], 6).is_err(), "offset 0");
        assert!(decode(&[0x50, b'a'], 5).is_err(), "literals past the end");
        assert!(decode(&[0x10, b'a', 1], 5).is_err(), "truncated distance");
        assert!(decode(&[0xf0, 255, 255], 100).is_err(), "truncated length");
        assert!(
            decode(&[0x10, b'a', 1, 0, 0x00], 3).is_err(),
            "longer than expected"
        );
        assert!(decode(&[0x10, b'a'], 2).is_err(), "shorter than expected");
        assert!(decode(&[], 0).is_err(), "an empty block has no token");
        let e = decode(&[0x1f, b'a', 1, 0, 255, 255, 255, 0, 0x00], 10).unwrap_err();
        assert!(e.message.contains("more than the expected"));
    }
}
