//! PackBits (TIFF compression 32773; imagecodecs' `imagecodecs_packbits`): a header byte `n`
//! copies `n + 1` literal bytes (0..=127), repeats the next byte `1 - n` times (-127..=-1),
//! and -128 is a no-op. Decoding stops when the chunk is full or the input ends.

use super::{DecodeContext, MAX_DECODED_BYTES};
use crate::error::{Error, Result};

pub const CODEC_NAME: &str = "imagecodecs_packbits";

pub fn decode(input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    let expected = ctx.known_chunk_bytes()?;
    let limit = expected.unwrap_or(MAX_DECODED_BYTES);
    let mut out = Vec::with_capacity(expected.unwrap_or(input.len().saturating_mul(2)).min(limit));
    let mut i = 0;
    while i < input.len() && out.len() < limit {
        let n = input[i] as i8;
        i += 1;
        if n >= 0 {
            let len = n as usize + 1;
            let end = (i + len).min(input.len());
            out.extend_from_slice(&input[i..end]);
            i = end;
        } else if n != -128 {
            let Some(&b) = input.get(i) else { break };
            i += 1;
            out.resize(out.len() + (1 - n as isize) as usize, b);
        }
    }
    if let Some(n) = expected {
        if out.len() < n {
            return Err(Error::corrupt(format!(
                "packbits: the stream decodes to {} bytes, the chunk holds {}",
                out.len(),
                n
            )));
        }
    } else if out.len() > limit {
        return Err(Error::limit(
            "packbits: the stream decodes past the size limit",
        ));
    }
    out.truncate(limit);
    Ok(out)
}

/// `count` zero bytes as PackBits runs (appended to a short strip to pad it).
pub fn encode_zeros(count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count.div_ceil(128) * 2);
    let mut left = count;
    while left > 0 {
        let run = left.min(128);
        if run == 1 {
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&[(1 - run as isize) as i8 as u8, 0]);
        }
        left -= run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_tiff_example() {
        // TIFF 6.0 specification, section 9.
        let packed = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7,
            0xAA,
        ];
        let want = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        let ctx = DecodeContext {
            dtype: "|u1".into(),
            chunk_shape: vec![want.len() as u64],
        };
        assert_eq!(decode(&packed, &ctx).unwrap(), want);
        assert!(decode(&packed[..5], &ctx).is_err());
        let mut padded = packed.to_vec();
        padded.extend(encode_zeros(300));
        let ctx = DecodeContext {
            dtype: "|u1".into(),
            chunk_shape: vec![want.len() as u64 + 300],
        };
        let out = decode(&padded, &ctx).unwrap();
        assert_eq!(&out[..want.len()], want);
        assert!(out[want.len()..].iter().all(|&b| b == 0));
    }
}
