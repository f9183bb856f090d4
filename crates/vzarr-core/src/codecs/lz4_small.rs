//! A hand-written LZ4 block decoder (no frame) for Bitshuffle's small blocks (8 KiB by
//! default). Every other LZ4 block goes through lz4_flex (`lz4.rs`); on Bitshuffle+LZ4
//! chunks this decoder stays 2–7% faster than lz4_flex on both backends
//! (bench/codecs.bench.mjs, docs/benchmarks.md): lz4_flex's fixed cost per call shows when
//! a 4 MiB chunk is 512 calls.
//!
//! A block is a sequence of sequences: a token byte (high nibble: literal length, low
//! nibble: match length − 4; 15 means "more length bytes follow, each added, until one is
//! below 255"), the literals, then a 2-byte little-endian match distance and the match. The
//! last sequence has literals only. Blocks are independent: a match may not reach before
//! the start of its own block's output.

use crate::error::{Error, Result};

use super::lzf::copy_match;

/// Decodes one block from the whole of `block`, appending exactly `expected` bytes to
/// `out`. Fails — without ever growing `out` past `expected` new bytes — when the block
/// is malformed, decodes to another size, or does not end exactly at the end of `block`.
pub fn decompress_block(block: &[u8], out: &mut Vec<u8>, expected: usize) -> Result<()> {
    let base = out.len();
    let limit = base
        .checked_add(expected)
        .ok_or_else(|| corrupt("the decoded size overflows"))?;
    out.reserve(expected);
    let mut ip = 0usize;
    loop {
        let token = *block
            .get(ip)
            .ok_or_else(|| corrupt("the block ends before its last literals"))?;
        ip += 1;
        let mut literals = usize::from(token >> 4);
        if literals == 15 {
            literals = read_length(block, &mut ip, literals)?;
        }
        let lit = ip
            .checked_add(literals)
            .and_then(|end| block.get(ip..end))
            .ok_or_else(|| corrupt("a literal run extends past the end of the block"))?;
        if literals > limit - out.len() {
            return Err(too_long(expected));
        }
        out.extend_from_slice(lit);
        ip += literals;
        if ip == block.len() {
            break; // the last sequence: literals only
        }
        let d = block
            .get(ip..ip + 2)
            .ok_or_else(|| corrupt("the block ends inside a match distance"))?;
        let distance = usize::from(u16::from_le_bytes([d[0], d[1]]));
        ip += 2;
        if distance == 0 || distance > out.len() - base {
            return Err(corrupt(
                "a match offset points before the start of the block",
            ));
        }
        let mut len = usize::from(token & 0x0f);
        if len == 15 {
            len = read_length(block, &mut ip, len)?;
        }
        len += 4;
        if len > limit - out.len() {
            return Err(too_long(expected));
        }
        copy_match(out, distance, len);
    }
    if out.len() != limit {
        return Err(corrupt(&format!(
            "a block decodes to {} bytes, expected {}",
            out.len() - base,
            expected
        )));
    }
    Ok(())
}

/// Adds the extension bytes of a length field that started at 15.
fn read_length(block: &[u8], ip: &mut usize, start: usize) -> Result<usize> {
    let mut len = start;
    loop {
        let b = *block
            .get(*ip)
            .ok_or_else(|| corrupt("the block ends inside a length field"))?;
        *ip += 1;
        // The sum cannot exceed block.len() × 255, far from overflowing usize.
        len += usize::from(b);
        if b != 255 {
            return Ok(len);
        }
    }
}

fn corrupt(what: &str) -> Error {
    Error::corrupt(format!("lz4: {}", what))
}

fn too_long(expected: usize) -> Error {
    corrupt(&format!(
        "a block decodes to more than the expected {} bytes",
        expected
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(block: &[u8], expected: usize) -> Result<Vec<u8>> {
        let mut out = vec![9u8; 3]; // bytes before the block must stay unreachable
        decompress_block(block, &mut out, expected)?;
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
