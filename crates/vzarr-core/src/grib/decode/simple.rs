//! Simple packing: Y = (X·2^E + R)·10^(−D), X an unsigned `bits`-wide integer.
//!
//! The arithmetic is ecCodes' (`((X·s) + R)·d` with s = 2^E and d = 10^−D computed by
//! repeated multiplication), so values are bit-identical to what ecCodes returns.

use super::bits::BitReader;
use crate::error::{Error, Result};
use crate::grib::octets::grib_power;

/// The scaling of simple packing, shared by PNG, CCSDS and GRIB1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scaling {
    pub reference: f64,
    pub binary_scale: i64,
    pub decimal_scale: i64,
}

impl Scaling {
    /// (s, d) factors.
    pub fn factors(&self) -> (f64, f64) {
        (
            grib_power(self.binary_scale, 2),
            grib_power(-self.decimal_scale, 10),
        )
    }
}

/// Checks that `data` holds `count` values of `bits` bits.
pub(crate) fn check_size(data: &[u8], bits: u32, count: usize, what: &str) -> Result<()> {
    let needed = (count as u64).saturating_mul(u64::from(bits));
    if needed > data.len() as u64 * 8 {
        return Err(Error::corrupt(format!(
            "{} holds {} bytes, too few for {} values of {} bits",
            what,
            data.len(),
            count,
            bits
        )));
    }
    Ok(())
}

/// Unpacks `count` simple-packed values from `data` (starting at its first bit).
pub(crate) fn unpack(data: &[u8], bits: u8, count: usize, scaling: Scaling) -> Result<Vec<f64>> {
    if bits > 64 {
        return Err(Error::unsupported(format!(
            "{} bits per value is more than 64",
            bits
        )));
    }
    if bits == 0 {
        // ecCodes returns the reference value itself for a constant field.
        return Ok(vec![scaling.reference; count]);
    }
    check_size(data, u32::from(bits), count, "the packed data")?;
    let mut out = Vec::with_capacity(count);
    let (s, d) = scaling.factors();
    let r = scaling.reference;
    match bits {
        8 => out.extend(data[..count].iter().map(|&x| (f64::from(x) * s + r) * d)),
        16 => out.extend(
            data.chunks_exact(2)
                .take(count)
                .map(|c| (f64::from(u16::from_be_bytes([c[0], c[1]])) * s + r) * d),
        ),
        24 => out.extend(data.chunks_exact(3).take(count).map(|c| {
            let x = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
            (f64::from(x) * s + r) * d
        })),
        32 => out.extend(
            data.chunks_exact(4)
                .take(count)
                .map(|c| (f64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])) * s + r) * d),
        ),
        _ => {
            let mut reader = BitReader::new(data);
            let width = u32::from(bits);
            for _ in 0..count {
                out.push((reader.read(width) as f64 * s + r) * d);
            }
        }
    }
    Ok(out)
}

/// Scales already-extracted integer samples (PNG, CCSDS).
pub(crate) fn scale_samples(
    samples: impl Iterator<Item = u64>,
    scaling: Scaling,
    count: usize,
) -> Vec<f64> {
    let (s, d) = scaling.factors();
    let r = scaling.reference;
    let mut out = Vec::with_capacity(count);
    out.extend(samples.take(count).map(|x| (x as f64 * s + r) * d));
    out
}
