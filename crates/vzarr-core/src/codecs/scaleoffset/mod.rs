//! HDF5's scale-offset filter (`vzarr.scaleoffset`, HDF5 filter 6), as `H5Zscaleoffset.c`
//! decodes it.
//!
//! Per chunk the filter stores a 21-byte header — `minbits` (u32, little-endian), the byte
//! size of `minval` (1 byte, 8 in practice), `minval` (little-endian, 16 bytes reserved) —
//! then every element's `minbits`-bit value, most significant bit first (see [`super::bits`]).
//! * Integers (`scale_type` 2): element = packed value + `minval`, wrapping in the element
//!   size. With a fill value defined, the all-ones value `2^minbits − 1` stands for the fill
//!   value.
//! * Floats, D-scaling (`scale_type` 0, `scale_factor` = decimal digits D): element =
//!   `(float) packed / 10^D + min` in the element's own precision (`min` is `minval`'s low
//!   bytes as a float), the same sentinel for the fill value. HDF5 calls libm's `pow`/`powf`
//!   for `10^D`; [`pow10_f64`] reproduces glibc's results, so values match h5py bit for bit.
//! * Floats, E-scaling (`scale_type` 1): HDF5 refuses it ("E-scaling method not
//!   supported"), so does vzarr (`UnsupportedFeature`).
//! * `minbits` equal to the element's width: the elements follow the header unpacked, in
//!   the writer's byte order (HDF5 copies its memory buffer) — assumed little-endian, as on
//!   every machine HDF5 runs on today — and are converted to the dataset's byte order.
//! * `minbits` 0: every packed value is 0 (all elements equal, or all the fill value).
//! * Integers whose `scale_factor` (a user-fixed `minbits`) is the full width are never
//!   processed: the chunk is the raw data and the scanner emits no codec for the filter.
//!
//! The configuration carries the filter's client data (`cd_values`, 20 of them):
//! `{"scale_type": 0|2, "scale_factor": i32, "nelmts": elements per chunk, "class":
//! "integer"|"float", "size": bytes, "signed": bool, "order": "little"|"big",
//! "fill_defined": bool, "fill_bytes": [the fill value's bytes, least significant first]}`.
//! `fill_bytes` is present only when `fill_defined` is true. HDF5 stores the fill value as
//! it numerically is in memory (`cd_values[8..]`, low 32 bits first), which is machine
//! independent; the bytes spelling keeps every field a small JSON number.

use crate::error::{Error, Result};
use crate::json::Json;

use super::bits::{get_uint, low_mask, put_uint, BitReader};
use super::{config_u64, DecodeContext, MAX_DECODED_BYTES};

mod params;
mod pow10;
pub use pow10::{pow10_f32, pow10_f64};

/// `H5Z_SCALEOFFSET_TOTAL_NPARMS`.
const CD_VALUES: usize = 20;
/// Bytes before the packed values: minbits (4), size of minval (1), minval (16 reserved).
const HEADER: usize = 21;
const WHAT: &str = "scaleoffset";

/// `H5Z_SO_scale_type_t`.
const SO_FLOAT_DSCALE: u32 = 0;
const SO_FLOAT_ESCALE: u32 = 1;
const SO_INT: u32 = 2;

/// How packed values become elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// `H5Z_SO_INT`: offsets from the chunk's minimum.
    Integer { signed: bool },
    /// `H5Z_SO_FLOAT_DSCALE`: `value × 10^decimals`, rounded, offset from the minimum.
    Decimal { decimals: i32 },
}

/// One dataset's scale-offset parameters (the meaningful `cd_values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleOffsetParams {
    pub scaling: Scaling,
    /// `scale_factor` as HDF5 stored it (decimal digits for floats, fixed minbits for
    /// integers, where only "full width" changes decoding).
    pub scale_factor: i32,
    /// Elements per chunk (every chunk, edge chunks included, is a whole chunk).
    pub nelmts: u64,
    /// Element size in bytes: 1, 2, 4, 8 (integers) or 4, 8 (floats).
    pub size: usize,
    pub big_endian: bool,
    /// The fill value's bits (its low `size` bytes) when the dataset defines one.
    pub fill: Option<u64>,
}

impl ScaleOffsetParams {
    /// Undoes the filter on one stored chunk.
    pub fn decode(&self, input: &[u8]) -> Result<Vec<u8>> {
        let header = input.get(..HEADER).ok_or_else(|| {
            Error::corrupt(format!(
                "scaleoffset: a chunk of {} bytes is shorter than the {}-byte header",
                input.len(),
                HEADER
            ))
        })?;
        let width = 8 * self.size as u32;
        let minbits = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        if minbits > width {
            return Err(Error::corrupt(format!(
                "scaleoffset: {} bits per value exceed the {}-bit elements",
                minbits, width
            )));
        }
        // HDF5 reads only as many bytes of minval as its `unsigned long long` holds.
        let minval_len = usize::from(header[4]).min(8);
        let minval = get_uint(&header[5..5 + minval_len], false);
        let out_len = usize::try_from(self.nelmts)
            .ok()
            .and_then(|n| n.checked_mul(self.size))
            .filter(|&n| n <= MAX_DECODED_BYTES)
            .ok_or_else(|| {
                Error::limit(format!(
                    "scaleoffset: {} elements of {} bytes exceed the decoded size limit",
                    self.nelmts, self.size
                ))
            })?;
        let body = &input[HEADER..];
        if minbits == width {
            return self.unpacked(body, out_len);
        }
        let mut reader = BitReader::new(body);
        if !reader.holds(self.nelmts, minbits) {
            return Err(Error::corrupt(format!(
                "scaleoffset: {} bytes cannot hold {} values of {} bits",
                body.len(),
                self.nelmts,
                minbits
            )));
        }
        let sentinel = low_mask(minbits);
        let mut out = vec![0u8; out_len];
        match self.scaling {
            Scaling::Integer { .. } => {
                for element in out.chunks_exact_mut(self.size) {
                    let packed = reader.read(minbits, WHAT)?;
                    let value = match self.fill {
                        Some(fill) if packed == sentinel => fill,
                        // Signed or not, HDF5 adds in the element's width and wraps.
                        _ => packed.wrapping_add(minval),
                    };
                    put_uint(element, value, self.big_endian);
                }
            }
            Scaling::Decimal { decimals } if self.size == 4 => {
                let min = f32::from_bits(minval as u32);
                let scale = pow10_f32(decimals);
                for element in out.chunks_exact_mut(4) {
                    let packed = reader.read(minbits, WHAT)?;
                    let bits = match self.fill {
                        Some(fill) if packed == sentinel => fill,
                        // minbits < 32, so the packed value is a non-negative C `int`.
                        _ => u64::from((packed as u32 as i32 as f32 / scale + min).to_bits()),
                    };
                    put_uint(element, bits, self.big_endian);
                }
            }
            Scaling::Decimal { decimals } => {
                let min = f64::from_bits(minval);
                let scale = pow10_f64(decimals);
                for element in out.chunks_exact_mut(8) {
                    let packed = reader.read(minbits, WHAT)?;
                    let bits = match self.fill {
                        Some(fill) if packed == sentinel => fill,
                        _ => (packed as i64 as f64 / scale + min).to_bits(),
                    };
                    put_uint(element, bits, self.big_endian);
                }
            }
        }
        Ok(out)
    }

    /// Full-width values stored after the header in the writer's (little-endian) order.
    fn unpacked(&self, body: &[u8], out_len: usize) -> Result<Vec<u8>> {
        let values = body.get(..out_len).ok_or_else(|| {
            Error::corrupt(format!(
                "scaleoffset: {} bytes of unpacked values were expected, found {}",
                out_len,
                body.len()
            ))
        })?;
        let mut out = values.to_vec();
        if self.big_endian {
            for element in out.chunks_exact_mut(self.size) {
                element.reverse();
            }
        }
        Ok(out)
    }
}

pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    match ScaleOffsetParams::from_config(config)? {
        None => Ok(input.to_vec()),
        Some(params) => {
            ctx.check_elements("scaleoffset", params.size, params.nelmts)?;
            params.decode(input)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cd(class: u32, size: u32, signed: u32, order: u32, fill: Option<u64>) -> Vec<u32> {
        let mut cd = vec![0u32; CD_VALUES];
        cd[0] = if class == 0 { SO_INT } else { SO_FLOAT_DSCALE };
        cd[1] = if class == 0 { 0 } else { 2 };
        cd[2] = 4;
        cd[3] = class;
        cd[4] = size;
        cd[5] = signed;
        cd[6] = order;
        if let Some(f) = fill {
            cd[7] = 1;
            cd[8] = f as u32;
            cd[9] = (f >> 32) as u32;
        }
        cd
    }

    /// A chunk: header with `minbits` and `minval`, then `values` packed MSB first.
    fn chunk(minbits: u32, minval: u64, values: &[u64]) -> Vec<u8> {
        let mut out = minbits.to_le_bytes().to_vec();
        out.push(8);
        out.extend_from_slice(&minval.to_le_bytes());
        out.resize(HEADER, 0);
        let mut bits: Vec<bool> = Vec::new();
        for &v in values {
            for b in (0..minbits).rev() {
                bits.push(v >> b & 1 == 1);
            }
        }
        for byte in bits.chunks(8) {
            let mut x = 0u8;
            for (i, &bit) in byte.iter().enumerate() {
                x |= u8::from(bit) << (7 - i);
            }
            out.push(x);
        }
        out.push(0);
        out
    }

    #[test]
    fn configuration_round_trips_the_client_data() {
        for c in [
            cd(0, 2, 1, 1, Some(0xFFF9)),
            cd(0, 8, 0, 0, None),
            cd(1, 4, 0, 0, Some(0x7FC0_0000)),
            cd(1, 8, 0, 1, None),
        ] {
            let p = ScaleOffsetParams::from_cd_values(&c, c[4] as usize)
                .unwrap()
                .unwrap();
            let back = ScaleOffsetParams::from_config(&p.to_config())
                .unwrap()
                .unwrap();
            assert_eq!(back, p);
            assert_eq!(back.cd_values().to_vec(), c);
        }
    }

    #[test]
    fn integers_add_the_minimum_and_honour_the_fill_sentinel() {
        // Signed 16-bit, big-endian, fill -7: minval -100, 3-bit values; 7 is the sentinel.
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 2, 1, 1, Some(0xFFF9)), 2)
            .unwrap()
            .unwrap();
        let raw = chunk(3, (-100i64) as u64, &[0, 6, 7, 1]);
        let out = p.decode(&raw).unwrap();
        let values: Vec<i16> = out
            .chunks(2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(values, [-100, -94, -7, -99]);
    }

    #[test]
    fn zero_minbits_means_all_minimum_or_all_fill() {
        let raw = chunk(0, 42, &[]);
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 4, 0, 0, None), 4)
            .unwrap()
            .unwrap();
        assert_eq!(
            p.decode(&raw).unwrap(),
            [42u32; 4].map(u32::to_le_bytes).concat()
        );
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 4, 0, 0, Some(9)), 4)
            .unwrap()
            .unwrap();
        assert_eq!(
            p.decode(&raw).unwrap(),
            [9u32; 4].map(u32::to_le_bytes).concat()
        );
    }

    #[test]
    fn floats_divide_by_the_power_of_ten_in_their_precision() {
        // f32, D = 2: min 1.5, packed 0, 25, 301 → 1.5, 1.75, 4.51 (computed as f32).
        let p = ScaleOffsetParams::from_cd_values(&cd(1, 4, 0, 0, None), 4)
            .unwrap()
            .unwrap();
        let raw = chunk(9, u64::from(1.5f32.to_bits()), &[0, 25, 301, 3]);
        let out = p.decode(&raw).unwrap();
        let values: Vec<f32> = out
            .chunks(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(
            values,
            [1.5, 1.75, 301f32 / 100f32 + 1.5, 3f32 / 100f32 + 1.5]
        );
    }

    #[test]
    fn full_width_values_are_stored_little_endian() {
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 2, 1, 1, None), 2)
            .unwrap()
            .unwrap();
        let mut raw = chunk(16, 0, &[]);
        raw.truncate(HEADER);
        raw.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(p.decode(&raw).unwrap(), [2, 1, 4, 3, 6, 5, 8, 7]);
        assert!(p.decode(&raw[..HEADER + 7]).is_err());
    }

    #[test]
    fn full_width_integer_scale_factor_is_no_filter() {
        let mut c = cd(0, 2, 1, 0, None);
        c[1] = 16;
        assert_eq!(ScaleOffsetParams::from_cd_values(&c, 2).unwrap(), None);
        c[1] = 17;
        assert!(ScaleOffsetParams::from_cd_values(&c, 2).is_err());
    }

    #[test]
    fn hostile_headers_and_parameters_fail_cleanly() {
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 8, 1, 0, None), 8)
            .unwrap()
            .unwrap();
        let mut raw = chunk(65, 0, &[]);
        assert_eq!(
            p.decode(&raw).unwrap_err().kind,
            crate::ErrorKind::CorruptFile
        );
        raw[0] = 40; // 4 values of 40 bits need 20 bytes
        assert_eq!(
            p.decode(&raw).unwrap_err().kind,
            crate::ErrorKind::CorruptFile
        );
        assert!(p.decode(&raw[..10]).is_err());
        let mut escale = cd(1, 4, 0, 0, None);
        escale[0] = SO_FLOAT_ESCALE;
        assert_eq!(
            ScaleOffsetParams::from_cd_values(&escale, 4)
                .unwrap_err()
                .kind,
            crate::ErrorKind::UnsupportedFeature
        );
        assert!(ScaleOffsetParams::from_cd_values(&cd(0, 3, 0, 0, None), 3).is_err());
        assert!(ScaleOffsetParams::from_cd_values(&cd(0, 4, 0, 0, None), 8).is_err());
        assert!(ScaleOffsetParams::from_cd_values(&cd(0, 4, 0, 0, None)[..19], 4).is_err());
        assert!(ScaleOffsetParams::from_cd_values(&cd(0, 4, 2, 0, None), 4).is_err());
        // A huge element count without a chunk description stays under the decode limit.
        let mut huge = p;
        huge.nelmts = u64::from(u32::MAX);
        assert_eq!(
            huge.decode(&chunk(0, 0, &[])).unwrap_err().kind,
            crate::ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn the_chunk_description_must_agree() {
        let p = ScaleOffsetParams::from_cd_values(&cd(0, 4, 1, 0, None), 4)
            .unwrap()
            .unwrap();
        let config = p.to_config();
        let raw = chunk(2, 0, &[0, 1, 2, 3]);
        let ctx = |dtype: &str, n: u64| DecodeContext {
            dtype: dtype.to_string(),
            chunk_shape: vec![n],
        };
        assert!(decode(&raw, &config, &ctx("<i4", 4)).is_ok());
        for wrong in [ctx("<i4", 5), ctx("<i2", 4)] {
            assert_eq!(
                decode(&raw, &config, &wrong).unwrap_err().kind,
                crate::ErrorKind::CorruptFile
            );
        }
    }
}
