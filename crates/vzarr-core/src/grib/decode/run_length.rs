//! GRIB2 template 5.200 / 7.200: run-length packing with level values (JMA's radar and
//! nowcast products).
//!
//! Section 7 is a sequence of `bits`-wide codes. A code up to `max_level` is a level (0 =
//! no data, decoded as ecCodes' `missingValue`, 9999); a code above it is one
//! base-`2^bits − 1 − max_level` digit of how many more times the last level repeats, least
//! significant digit first. Level `i` stands for `level_values[i − 1] · 10^(−decimal)`.

use super::bits::BitReader;
use crate::error::{Error, Result};

/// The 5.200 parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RunLength {
    pub max_level: u16,
    pub decimal_scale: u8,
    pub level_values: Vec<u16>,
}

pub(crate) fn unpack(data: &[u8], bits: u8, count: usize, p: &RunLength) -> Result<Vec<f64>> {
    if bits == 0 || bits > 16 {
        return Err(Error::corrupt(format!(
            "run-length packing with {}-bit codes (1 to 16 expected)",
            bits
        )));
    }
    let first_run_code = u64::from(p.max_level) + 1;
    let base = (1u64 << bits).saturating_sub(first_run_code);
    if base < 2 {
        return Err(Error::corrupt(format!(
            "run-length packing: {}-bit codes leave no room for run lengths above level {}",
            bits, p.max_level
        )));
    }
    let scale = 10f64.powi(-i32::from(p.decimal_scale));
    let level = |code: u64| -> Result<f64> {
        if code == 0 {
            // Level 0 marks a point without data; ecCodes decodes it to its `missingValue`
            // and counts it as a value, as it does for complex packing's missing values.
            return Ok(super::ECCODES_MISSING_VALUE);
        }
        p.level_values
            .get(code as usize - 1)
            .map(|&v| f64::from(v) * scale)
            .ok_or_else(|| {
                Error::corrupt(format!(
                    "run-length packing: level {} has no value ({} level values)",
                    code,
                    p.level_values.len()
                ))
            })
    };
    let mut out: Vec<f64> = Vec::with_capacity(count);
    let mut reader = BitReader::new(data);
    let mut last: Option<f64> = None;
    let mut digit_weight: u64 = 1;
    while reader.remaining() >= u64::from(bits) {
        if out.len() == count && reader.remaining() < 8 {
            break; // padding to the last octet
        }
        let code = reader.read(u32::from(bits));
        if code < first_run_code {
            let v = level(code)?;
            push(&mut out, v, 1, count)?;
            last = Some(v);
            digit_weight = 1;
        } else {
            let v = last.ok_or_else(|| {
                Error::corrupt("run-length packing starts with a run length, not a level")
            })?;
            let repeat = (code - first_run_code).saturating_mul(digit_weight);
            push(&mut out, v, repeat, count)?;
            digit_weight = digit_weight.saturating_mul(base);
        }
    }
    if out.len() != count {
        return Err(Error::corrupt(format!(
            "run-length packing holds {} values, the field has {}",
            out.len(),
            count
        )));
    }
    Ok(out)
}

/// Appends `n` copies of `v`, refusing to grow past `count` (a hostile run length must not
/// allocate without bound).
fn push(out: &mut Vec<f64>, v: f64, n: u64, count: usize) -> Result<()> {
    if n > (count - out.len().min(count)) as u64 {
        return Err(Error::corrupt(format!(
            "run-length packing runs past the {} values of the field",
            count
        )));
    }
    out.extend(std::iter::repeat_n(v, n as usize));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(max_level: u16, n: u16) -> RunLength {
        RunLength {
            max_level,
            decimal_scale: 1,
            level_values: (1..=n).map(|i| i * 10).collect(),
        }
    }

    #[test]
    fn expands_levels_and_runs() {
        // 4-bit codes, levels 0..=5 (base 16 - 6 = 10): level 2, run digit 3 (2 more),
        // level 0 (no data: ecCodes' missingValue), level 5, run digits 1 then 2
        // (1 + 2·10 = 21 more).
        let codes = [2u8, 6 + 2, 0, 5, 6 + 1, 6 + 2];
        let mut data = Vec::new();
        for pair in codes.chunks(2) {
            data.push((pair[0] << 4) | pair.get(1).copied().unwrap_or(0));
        }
        let out = unpack(&data, 4, 3 + 1 + 22, &params(5, 5)).unwrap();
        assert_eq!(&out[..3], &[2.0, 2.0, 2.0]);
        assert_eq!(out[3], crate::grib::decode::ECCODES_MISSING_VALUE);
        assert!(out[4..].iter().all(|&v| v == 5.0));
        assert_eq!(out.len(), 26);
    }

    #[test]
    fn refuses_hostile_streams() {
        let p = params(5, 5);
        // A run before any level.
        assert!(unpack(&[0x80], 4, 1, &p).is_err());
        // A run far past the field (no allocation of it).
        assert!(unpack(&[0x1f, 0xff, 0xff, 0xff], 4, 10, &p).is_err());
        // A level without a value.
        assert!(unpack(&[0x50], 4, 1, &params(5, 2)).is_err());
        // Too few values.
        assert!(unpack(&[0x10], 4, 5, &p).is_err());
    }
}
