//! GRIB2 section 5 (data representation): how section 7 packs the values.

use crate::error::Result;
use crate::grib::decode::run_length::RunLength;
use crate::grib::decode::spectral::{grib2_laplacian, SpectralComplex, SubsetFloat};
use crate::grib::octets::Octets;

/// Parameters of complex packing (5.2) and complex packing with spatial differencing (5.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Complex {
    pub missing_management: u8,
    pub groups: u32,
    pub width_reference: u8,
    pub width_bits: u8,
    pub length_reference: u32,
    pub length_increment: u8,
    pub last_length: u32,
    pub length_bits: u8,
    /// 5.3: order of spatial differencing (1 or 2) and octets per extra descriptor.
    pub differencing: Option<(u8, u8)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ccsds {
    pub flags: u8,
    pub block_size: u8,
    pub rsi: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Representation {
    pub template: u16,
    /// Number of values actually packed (grid points minus those masked by the bitmap).
    pub num_values: u32,
    /// Simple-packing parameters: Y = (R + X·2^E) / 10^D with X of `bits` bits.
    pub reference: f32,
    pub binary_scale: i64,
    pub decimal_scale: i64,
    pub bits: u8,
    pub complex: Option<Complex>,
    /// 5.4 and 5.50000: 1 = IEEE single, 2 = double, 3 = quadruple precision.
    pub ieee_precision: Option<u8>,
    pub ccsds: Option<Ccsds>,
    pub run_length: Option<RunLength>,
    /// 5.51: spherical harmonics with complex packing.
    pub spectral: Option<SpectralComplex>,
}

/// ecCodes' `packingType` for a data representation template.
pub(crate) fn packing_type(template: u16) -> &'static str {
    match template {
        0 => "grid_simple",
        1 => "grid_simple_matrix",
        2 => "grid_complex",
        3 => "grid_complex_spatial_differencing",
        4 => "grid_ieee",
        40 | 40000 => "grid_jpeg",
        41 | 40010 => "grid_png",
        42 => "grid_ccsds",
        50 => "spectral_simple",
        51 => "spectral_complex",
        50000 => "spectral_ieee",
        61 => "grid_simple_log_preprocessing",
        200 => "grid_run_length",
        _ => "unknown",
    }
}

pub(crate) fn parse(s: &Octets) -> Result<Representation> {
    let template = s.u16(10)?;
    let num_values = s.u32(6)?;
    let mut r = Representation {
        template,
        num_values,
        reference: 0.0,
        binary_scale: 0,
        decimal_scale: 0,
        bits: 0,
        complex: None,
        ieee_precision: None,
        ccsds: None,
        run_length: None,
        spectral: None,
    };
    if template == 4 {
        r.ieee_precision = Some(s.u8(12)?);
        return Ok(r);
    }
    if template == 200 {
        r.bits = s.u8(12)?;
        let levels = s.u16(15)?;
        r.run_length = Some(RunLength {
            max_level: s.u16(13)?,
            decimal_scale: s.u8(17)?,
            level_values: (0..usize::from(levels))
                .map(|i| s.u16(18 + 2 * i))
                .collect::<Result<Vec<u16>>>()?,
        });
        return Ok(r);
    }
    if !matches!(
        template,
        0 | 2 | 3 | 40 | 41 | 42 | 40000 | 40010 | 50 | 51 | 61 | 50000
    ) {
        // Unknown layouts are only described by their number; the codec refuses them.
        return Ok(r);
    }
    r.reference = s.f32(12)?;
    r.binary_scale = s.signed(16, 2)?;
    r.decimal_scale = s.signed(18, 2)?;
    r.bits = s.u8(20)?;
    match template {
        2 | 3 => {
            r.complex = Some(Complex {
                missing_management: s.u8(23)?,
                groups: s.u32(32)?,
                width_reference: s.u8(36)?,
                width_bits: s.u8(37)?,
                length_reference: s.u32(38)?,
                length_increment: s.u8(42)?,
                last_length: s.u32(43)?,
                length_bits: s.u8(47)?,
                differencing: if template == 3 {
                    Some((s.u8(48)?, s.u8(49)?))
                } else {
                    None
                },
            })
        }
        51 => {
            r.spectral = Some(SpectralComplex {
                laplacian: grib2_laplacian(s.signed(21, 4)?),
                subset: [
                    u32::from(s.u16(25)?),
                    u32::from(s.u16(27)?),
                    u32::from(s.u16(29)?),
                ],
                subset_float: match s.u8(35)? {
                    1 => SubsetFloat::Ieee32,
                    2 => SubsetFloat::Ieee64,
                    p => SubsetFloat::Unsupported(p),
                },
                gribex_row_scaling: false,
            })
        }
        // ECMWF's local 5.50000 ("spectral_ieee"): the packing header and Laplacian of 5.51
        // are written, but section 7 holds every coefficient as an IEEE float of the
        // unpacked subset's precision (octet 29; TS at 25-28, the subset fixed at 20).
        50000 => r.ieee_precision = Some(s.u8(29)?),
        42 => {
            r.ccsds = Some(Ccsds {
                flags: s.u8(22)?,
                block_size: s.u8(23)?,
                rsi: s.u16(24)?,
            })
        }
        _ => {}
    }
    Ok(r)
}
