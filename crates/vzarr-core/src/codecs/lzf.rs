//! LZF decompression (`vzarr.lzf`, h5py's HDF5 filter 32000).
//!
//! The filter stores a bare liblzf stream with no header: the decoded size is the chunk's
//! size (`chunk_len × item_size` from the [`DecodeContext`]). The stream is a sequence of
//! items, each starting with a control byte `c`:
//! * `c < 32`: a literal run of `c + 1` bytes follows;
//! * otherwise a back reference: length `c >> 5` (7 means "7 + next byte"), plus 2; distance
//!   `((c & 31) << 8) + next byte + 1` back from the end of the output.

use crate::error::{Error, Result};

use super::DecodeContext;

pub fn decode(input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    let expected = ctx.chunk_bytes()?;
    decompress(input, expected)
}

/// Decompresses `input`, which must produce exactly `expected` bytes.
pub fn decompress(input: &[u8], expected: usize) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(expected);
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            let len = ctrl + 1;
            let literal = input
                .get(ip..ip + len)
                .ok_or_else(|| corrupt("a literal run extends past the end of the input"))?;
            if out.len() + len > expected {
                return Err(too_long(expected));
            }
            out.extend_from_slice(literal);
            ip += len;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(
                    *input
                        .get(ip)
                        .ok_or_else(|| corrupt("the input ends inside a back reference"))?,
                );
                ip += 1;
            }
            len += 2;
            let low = usize::from(
                *input
                    .get(ip)
                    .ok_or_else(|| corrupt("the input ends inside a back reference"))?,
            );
            ip += 1;
            let distance = ((ctrl & 0x1f) << 8) + low + 1;
            if distance > out.len() {
                return Err(corrupt(
                    "a back reference points before the start of the output",
                ));
            }
            if out.len() + len > expected {
                return Err(too_long(expected));
            }
            copy_match(&mut out, distance, len);
        }
    }
    if out.len() != expected {
        return Err(corrupt(&format!(
            "the stream decodes to {} bytes, expected {}",
            out.len(),
            expected
        )));
    }
    Ok(out)
}

/// Appends `len` bytes copied from `distance` bytes back; the ranges may overlap (a run).
pub(crate) fn copy_match(out: &mut Vec<u8>, distance: usize, len: usize) {
    let start = out.len() - distance;
    if distance >= len {
        out.extend_from_within(start..start + len);
    } else if distance == 1 {
        let byte = out[start];
        out.resize(out.len() + len, byte);
    } else {
        // Overlapping: the pattern of `distance` bytes repeats; copy it in growing pieces.
        let mut remaining = len;
        while remaining > 0 {
            let piece = remaining.min(out.len() - start);
            out.extend_from_within(start..start + piece);
            remaining -= piece;
        }
    }
}

fn corrupt(what: &str) -> Error {
    Error::corrupt(format!("lzf: {}", what))
}

fn too_long(expected: usize) -> Error {
    corrupt(&format!(
        "the stream decodes to more than the expected {} bytes",
        expected
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_literals_and_overlapping_references() {
        // "abc" literal, then a reference of length 6 at distance 3: "abcabcabc".
        let stream = [2, b'a', b'b', b'c', (4 << 5), 2];
        assert_eq!(decompress(&stream, 9).unwrap(), b"abcabcabc");
        // Long reference (len field 7 + extra 10 = 17, +2 = 19) at distance 1.
        let stream = [0, b'x', (7 << 5), 10, 0];
        assert_eq!(decompress(&stream, 20).unwrap(), vec![b'x'; 20]);
    }

    #[test]
    fn refuses_bad_streams() {
        assert!(decompress(&[5, 1, 2], 6).is_err(), "literal past the end");
        assert!(
            decompress(&[0, 1, (1 << 5), 4], 4).is_err(),
            "distance before the start"
        );
        assert!(
            decompress(&[0, 1, (1 << 5)], 4).is_err(),
            "truncated reference"
        );
        assert!(
            decompress(&[0, 1, (7 << 5), 255, 0], 10).is_err(),
            "longer than expected"
        );
        assert!(decompress(&[1, 1, 2], 3).is_err(), "shorter than expected");
        assert!(decompress(&[], 0).unwrap().is_empty());
    }
}
