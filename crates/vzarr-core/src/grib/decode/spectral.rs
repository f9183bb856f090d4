//! Spherical harmonic coefficients with complex packing (GRIB1 spectral complex, GRIB2
//! template 5.51): what ECMWF's spectral model fields (temperature, vorticity, log surface
//! pressure on model levels) are archived as.
//!
//! The coefficients of a triangular truncation J are stored row by row — wavenumber m from
//! 0 to J, then n from m to J — as (real, imaginary) pairs, (J+1)(J+2) values in all. The
//! rows' first coefficients up to a sub-truncation JS are stored unpacked as floats (IBM in
//! GRIB1, IEEE in GRIB2); the rest are simple-packed after being multiplied by
//! (n(n+1))^P, P the Laplacian operator, which evens out their magnitudes. Decoding
//! divides that factor out again. The arithmetic follows ecCodes' so that the values are
//! bit-identical to what it returns; as there, the unpacked subset is not decimal-scaled
//! and the packed imaginary parts of row m = 0 (zero by definition) are forced to zero.

use super::bits::BitReader;
use super::simple::{check_size, Scaling};
use crate::error::{Error, Result};
use crate::grib::octets::ibm_float;

/// How the unpacked subset's floats are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubsetFloat {
    Ibm32,
    Ieee32,
    Ieee64,
    /// Another GRIB2 code table 5.7 entry (IEEE 128-bit, reserved values).
    Unsupported(u8),
}

impl SubsetFloat {
    fn width(self) -> Result<usize> {
        match self {
            SubsetFloat::Ibm32 | SubsetFloat::Ieee32 => Ok(4),
            SubsetFloat::Ieee64 => Ok(8),
            SubsetFloat::Unsupported(code) => Err(Error::unsupported(format!(
                "an unpacked spherical harmonic subset of precision {} (code table 5.7; only \
                 1 = IEEE 32-bit and 2 = IEEE 64-bit are)",
                code
            ))),
        }
    }

    fn read(self, b: &[u8]) -> f64 {
        match self {
            SubsetFloat::Ibm32 => ibm_float(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            SubsetFloat::Ieee32 => f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            SubsetFloat::Ieee64 => {
                f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            }
            SubsetFloat::Unsupported(_) => f64::NAN,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SpectralComplex {
    /// P: the packed coefficients were multiplied by (n(n+1))^P.
    pub laplacian: f64,
    /// JS, KS, MS: the sub-truncation stored unpacked (triangular: all three equal).
    pub subset: [u32; 3],
    pub subset_float: SubsetFloat,
    /// GRIB1 files written by ECMWF's GRIBEX scale the last unpacked coefficient of each
    /// row as if it were packed; ecCodes undoes that for every GRIB1 message.
    pub gribex_row_scaling: bool,
}

/// The triangular truncation J of `count` coefficients ((J+1)(J+2) = count).
pub(crate) fn truncation(count: usize) -> Result<usize> {
    let mut j = ((count as f64).sqrt() as usize).saturating_sub(1);
    while (j + 1) * (j + 2) < count {
        j += 1;
    }
    if (j + 1) * (j + 2) != count {
        return Err(Error::unsupported(format!(
            "{} spherical harmonic coefficients do not form a triangular truncation",
            count
        )));
    }
    Ok(j)
}

/// Decodes the `count` coefficients of `data` (the subset first, the packed part after it).
pub(crate) fn unpack(
    data: &[u8],
    bits: u8,
    count: usize,
    p: SpectralComplex,
    scaling: Scaling,
) -> Result<Vec<f64>> {
    let j = truncation(count)?;
    let [js, ks, ms] = p.subset;
    if js != ks || js != ms {
        return Err(Error::unsupported(format!(
            "a pentagonal unpacked subset (JS {}, KS {}, MS {}) is not supported",
            js, ks, ms
        )));
    }
    let js = js as usize;
    if js > j {
        return Err(Error::corrupt(format!(
            "the unpacked subset (truncation {}) is larger than the field (truncation {})",
            js, j
        )));
    }
    if bits > 64 {
        return Err(Error::unsupported(format!(
            "{} bits per value is more than 64",
            bits
        )));
    }
    let width = p.subset_float.width()?;
    let subset_count = (js + 1) * (js + 2);
    if data.len() < subset_count * width {
        return Err(Error::corrupt(format!(
            "the data holds {} bytes, too few for the {} unpacked coefficients",
            data.len(),
            subset_count
        )));
    }
    let (subset, packed) = data.split_at(subset_count * width);
    let (s, d) = scaling.factors();
    if js == j {
        // Everything unpacked: decimal scaling is the only factor, and ecCodes writes (and
        // reads) the floats as IEEE in GRIB1 too.
        let float = match p.subset_float {
            SubsetFloat::Ibm32 => SubsetFloat::Ieee32,
            other => other,
        };
        return Ok(subset
            .chunks_exact(width)
            .map(|b| float.read(b) * d)
            .collect());
    }
    check_size(
        packed,
        u32::from(bits),
        count - subset_count,
        "the packed coefficients",
    )?;
    let scale: Vec<f64> = (0..=j)
        .map(|n| {
            let operator = ((n * (n + 1)) as f64).powf(p.laplacian);
            if n == 0 || operator == 0.0 {
                0.0
            } else {
                1.0 / operator
            }
        })
        .collect();
    let r = scaling.reference;
    let width_bits = u32::from(bits);
    let mut high = subset.chunks_exact(width);
    let mut low = BitReader::new(packed);
    let mut out = Vec::with_capacity(count);
    for m in 0..=j {
        // Row m holds n = m..=J; the first JS − m + 1 of them are in the subset.
        let unpacked = (js + 1).saturating_sub(m);
        for (n, &factor_n) in scale.iter().enumerate().skip(m) {
            if n - m < unpacked {
                let (re, im) = match (high.next(), high.next()) {
                    (Some(a), Some(b)) => (p.subset_float.read(a), p.subset_float.read(b)),
                    _ => return Err(Error::corrupt("the unpacked subset ends early")),
                };
                let last = n - m + 1 == unpacked;
                let factor = if p.gribex_row_scaling && last {
                    factor_n
                } else {
                    1.0
                };
                out.push(re * factor);
                out.push(im * factor);
            } else {
                let re = d * (low.read(width_bits) as f64 * s + r) * factor_n;
                let im = d * (low.read(width_bits) as f64 * s + r) * factor_n;
                out.push(re);
                out.push(if m == 0 { 0.0 } else { im });
            }
        }
    }
    Ok(out)
}

/// The Laplacian operator of GRIB2 5.51: a signed integer in millionths.
pub(crate) fn grib2_laplacian(raw: i64) -> f64 {
    raw as f64 / 1_000_000.0
}

/// The Laplacian operator of GRIB1: a signed integer in thousandths.
pub(crate) fn grib1_laplacian(raw: i64) -> f64 {
    raw as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_triangular_truncations() {
        assert_eq!(truncation(4160).unwrap(), 63);
        assert_eq!(truncation(2).unwrap(), 0);
        assert!(truncation(4161).is_err());
    }

    #[test]
    fn short_data_is_corrupt_not_a_panic() {
        let p = SpectralComplex {
            laplacian: 1.0,
            subset: [2, 2, 2],
            subset_float: SubsetFloat::Ieee32,
            gribex_row_scaling: false,
        };
        let scaling = Scaling {
            reference: 0.0,
            binary_scale: 0,
            decimal_scale: 0,
        };
        assert!(unpack(&[0u8; 10], 16, 4160, p, scaling).is_err());
        assert!(unpack(&[0u8; 48 + 10], 16, 4160, p, scaling).is_err());
        assert!(unpack(
            &[0u8; 4],
            16,
            12,
            SpectralComplex {
                subset: [5, 5, 5],
                ..p
            },
            scaling
        )
        .is_err());
    }
}
