//! Complex packing (GRIB2 5.2) and complex packing with spatial differencing (5.3).
//!
//! Section 7 holds, in order: (5.3 only) the first `order` original values and the
//! overall minimum of the differences, each `extra` octets; the group references (`bits`
//! each); the group widths; the group lengths — each array padded to a whole octet — and
//! then the values of all groups as one bit stream. Missing values (missing value
//! management 1 or 2) are the all-ones value of a group's width (or of `bits` for
//! constant groups) and its predecessor; they decode to NaN, and spatial differencing
//! skips them. Mirrors ecCodes' `data_g22order_packing`: the first values are unsigned,
//! the overall minimum is sign-and-magnitude.

use super::bits::BitReader;
use super::simple::{check_size, Scaling};
use crate::error::{Error, Result};
use crate::grib::grib2::representation::Complex;
use crate::grib::octets::sign_magnitude;

/// What ecCodes returns for a point missing by missing-value management.
pub const ECCODES_MISSING_VALUE: f64 = 9999.0;

/// Marks a missing value among the integer samples.
const MISSING: i64 = i64::MAX;

fn bytes_for(bits: u64) -> u64 {
    bits.div_ceil(8)
}

pub(crate) fn unpack(
    data: &[u8],
    bits: u8,
    count: usize,
    params: &Complex,
    scaling: Scaling,
) -> Result<Vec<f64>> {
    if bits > 63 || params.width_bits > 63 || params.length_bits > 63 {
        return Err(Error::corrupt(
            "complex packing declares fields wider than 63 bits",
        ));
    }
    let groups = params.groups as usize;
    if groups == 0 {
        // No groups: a constant field, the reference value itself, as ecCodes reads it
        // (NCEP writes such fields with a section 7 of 5 bytes and no descriptors).
        return Ok(vec![scaling.reference; count]);
    }
    if groups > count.max(1) {
        return Err(Error::corrupt(format!(
            "complex packing declares {} groups for {} values",
            groups, count
        )));
    }
    let (order, extra) = params.differencing.unwrap_or((0, 0));
    if params.differencing.is_some() && !(order == 1 || order == 2) {
        return Err(Error::unsupported(format!(
            "spatial differencing of order {}",
            order
        )));
    }
    if params.differencing.is_some() && !(1..=4).contains(&extra) {
        return Err(Error::corrupt(format!(
            "{} octets per extra descriptor",
            extra
        )));
    }
    let extra_bytes =
        (u64::from(order) + 1) * u64::from(extra) * u64::from(params.differencing.is_some());
    // Locate the four arrays (u64 arithmetic: no overflow on 32-bit targets).
    let n = groups as u64;
    let refs_start = extra_bytes;
    let widths_start = refs_start + bytes_for(n * u64::from(bits));
    let lengths_start = widths_start + bytes_for(n * u64::from(params.width_bits));
    let values_start = lengths_start + bytes_for(n * u64::from(params.length_bits));
    let section = |start: u64| -> Result<&[u8]> {
        usize::try_from(start)
            .ok()
            .and_then(|s| data.get(s..))
            .ok_or_else(|| {
                Error::corrupt("section 7 is too short for the complex-packing group descriptors")
            })
    };
    let refs_data = section(refs_start)?;
    let widths_data = section(widths_start)?;
    let lengths_data = section(lengths_start)?;
    let values_data = section(values_start)?;
    check_size(refs_data, u32::from(bits), groups, "the group references")?;
    check_size(
        widths_data,
        u32::from(params.width_bits),
        groups,
        "the group widths",
    )?;
    check_size(
        lengths_data,
        u32::from(params.length_bits),
        groups,
        "the group lengths",
    )?;

    let mut refs = BitReader::new(refs_data);
    let mut widths = BitReader::new(widths_data);
    let mut lengths = BitReader::new(lengths_data);
    let mut values = BitReader::new(values_data);
    let mvm = params.missing_management;
    let full_missing = (1i64 << bits) - 1;
    let mut samples: Vec<i64> = Vec::with_capacity(count);
    for g in 0..groups {
        let reference = refs.read(u32::from(bits)) as i64;
        let width = u64::from(params.width_reference) + widths.read(u32::from(params.width_bits));
        let coded_length = lengths.read(u32::from(params.length_bits));
        let length = if g + 1 == groups {
            u64::from(params.last_length)
        } else {
            u64::from(params.length_reference) + coded_length * u64::from(params.length_increment)
        };
        if width > 63 {
            return Err(Error::corrupt(format!(
                "a complex-packing group is {} bits wide",
                width
            )));
        }
        if length > (count - samples.len()) as u64 {
            return Err(Error::corrupt(format!(
                "the complex-packing groups hold more than the {} declared values",
                count
            )));
        }
        let length = length as usize;
        let width = width as u32;
        if values.remaining() < length as u64 * u64::from(width) {
            return Err(Error::corrupt(
                "section 7 ends inside the complex-packing values",
            ));
        }
        if width == 0 {
            let missing = match mvm {
                1 => reference == full_missing,
                2 => reference == full_missing || reference == full_missing - 1,
                _ => false,
            };
            let v = if missing { MISSING } else { reference };
            samples.extend(std::iter::repeat_n(v, length));
            continue;
        }
        let all_ones = (1u64 << width) - 1;
        match mvm {
            0 => {
                for _ in 0..length {
                    samples.push(reference + values.read(width) as i64);
                }
            }
            _ => {
                let secondary = if mvm == 2 { all_ones - 1 } else { u64::MAX };
                for _ in 0..length {
                    let x = values.read(width);
                    samples.push(if x == all_ones || x == secondary {
                        MISSING
                    } else {
                        reference + x as i64
                    });
                }
            }
        }
    }
    if groups == 0 {
        // No groups: ecCodes decodes zero-initialised samples (constant fields).
        samples.resize(count, 0);
    }
    if samples.len() != count {
        return Err(Error::corrupt(format!(
            "the complex-packing groups hold {} values, not the declared {}",
            samples.len(),
            count
        )));
    }
    if let Some((order, extra)) = params.differencing {
        let mut head = BitReader::new(data);
        let width = u32::from(extra) * 8;
        let first = head.read(width) as i64;
        let second = if order == 2 {
            head.read(width) as i64
        } else {
            0
        };
        let bias = sign_magnitude(head.read(width), width as usize);
        undo_differencing(&mut samples, order, first, second, bias);
    }
    let (s, d) = scaling.factors();
    let r = scaling.reference;
    Ok(samples
        .into_iter()
        .map(|x| {
            if x == MISSING {
                // Missing-value management marks points inside the data, not in a bitmap.
                // ecCodes decodes them to its `missingValue` (9999) and counts them as
                // values; we do the same so reads equal ecCodes, and the variable's
                // `GRIB_missingValue` attribute lets CF-aware readers mask them.
                ECCODES_MISSING_VALUE
            } else {
                (x as f64 * s + r) * d
            }
        })
        .collect())
}

/// Integrates first or second differences over the non-missing values, in order.
fn undo_differencing(samples: &mut [i64], order: u8, first: i64, second: i64, bias: i64) {
    let mut present = samples.iter_mut().filter(|x| **x != MISSING);
    if order == 1 {
        let mut last = match present.next() {
            Some(x) => {
                *x = first;
                first
            }
            None => return,
        };
        for x in present {
            *x = x.wrapping_add(last).wrapping_add(bias);
            last = *x;
        }
    } else {
        let mut penultimate = match present.next() {
            Some(x) => {
                *x = first;
                first
            }
            None => return,
        };
        let mut last = match present.next() {
            Some(x) => {
                *x = second;
                second
            }
            None => return,
        };
        for x in present {
            *x = x
                .wrapping_add(bias)
                .wrapping_add(last)
                .wrapping_add(last)
                .wrapping_sub(penultimate);
            penultimate = last;
            last = *x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_groups_is_a_constant_field() {
        let params = Complex {
            missing_management: 0,
            groups: 0,
            width_reference: 1,
            width_bits: 2,
            length_reference: 32,
            length_increment: 1,
            last_length: 429_067_888,
            length_bits: 7,
            differencing: Some((1, 1)),
        };
        let scaling = Scaling {
            reference: 0.5,
            binary_scale: 0,
            decimal_scale: 0,
        };
        // The parameters of an NCEP GFS field (pygrib sampledata/gfs.grb, cicep) whose
        // section 7 holds no data at all.
        assert_eq!(unpack(&[], 0, 4, &params, scaling).unwrap(), [0.5; 4]);
    }

    #[test]
    fn differencing_skips_missing_values() {
        let mut v = vec![99, MISSING, 1, 2, MISSING, 3];
        undo_differencing(&mut v, 1, 10, 0, 5);
        assert_eq!(v, [10, MISSING, 16, 23, MISSING, 31]);
        let mut v = vec![0, 0, 1, MISSING, -1];
        undo_differencing(&mut v, 2, 10, 12, 0);
        // z2 = 1 + 2·12 − 10 = 15; z3 = −1 + 2·15 − 12 = 17
        assert_eq!(v, [10, 12, 15, MISSING, 17]);
    }
}
