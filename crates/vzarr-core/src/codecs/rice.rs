//! Rice decompression as the FITS tiled-image convention defines it (`RICE_1`, CFITSIO's
//! `ricecomp`; imagecodecs' `imagecodecs_rcomp`). Written from the convention's description
//! (White, Greenfield, Pence and Tody; FITS standard 4.0 §10.4.1):
//!
//! * the first pixel is stored whole, big-endian, in `bytepix` bytes;
//! * then blocks of `nblock` pixels, each led by an `fs` code of 3/4/5 bits (1-, 2-, 4-byte
//!   pixels) holding `fs + 1`: 0 means every difference in the block is zero, the maximum
//!   means the differences are stored raw in 8/16/32 bits, and otherwise each difference is
//!   a unary-coded high part (zeros ended by a one) followed by `fs` low bits;
//! * differences are from the previous pixel, mapped to unsigned as `d >= 0 → 2d`,
//!   `d < 0 → -2d - 1`, with wrap-around arithmetic in the pixel's width.
//!
//! The output is the pixels in the machine's (little-endian) order, as imagecodecs returns
//! them: the array's dtype is `<i2`/`<i4`/`|u1` and the codec's configuration names it.

use super::{DecodeContext, MAX_DECODED_BYTES};
use crate::error::{Error, Result};
use crate::json::Json;

pub const CODEC_NAME: &str = "imagecodecs_rcomp";

/// Reads bits most-significant first; running out of input is an error, not a panic.
struct Bits<'a> {
    input: &'a [u8],
    at: usize,
    /// Bits not yet consumed, right-aligned in `buf` (`nbits` of them).
    buf: u64,
    nbits: u32,
}

impl<'a> Bits<'a> {
    fn take(&mut self, n: u32) -> Result<u64> {
        while self.nbits < n {
            let b = *self.input.get(self.at).ok_or_else(ended)?;
            self.at += 1;
            self.buf = (self.buf << 8) | u64::from(b);
            self.nbits += 8;
        }
        self.nbits -= n;
        let v = self.buf >> self.nbits;
        self.buf &= (1u64 << self.nbits) - 1;
        Ok(v)
    }

    /// Counts zero bits up to and including the next one bit; returns the zeros.
    fn unary(&mut self) -> Result<u64> {
        let mut zeros = 0u64;
        loop {
            if self.nbits == 0 {
                let b = *self.input.get(self.at).ok_or_else(ended)?;
                self.at += 1;
                if b == 0 {
                    zeros += 8;
                    if zeros > 1 << 33 {
                        return Err(Error::corrupt(
                            "rice: a run of zero bits that no pixel can hold",
                        ));
                    }
                    continue;
                }
                self.buf = u64::from(b);
                self.nbits = 8;
            }
            let lead = self.nbits - (64 - self.buf.leading_zeros());
            if lead < self.nbits {
                zeros += u64::from(lead);
                self.nbits -= lead + 1;
                self.buf &= (1u64 << self.nbits) - 1;
                return Ok(zeros);
            }
            zeros += u64::from(self.nbits);
            self.nbits = 0;
            self.buf = 0;
        }
    }
}

fn ended() -> Error {
    Error::corrupt("rice: the compressed tile ends before its last pixel")
}

/// Decodes `n` pixels of `bytepix` bytes (1, 2 or 4) in blocks of `nblock`.
pub fn decompress(input: &[u8], n: usize, bytepix: usize, nblock: usize) -> Result<Vec<u8>> {
    let (fsbits, fsmax, bbits) = match bytepix {
        1 => (3u32, 6u64, 8u32),
        2 => (4, 14, 16),
        4 => (5, 25, 32),
        other => {
            return Err(Error::unsupported(format!(
                "rice: {}-byte pixels (the convention defines 1, 2 and 4)",
                other
            )))
        }
    };
    if nblock == 0 {
        return Err(Error::corrupt("rice: a block size of 0 pixels"));
    }
    let mask: u64 = if bbits == 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << bbits) - 1
    };
    let mut out = Vec::with_capacity(n.saturating_mul(bytepix).min(MAX_DECODED_BYTES));
    if n == 0 {
        return Ok(out);
    }
    let first = input.get(..bytepix).ok_or_else(ended)?;
    let mut last = first.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    let mut bits = Bits {
        input,
        at: bytepix,
        buf: 0,
        nbits: 0,
    };
    let push = |v: u64, out: &mut Vec<u8>| out.extend_from_slice(&v.to_le_bytes()[..bytepix]);
    let mut done = 0usize;
    while done < n {
        let count = nblock.min(n - done);
        let code = bits.take(fsbits)?;
        if code == 0 {
            for _ in 0..count {
                push(last, &mut out);
            }
        } else {
            let fs = code - 1;
            for _ in 0..count {
                let mapped = if fs == fsmax {
                    bits.take(bbits)?
                } else {
                    let high = bits.unary()?;
                    let low = if fs == 0 { 0 } else { bits.take(fs as u32)? };
                    (high << fs) | low
                };
                let diff = if mapped & 1 == 0 {
                    mapped >> 1
                } else {
                    !(mapped >> 1)
                };
                last = last.wrapping_add(diff) & mask;
                push(last, &mut out);
            }
        }
        done += count;
    }
    Ok(out)
}

/// The `imagecodecs_rcomp` codec: `{shape, dtype, nblock}` (the chunk's shape, its
/// little-endian dtype, pixels per block — 32 unless the file says otherwise).
pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let dtype = config
        .get("dtype")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| ctx.dtype.clone());
    let bytepix = match dtype.as_str() {
        "|u1" | "|i1" | "u1" | "i1" => 1,
        "<i2" | "<u2" => 2,
        "<i4" | "<u4" => 4,
        other => {
            return Err(Error::unsupported(format!(
                "rice: dtype {:?} (1-, 2- or 4-byte little-endian integers are decoded)",
                other
            )))
        }
    };
    let n = match config.get("shape").and_then(Json::as_array) {
        Some(s) => {
            let dims: Option<Vec<u64>> = s.iter().map(Json::as_u64).collect();
            let dims = dims.ok_or_else(|| Error::invalid("rice: the shape must be integers"))?;
            crate::manifest::checked_product(&dims)?
        }
        None => ctx.chunk_len()? as u64,
    };
    let nblock = config.get("nblock").and_then(Json::as_u64).unwrap_or(32);
    let total = n
        .checked_mul(bytepix as u64)
        .filter(|&b| b <= MAX_DECODED_BYTES as u64)
        .ok_or_else(|| Error::limit("rice: the chunk exceeds the decoded size limit"))?;
    if !ctx.dtype.is_empty() && ctx.chunk_bytes()? as u64 != total {
        return Err(Error::corrupt(format!(
            "rice: the codec describes {} bytes per chunk, a chunk of {} holds {}",
            total,
            ctx.dtype,
            ctx.chunk_bytes()?
        )));
    }
    decompress(input, n as usize, bytepix, nblock as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test-side encoder (the convention's encoding, for round trips only).
    fn encode(values: &[u64], bytepix: usize, nblock: usize) -> Vec<u8> {
        let (fsbits, fsmax, bbits) = match bytepix {
            1 => (3u32, 6u64, 8u32),
            2 => (4, 14, 16),
            _ => (5, 25, 32),
        };
        let mask: u64 = if bbits == 32 {
            u64::from(u32::MAX)
        } else {
            (1 << bbits) - 1
        };
        let mut bits: Vec<bool> = Vec::new();
        let put = |v: u64, n: u32, bits: &mut Vec<bool>| {
            for i in (0..n).rev() {
                bits.push((v >> i) & 1 == 1);
            }
        };
        let mut out: Vec<u8> = values[0].to_be_bytes()[8 - bytepix..].to_vec();
        let mut last = values[0];
        for block in values.chunks(nblock) {
            let mapped: Vec<u64> = block
                .iter()
                .map(|&v| {
                    let d = v.wrapping_sub(last) & mask;
                    last = v;
                    let signed = if d >> (bbits - 1) == 1 {
                        d as i64 - (mask as i64 + 1)
                    } else {
                        d as i64
                    };
                    if signed >= 0 {
                        (signed as u64) * 2
                    } else {
                        ((-signed) as u64) * 2 - 1
                    }
                })
                .collect();
            if mapped.iter().all(|&m| m == 0) {
                put(0, fsbits, &mut bits);
                continue;
            }
            let mean = mapped.iter().sum::<u64>() / mapped.len() as u64;
            let fs = (64 - mean.leading_zeros()) as u64;
            if fs >= fsmax {
                put(fsmax + 1, fsbits, &mut bits);
                for &m in &mapped {
                    put(m, bbits, &mut bits);
                }
            } else {
                put(fs + 1, fsbits, &mut bits);
                for &m in &mapped {
                    bits.extend(std::iter::repeat_n(false, (m >> fs) as usize));
                    bits.push(true);
                    put(m & ((1 << fs) - 1), fs as u32, &mut bits);
                }
            }
        }
        for c in bits.chunks(8) {
            let mut b = 0u8;
            for (i, &x) in c.iter().enumerate() {
                b |= (x as u8) << (7 - i);
            }
            out.push(b);
        }
        out
    }

    #[test]
    fn round_trips_every_width_and_block_kind() {
        for bytepix in [1usize, 2, 4] {
            let mask: u64 = if bytepix == 4 {
                u64::from(u32::MAX)
            } else {
                (1 << (8 * bytepix)) - 1
            };
            let mut values = Vec::new();
            let mut x = 12345u64;
            for i in 0..300u64 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = match i / 64 {
                    0 => 7,                                    // zero differences
                    1 => 100 + i % 5,                          // small differences
                    2 => (x >> 33) & mask,                     // raw (high entropy)
                    _ => (1000u64.wrapping_sub(i * 3)) & mask, // negative differences
                };
                values.push(v & mask);
            }
            let stream = encode(&values, bytepix, 32);
            let got = decompress(&stream, values.len(), bytepix, 32).unwrap();
            let want: Vec<u8> = values
                .iter()
                .flat_map(|v| v.to_le_bytes()[..bytepix].to_vec())
                .collect();
            assert_eq!(got, want, "bytepix {}", bytepix);
            // Cut anywhere: an error, never a panic.
            for cut in [0, 1, stream.len() / 2, stream.len() - 1] {
                let r = decompress(&stream[..cut], values.len(), bytepix, 32);
                assert!(r.is_err() || cut == stream.len(), "cut {}", cut);
            }
        }
    }

    #[test]
    fn refuses_unknown_widths_and_mismatched_chunks() {
        assert_eq!(
            decompress(&[0; 8], 1, 8, 32).unwrap_err().kind,
            crate::error::ErrorKind::UnsupportedFeature
        );
        let config = Json::object(vec![
            ("shape", Json::from(vec![4u64])),
            ("dtype", Json::from("<i2")),
        ]);
        let ctx = DecodeContext {
            dtype: "<i2".into(),
            chunk_shape: vec![5],
        };
        assert_eq!(
            decode(&[0; 8], &config, &ctx).unwrap_err().kind,
            crate::error::ErrorKind::CorruptFile
        );
    }
}
