//! LZW as TIFF writes it (compression 5; imagecodecs' numcodecs codec `imagecodecs_lzw`):
//! MSB-first codes of 9–12 bits with TIFF's "early change" of the code width, over the
//! weezl crate.
//!
//! TIFF writers do not always end a strip with the end-of-information code, and some add
//! padding after it; like libtiff and imagecodecs, decoding stops when the expected number
//! of bytes has been produced or the input runs out, whichever is first.

use super::{DecodeContext, MAX_DECODED_BYTES};
use crate::error::{Error, Result};
use weezl::{decode::Decoder, BitOrder, LzwStatus};

/// The codec name vzarr emits and reads (imagecodecs' numcodecs id).
pub const CODEC_NAME: &str = "imagecodecs_lzw";

pub fn decode(input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    let expected = ctx.known_chunk_bytes()?;
    let limit = expected.unwrap_or(MAX_DECODED_BYTES);
    let mut decoder = Decoder::with_tiff_size_switch(BitOrder::Msb, 8);
    // Without a known size, start from a guess and grow: LZW expands at most ~4000×, but
    // real chunks expand a few times.
    let mut out =
        vec![0u8; expected.unwrap_or_else(|| input.len().saturating_mul(4).clamp(4096, limit))];
    let (mut read, mut written) = (0usize, 0usize);
    loop {
        let result = decoder.decode_bytes(&input[read..], &mut out[written..]);
        read += result.consumed_in;
        written += result.consumed_out;
        match result.status {
            Err(e) => return Err(Error::corrupt(format!("lzw: {}", e))),
            Ok(LzwStatus::Done) => break,
            Ok(LzwStatus::NoProgress) if read == input.len() => break,
            Ok(_) if written == out.len() => {
                if expected.is_some() {
                    break; // the chunk is complete; what follows is padding
                }
                if out.len() >= limit {
                    return Err(Error::limit(format!(
                        "lzw: the stream decodes to more than {} bytes",
                        limit
                    )));
                }
                let grown = out.len().saturating_mul(2).min(limit);
                out.resize(grown, 0);
            }
            Ok(LzwStatus::NoProgress) => {
                return Err(Error::corrupt("lzw: the decoder made no progress"))
            }
            Ok(LzwStatus::Ok) => {}
        }
    }
    if let Some(n) = expected {
        if written < n {
            return Err(Error::corrupt(format!(
                "lzw: the stream decodes to {} bytes, the chunk holds {}",
                written, n
            )));
        }
    }
    out.truncate(written);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(n: u64) -> DecodeContext {
        DecodeContext {
            dtype: "|u1".into(),
            chunk_shape: vec![n],
        }
    }

    #[test]
    fn decodes_tiff_lzw() {
        // imagecodecs.lzw_encode(b"TOBEORNOTTOBEORTOBEORNOT" * 3) (libtiff's encoder).
        let data = b"TOBEORNOTTOBEORTOBEORNOT".repeat(3);
        let encoded = [
            128, 21, 9, 228, 34, 41, 60, 164, 78, 39, 149, 32, 80, 72, 52, 46, 11, 7, 132, 195,
            160, 208, 136, 84, 14, 31, 18, 136, 69, 97, 145, 152, 196, 98, 41, 1, 0,
        ];
        let out = decode(&encoded, &ctx(data.len() as u64)).unwrap();
        assert_eq!(out, data);
        // Without a size: up to the end-of-information code.
        assert_eq!(decode(&encoded, &DecodeContext::default()).unwrap(), data);
    }

    #[test]
    fn refuses_corrupt_and_short_streams() {
        assert!(decode(&[0xff, 0xff, 0xff, 0xff], &ctx(100)).is_err());
        assert!(decode(&[128, 21, 9], &ctx(100)).is_err(), "too short");
    }
}
