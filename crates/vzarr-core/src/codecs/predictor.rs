//! TIFF's predictors as imagecodecs' numcodecs filters, decoded in place:
//!
//! * `imagecodecs_delta` (Predictor 2, horizontal differencing): each sample is stored as
//!   the difference to the previous one along `axis`, in wrapping integer arithmetic on the
//!   samples' bit patterns (`dtype` names the integer type and its byte order).
//! * `imagecodecs_floatpred` (Predictor 3, TIFF Technical Note 3): per row, the samples'
//!   bytes are split into planes (most significant first, whatever the file's byte order)
//!   and byte-wise differenced with a distance of one pixel; the decoded samples are written
//!   in the byte order `dtype` names.
//!
//! `shape` is the chunk shape and `axis` (-1, or -2 for interleaved samples) the axis along
//! which a row runs; `dist` must be 1 (2 and 4 are Adobe's rarely used variants).

use super::{config_u64, DecodeContext};
use crate::error::{Error, Result};
use crate::json::Json;

pub const DELTA: &str = "imagecodecs_delta";
pub const FLOATPRED: &str = "imagecodecs_floatpred";

/// What a predictor configuration describes: the sample size and byte order, and how a
/// chunk splits into rows (`row` samples, differenced at a distance of `stride`).
struct Rows {
    size: usize,
    big_endian: bool,
    row: usize,
    stride: usize,
    total: usize,
}

fn rows(codec: &str, config: &Json, input_len: usize) -> Result<Rows> {
    let dtype = config
        .get("dtype")
        .and_then(Json::as_str)
        .ok_or_else(|| Error::invalid(format!("{}: the configuration needs a dtype", codec)))?;
    let size: usize = dtype
        .get(2..)
        .and_then(|s| s.parse().ok())
        .filter(|s| [1, 2, 4, 8].contains(s))
        .ok_or_else(|| Error::unsupported(format!("{}: dtype {:?}", codec, dtype)))?;
    let big_endian = dtype.starts_with('>');
    let shape: Vec<usize> = config
        .get("shape")
        .and_then(Json::as_array)
        .ok_or_else(|| Error::invalid(format!("{}: the configuration needs a shape", codec)))?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::invalid(format!("{}: bad shape", codec)))?;
    if config_u64(config, "dist", Some(1))? != 1 {
        return Err(Error::unsupported(format!(
            "{} with a distance other than 1",
            codec
        )));
    }
    let axis = match config.get("axis") {
        None => -1,
        Some(Json::Int(a)) => *a,
        Some(Json::UInt(a)) => *a as i64,
        Some(other) => return Err(Error::invalid(format!("{}: axis {}", codec, other))),
    };
    let k = usize::try_from(shape.len() as i64 + axis)
        .ok()
        .filter(|&k| k < shape.len())
        .ok_or_else(|| Error::invalid(format!("{}: axis {} of shape {:?}", codec, axis, shape)))?;
    let stride: usize = shape[k + 1..].iter().product();
    let row = shape[k].saturating_mul(stride);
    let total = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::limit(format!("{}: shape {:?} overflows", codec, shape)))?;
    if row == 0 || total.saturating_mul(size) != input_len {
        return Err(Error::corrupt(format!(
            "{}: {} bytes do not hold a chunk of shape {:?} and dtype {}",
            codec, input_len, shape, dtype
        )));
    }
    Ok(Rows {
        size,
        big_endian,
        row,
        stride,
        total,
    })
}

pub fn decode_delta(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let _ = ctx;
    let r = rows(DELTA, config, input.len())?;
    let mut out = input.to_vec();
    let (size, be) = (r.size, r.big_endian);
    let get = |b: &[u8], i: usize| -> u64 {
        let s = &b[i * size..(i + 1) * size];
        let mut v = 0u64;
        if be {
            for &x in s {
                v = (v << 8) | u64::from(x);
            }
        } else {
            for &x in s.iter().rev() {
                v = (v << 8) | u64::from(x);
            }
        }
        v
    };
    let put = |b: &mut [u8], i: usize, v: u64| {
        let s = &mut b[i * size..(i + 1) * size];
        for (k, x) in s.iter_mut().enumerate() {
            let shift = if be { 8 * (size - 1 - k) } else { 8 * k };
            *x = (v >> shift) as u8;
        }
    };
    for start in (0..r.total).step_by(r.row) {
        for i in start + r.stride..start + r.row {
            let v = get(&out, i).wrapping_add(get(&out, i - r.stride));
            put(&mut out, i, v);
        }
    }
    Ok(out)
}

pub fn decode_floatpred(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let _ = ctx;
    let r = rows(FLOATPRED, config, input.len())?;
    let mut out = vec![0u8; input.len()];
    let row_bytes = r.row * r.size;
    let mut tmp = vec![0u8; row_bytes];
    for (src, dst) in input
        .chunks_exact(row_bytes)
        .zip(out.chunks_exact_mut(row_bytes))
    {
        tmp.copy_from_slice(src);
        for i in r.stride..row_bytes {
            tmp[i] = tmp[i].wrapping_add(tmp[i - r.stride]);
        }
        for s in 0..r.row {
            for b in 0..r.size {
                // Plane b holds the b-th most significant byte of every sample.
                let at = if r.big_endian { b } else { r.size - 1 - b };
                dst[s * r.size + at] = tmp[b * r.row + s];
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dtype: &str, shape: &[u64], axis: i64) -> Json {
        Json::object(vec![
            ("dtype", Json::from(dtype)),
            ("shape", Json::from(shape.to_vec())),
            ("axis", Json::Int(axis)),
            ("dist", Json::UInt(1)),
        ])
    }

    #[test]
    fn delta_wraps_per_row() {
        // Two rows of u2 little-endian: [1, 1, 65535] -> [1, 2, 1]; [5, 0, 0] -> 5s.
        let input: Vec<u8> = [1u16, 1, 65535, 5, 0, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let out =
            decode_delta(&input, &cfg("<u2", &[2, 3], -1), &DecodeContext::default()).unwrap();
        let vals: Vec<u16> = out
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(vals, [1, 2, 1, 5, 5, 5]);
        // Interleaved samples: (1 row, 3 pixels, 2 samples), big-endian.
        let input: Vec<u8> = [1u16, 10, 1, 10, 1, 10]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let out = decode_delta(
            &input,
            &cfg(">u2", &[1, 3, 2], -2),
            &DecodeContext::default(),
        )
        .unwrap();
        let vals: Vec<u16> = out
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(vals, [1, 10, 2, 20, 3, 30]);
    }

    #[test]
    fn floatpred_undoes_the_byte_planes() {
        // Encode [1.0, 2.0, -3.5] as TIFF does, then decode.
        let vals = [1.0f32, 2.0, -3.5];
        let n = vals.len();
        let mut planes = vec![0u8; 4 * n];
        for (s, v) in vals.iter().enumerate() {
            for (b, byte) in v.to_be_bytes().iter().enumerate() {
                planes[b * n + s] = *byte;
            }
        }
        for i in (1..planes.len()).rev() {
            planes[i] = planes[i].wrapping_sub(planes[i - 1]);
        }
        let out =
            decode_floatpred(&planes, &cfg("<f4", &[1, 3], -1), &DecodeContext::default()).unwrap();
        let got: Vec<f32> = out
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(got, vals);
        assert!(decode_floatpred(
            &planes[1..],
            &cfg("<f4", &[1, 3], -1),
            &DecodeContext::default()
        )
        .is_err());
    }
}
