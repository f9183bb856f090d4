//! The HDF5 szip filter (`vzarr.szip`, HDF5 filter 4) around an AEC (CCSDS 121.0) decoder.
//!
//! HDF5 (`H5Zszip.c`) stores a 4-byte little-endian decoded size, then what libaec's
//! `SZ_BufftoBuffCompress` produced. This module reproduces `SZ_BufftoBuffDecompress`
//! (libaec `sz_compat.c`) around the entropy decoder, which is passed in as a function so
//! that this wrapper does not depend on where the AEC decoder lives:
//! * AEC parameters: `block_size` = pixels per block, `rsi` = ⌈pixels per scanline /
//!   pixels per block⌉, flags from the szip options mask (only `SZ_MSB_OPTION_MASK` →
//!   `AEC_DATA_MSB` and `SZ_NN_OPTION_MASK` → `AEC_DATA_PREPROCESS` carry over; the
//!   others — EC, LSB, CHIP, RAW — have no AEC flag);
//! * 32- and 64-bit pixels are coded as 8-bit samples of byte planes (the compressor
//!   interleaved them), so the output is de-interleaved;
//! * when a scanline is not a whole number of blocks, each scanline was padded to
//!   `rsi × block_size` pixels, and the padding is removed.
//!
//! Configuration: `{"options_mask", "pixels_per_block", "bits_per_pixel",
//! "pixels_per_scanline"}` — HDF5's `cd_values[0..4]` in the order mask, pixels per block,
//! bits per pixel, pixels per scanline (`H5Z_SZIP_PARM_*`).

use crate::error::{Error, Result};
use crate::json::Json;

use super::{config_u64, DecodeContext, MAX_DECODED_BYTES};

/// libaec's `aec_stream.flags` bits.
pub const AEC_DATA_SIGNED: u32 = 1;
pub const AEC_DATA_3BYTE: u32 = 2;
pub const AEC_DATA_MSB: u32 = 4;
pub const AEC_DATA_PREPROCESS: u32 = 8;
pub const AEC_RESTRICTED: u32 = 16;
pub const AEC_PAD_RSI: u32 = 32;

/// szip's options mask bits (`szlib.h`).
pub const SZ_MSB_OPTION_MASK: u32 = 16;
pub const SZ_NN_OPTION_MASK: u32 = 32;

/// The parameters of one szip-compressed dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SzipParams {
    pub options_mask: u32,
    pub pixels_per_block: u32,
    pub bits_per_pixel: u32,
    pub pixels_per_scanline: u32,
}

impl SzipParams {
    pub fn from_config(config: &Json) -> Result<SzipParams> {
        let field = |key: &str| -> Result<u32> {
            u32::try_from(config_u64(config, key, None)?)
                .map_err(|_| Error::invalid(format!("szip {} is out of range", key)))
        };
        let p = SzipParams {
            options_mask: field("options_mask")?,
            pixels_per_block: field("pixels_per_block")?,
            bits_per_pixel: field("bits_per_pixel")?,
            pixels_per_scanline: field("pixels_per_scanline")?,
        };
        if p.pixels_per_block == 0 || p.pixels_per_block > 64 {
            return Err(Error::corrupt(format!(
                "szip: {} pixels per block is not valid",
                p.pixels_per_block
            )));
        }
        if p.pixels_per_scanline == 0 {
            return Err(Error::corrupt("szip: 0 pixels per scanline"));
        }
        if !(1..=32).contains(&p.bits_per_pixel) && p.bits_per_pixel != 64 {
            return Err(Error::corrupt(format!(
                "szip: {} bits per pixel is not valid",
                p.bits_per_pixel
            )));
        }
        Ok(p)
    }

    /// libaec's `convert_options`.
    pub fn aec_flags(&self) -> u32 {
        let mut flags = 0;
        if self.options_mask & SZ_MSB_OPTION_MASK != 0 {
            flags |= AEC_DATA_MSB;
        }
        if self.options_mask & SZ_NN_OPTION_MASK != 0 {
            flags |= AEC_DATA_PREPROCESS;
        }
        flags
    }

    /// Reference sample interval: blocks per scanline, rounded up.
    pub fn rsi(&self) -> u32 {
        self.pixels_per_scanline.div_ceil(self.pixels_per_block)
    }
}

/// Decodes an HDF5 szip chunk with `aec(input, bits_per_sample, block_size, rsi, flags,
/// expected_len)`, which must return the decoded bytes (at most `expected_len`).
pub fn decode_szip<F>(input: &[u8], config: &Json, ctx: &DecodeContext, aec: F) -> Result<Vec<u8>>
where
    F: Fn(&[u8], u32, u32, u32, u32, usize) -> Result<Vec<u8>>,
{
    let params = SzipParams::from_config(config)?;
    let prefix = input
        .get(..4)
        .ok_or_else(|| Error::corrupt("szip: the chunk is shorter than its size prefix"))?;
    let announced = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
    if let Some(expected) = ctx.known_chunk_bytes()? {
        if announced != expected {
            return Err(Error::corrupt(format!(
                "szip: the chunk announces {} bytes, but a chunk holds {}",
                announced, expected
            )));
        }
    }
    let dest_len = announced;
    let stream = &input[4..];

    let deinterleave = params.bits_per_pixel == 32 || params.bits_per_pixel == 64;
    let bits_per_sample = if deinterleave {
        8
    } else {
        params.bits_per_pixel
    };
    let pixel_size = bytes_per_sample(bits_per_sample);
    let block = params.pixels_per_block as usize;
    let rsi = params.rsi() as usize;
    let line_pixels = params.pixels_per_scanline as usize;
    let pad_scanline = !line_pixels.is_multiple_of(block);

    let scanlines = (dest_len / pixel_size).div_ceil(line_pixels);
    let buf_size = if pad_scanline {
        rsi.checked_mul(block)
            .and_then(|n| n.checked_mul(pixel_size))
            .and_then(|n| n.checked_mul(scanlines))
    } else {
        Some(dest_len)
    }
    .filter(|&n| n <= MAX_DECODED_BYTES)
    .ok_or_else(|| Error::limit("szip: the padded scanlines exceed the size limit"))?;

    let mut buf = aec(
        stream,
        bits_per_sample,
        params.pixels_per_block,
        params.rsi(),
        params.aec_flags(),
        buf_size,
    )?;
    if buf.len() > buf_size {
        return Err(Error::corrupt(format!(
            "szip: the AEC stream decoded to {} bytes, more than the {} asked for",
            buf.len(),
            buf_size
        )));
    }
    let total_out = if pad_scanline {
        let line = line_pixels * pixel_size;
        let padding = (rsi * block - line_pixels) * pixel_size;
        remove_padding(&mut buf, line, padding);
        scanlines * line
    } else {
        buf.len()
    };
    let produced = total_out.min(dest_len).min(buf.len());
    buf.truncate(produced);
    let out = if deinterleave {
        deinterleave_bytes(&buf, (params.bits_per_pixel / 8) as usize)
    } else {
        buf
    };
    if out.len() != dest_len {
        return Err(Error::corrupt(format!(
            "szip: the chunk decoded to {} bytes, expected {}",
            out.len(),
            dest_len
        )));
    }
    Ok(out)
}

/// libaec's `bits_to_bytes`: storage bytes per sample.
fn bytes_per_sample(bits: u32) -> usize {
    if bits > 16 {
        4
    } else if bits > 8 {
        2
    } else {
        1
    }
}

/// Drops the `padding` bytes after every `line` bytes (in place), keeping what is there.
fn remove_padding(buf: &mut Vec<u8>, line: usize, padding: usize) {
    let padded = line + padding;
    let mut write = 0usize;
    let mut read = 0usize;
    while read < buf.len() {
        let n = line.min(buf.len() - read);
        buf.copy_within(read..read + n, write);
        write += n;
        read += padded;
    }
    buf.truncate(write);
}

/// Undoes the byte-plane interleave of 32/64-bit pixels: plane `j` holds byte `j` of
/// every word.
fn deinterleave_bytes(buf: &[u8], word: usize) -> Vec<u8> {
    let words = buf.len() / word;
    let mut out = vec![0u8; words * word];
    for (j, plane) in buf.chunks_exact(words.max(1)).take(word).enumerate() {
        for (i, &b) in plane.iter().enumerate() {
            out[i * word + j] = b;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(mask: u32, ppb: u32, bpp: u32, pps: u32) -> Json {
        Json::object(vec![
            ("options_mask", Json::UInt(mask.into())),
            ("pixels_per_block", Json::UInt(ppb.into())),
            ("bits_per_pixel", Json::UInt(bpp.into())),
            ("pixels_per_scanline", Json::UInt(pps.into())),
        ])
    }

    #[test]
    fn maps_options_like_libaec() {
        let p = SzipParams::from_config(&config(169, 16, 16, 1000)).unwrap();
        assert_eq!(p.aec_flags(), AEC_DATA_PREPROCESS);
        let p = SzipParams::from_config(&config(177, 8, 16, 20)).unwrap();
        assert_eq!(p.aec_flags(), AEC_DATA_MSB | AEC_DATA_PREPROCESS);
        assert_eq!(p.rsi(), 3);
        assert!(SzipParams::from_config(&config(0, 0, 8, 8)).is_err());
        assert!(SzipParams::from_config(&config(0, 8, 48, 8)).is_err());
    }

    #[test]
    fn removes_scanline_padding_and_checks_sizes() {
        // 8-bit pixels, 10 per scanline, blocks of 8 → scanlines padded to 16 pixels.
        let data: Vec<u8> = (0..30u8).collect();
        let mut prefixed = (data.len() as u32).to_le_bytes().to_vec();
        prefixed.extend_from_slice(b"stream");
        let ctx = DecodeContext {
            dtype: "|u1".to_string(),
            chunk_shape: vec![30],
        };
        let aec = |s: &[u8], bits: u32, block: u32, rsi: u32, flags: u32, len: usize| {
            assert_eq!(
                (s, bits, block, rsi, flags, len),
                (&b"stream"[..], 8, 8, 2, 0, 48)
            );
            let mut padded = Vec::new();
            for line in data.chunks(10) {
                padded.extend_from_slice(line);
                padded.resize(padded.len() + 16 - line.len(), 0xEE);
            }
            Ok(padded)
        };
        let out = decode_szip(&prefixed, &config(8, 8, 8, 10), &ctx, aec).unwrap();
        assert_eq!(out, data);
        let short = |_: &[u8], _: u32, _: u32, _: u32, _: u32, _: usize| Ok(vec![0u8; 20]);
        assert!(decode_szip(&prefixed, &config(8, 8, 8, 10), &ctx, short).is_err());
        let long = |_: &[u8], _: u32, _: u32, _: u32, _: u32, n: usize| Ok(vec![0u8; n + 1]);
        assert!(decode_szip(&prefixed, &config(8, 8, 8, 10), &ctx, long).is_err());
        let wrong_ctx = DecodeContext {
            dtype: "|u1".to_string(),
            chunk_shape: vec![31],
        };
        assert!(decode_szip(&prefixed, &config(8, 8, 8, 10), &wrong_ctx, short).is_err());
        assert!(decode_szip(&[1, 0], &config(8, 8, 8, 10), &ctx, short).is_err());
    }
}
