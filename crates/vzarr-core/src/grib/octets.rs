//! Checked big-endian readers for GRIB sections.
//!
//! WMO tables number octets from 1, so every accessor takes the 1-based octet number the
//! specification uses: `s.u16(13)` reads octets 13–14. A read past the end of the section
//! is a [`CorruptFile`](crate::ErrorKind::CorruptFile) error naming the section and the
//! octet, never a panic: section lengths come from the file and cannot be trusted.
//!
//! GRIB encodes signed integers as sign-and-magnitude (top bit = sign), not two's
//! complement, and GRIB1 floats in IBM System/360 format; both conversions live here.

use crate::error::{Error, Result};

/// One section's bytes, with its number (for error messages) and absolute file offset.
#[derive(Clone, Copy)]
pub(crate) struct Octets<'a> {
    bytes: &'a [u8],
    what: &'static str,
    offset: u64,
}

impl<'a> Octets<'a> {
    pub fn new(bytes: &'a [u8], what: &'static str, offset: u64) -> Octets<'a> {
        Octets {
            bytes,
            what,
            offset,
        }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// `count` octets starting at octet `first`.
    pub fn slice(&self, first: usize, count: usize) -> Result<&'a [u8]> {
        let start = first.saturating_sub(1);
        start
            .checked_add(count)
            .and_then(|end| self.bytes.get(start..end))
            .ok_or_else(|| {
                Error::corrupt(format!(
                    "{} is {} octets long, too short for octets {}..{}",
                    self.what,
                    self.bytes.len(),
                    first,
                    first + count.saturating_sub(1)
                ))
                .at_offset(self.offset)
            })
    }

    /// Octets from `first` to the end of the section (empty when `first` is just past it).
    pub fn rest(&self, first: usize) -> Result<&'a [u8]> {
        let start = first.saturating_sub(1);
        if start > self.bytes.len() {
            return self.slice(first, 1);
        }
        Ok(&self.bytes[start..])
    }

    fn uint(&self, first: usize, count: usize) -> Result<u64> {
        Ok(self
            .slice(first, count)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    pub fn u8(&self, octet: usize) -> Result<u8> {
        Ok(self.uint(octet, 1)? as u8)
    }

    pub fn u16(&self, octet: usize) -> Result<u16> {
        Ok(self.uint(octet, 2)? as u16)
    }

    pub fn u24(&self, octet: usize) -> Result<u32> {
        Ok(self.uint(octet, 3)? as u32)
    }

    pub fn u32(&self, octet: usize) -> Result<u32> {
        Ok(self.uint(octet, 4)? as u32)
    }

    pub fn u64(&self, octet: usize) -> Result<u64> {
        self.uint(octet, 8)
    }

    /// Sign-and-magnitude integer of `count` octets.
    pub fn signed(&self, octet: usize, count: usize) -> Result<i64> {
        Ok(sign_magnitude(self.uint(octet, count)?, count * 8))
    }

    /// IEEE 754 single precision (GRIB2 reference values).
    pub fn f32(&self, octet: usize) -> Result<f32> {
        Ok(f32::from_bits(self.u32(octet)?))
    }

    /// IBM System/360 single precision (GRIB1 reference values).
    pub fn ibm_f32(&self, octet: usize) -> Result<f64> {
        Ok(ibm_float(self.u32(octet)?))
    }
}

/// Decodes a `bits`-wide sign-and-magnitude integer.
pub(crate) fn sign_magnitude(raw: u64, bits: usize) -> i64 {
    if bits == 0 || bits > 64 {
        return 0;
    }
    let sign = 1u64 << (bits - 1);
    let magnitude = (raw & (sign - 1)) as i64;
    if raw & sign != 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// `(-1)^s · 0.mantissa₁₆ · 16^(exponent − 64)`, with a 24-bit mantissa.
pub(crate) fn ibm_float(raw: u32) -> f64 {
    let sign = if raw & 0x8000_0000 != 0 { -1.0 } else { 1.0 };
    let exponent = ((raw >> 24) & 0x7f) as i32 - 64;
    let mantissa = f64::from(raw & 0x00ff_ffff) / 16_777_216.0;
    sign * mantissa * 16f64.powi(exponent)
}

/// `n^s` by repeated multiplication or division, exactly as ecCodes' `grib_power`, so
/// that decoded values are bit-identical to ecCodes (10⁻² computed this way is not the
/// nearest double to 0.01).
pub(crate) fn grib_power(s: i64, n: i64) -> f64 {
    let mut value = 1.0f64;
    let n = n as f64;
    let mut s = s.clamp(-400, 400);
    while s < 0 {
        value /= n;
        s += 1;
    }
    while s > 0 {
        value *= n;
        s -= 1;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_octets_by_wmo_number() {
        let s = Octets::new(&[0, 0, 0, 9, 3, 0x80, 0x05, 0x12, 0x34], "section 3", 100);
        assert_eq!(s.u32(1).unwrap(), 9);
        assert_eq!(s.u8(5).unwrap(), 3);
        assert_eq!(s.signed(6, 2).unwrap(), -5);
        assert_eq!(s.u16(8).unwrap(), 0x1234);
        let err = s.u16(9).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CorruptFile);
        assert_eq!(err.offset, Some(100));
        assert!(s.slice(0, usize::MAX).is_err());
        assert_eq!(s.rest(10).unwrap().len(), 0);
        assert!(s.rest(11).is_err());
    }

    #[test]
    fn converts_ibm_floats_and_powers() {
        // 0x4110_0000 = 16^1 · 1/16 = 1.0; 0xC276_A000 = −118.625 (classic IBM example).
        assert_eq!(ibm_float(0x4110_0000), 1.0);
        assert_eq!(ibm_float(0xC276_A000), -118.625);
        assert_eq!(ibm_float(0), 0.0);
        assert_eq!(grib_power(-2, 10), 1.0 / 10.0 / 10.0);
        assert_eq!(grib_power(3, 2), 8.0);
        assert_eq!(sign_magnitude(0x8001, 16), -1);
        assert_eq!(sign_magnitude(0x7fff, 16), 32767);
    }
}
