//! GRIB2 section 4 (product definition): what was measured or forecast, where, when.
//!
//! Product definition templates share a common start (category, number, generating
//! process, forecast time, two fixed surfaces) and append blocks: ensemble member, derived
//! ensemble statistic, probability, percentile, statistical processing over time. This
//! module describes each supported template by where those blocks sit, instead of one
//! parser per template. Chemical templates (4.40–4.43) insert a 2-octet constituent type
//! after the parameter number, shifting everything after it by two octets; aerosol
//! templates (4.44–4.49, 4.85) insert an aerosol type and a size interval (13 octets), and the
//! optical ones (4.48, 4.49) a wavelength interval after that (11 more).

use crate::error::{Error, Result};
use crate::grib::octets::Octets;

/// A fixed surface: type (code table 4.5), scale factor and scaled value, raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Surface {
    pub kind: u8,
    /// Raw octet: sign-and-magnitude, 0xff = missing.
    pub factor: u8,
    /// 0xffffffff = missing.
    pub value: u32,
}

impl Surface {
    pub fn factor_key(&self) -> i64 {
        if self.factor == 0xff {
            crate::grib::params::MISSING
        } else {
            crate::grib::octets::sign_magnitude(u64::from(self.factor), 8)
        }
    }

    pub fn value_key(&self) -> i64 {
        if self.value == 0xffff_ffff {
            crate::grib::params::MISSING
        } else {
            i64::from(self.value)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeRange {
    /// Code table 4.10 (0 average, 1 accumulation, 2 maximum, 3 minimum, ...).
    pub process: u8,
    /// Code table 4.11.
    pub increment_type: u8,
    pub unit: u8,
    pub length: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statistics {
    /// End of the overall time interval: year, month, day, hour, minute, second.
    pub end: (u16, u8, u8, u8, u8, u8),
    pub ranges: Vec<TimeRange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probability {
    pub kind: u8,
    pub lower: (u8, u32),
    pub upper: (u8, u32),
}

/// A size or wavelength interval of the aerosol templates: its type (code table 4.91) and
/// the first and second limits as raw (scale factor, scaled value) octets, both
/// sign-and-magnitude, all ones when missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    pub kind: u8,
    pub first: (u8, u32),
    pub second: (u8, u32),
}

/// What the aerosol templates add: particle sizes, and for optical properties the
/// wavelengths. The aerosol type itself is `Product::constituent_type` (ecCodes: an alias).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Aerosol {
    pub size: Interval,
    pub wavelength: Option<Interval>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Product {
    pub template: u16,
    /// Number of vertical coordinate values after the template.
    pub nv: u16,
    pub category: u8,
    pub number: u8,
    pub constituent_type: Option<u16>,
    pub generating_process: u8,
    pub time_unit: u8,
    /// Forecast time in `time_unit` (signed since GRIB2 version 20; ecCodes reads it so).
    pub forecast_time: i64,
    pub surface1: Surface,
    pub surface2: Surface,
    /// (type of ensemble forecast, perturbation number, number of members).
    pub ensemble: Option<(u8, u8, u8)>,
    /// Derived forecast (code table 4.7) for ensemble statistics.
    pub derived: Option<u8>,
    pub probability: Option<Probability>,
    pub percentile: Option<u8>,
    /// Spatial statistical processing of template 4.15: (process, type).
    pub spatial: Option<(u8, u8)>,
    pub statistics: Option<Statistics>,
    pub aerosol: Option<Aerosol>,
}

/// Where a template's optional blocks start (octet numbers).
#[derive(Default)]
struct Layout {
    chemical: bool,
    /// 4.44–4.47: aerosol type and size interval at octets 12–24.
    aerosol: bool,
    /// 4.48–4.49: a wavelength interval at octets 25–35 as well.
    optical: bool,
    /// 4.70–4.73: the input process, centre and type of post-processing at octets 12–16.
    post_processed: bool,
    /// 4.3, 4.4, 4.13, 4.14: where the cluster block starts (its identifier, which ecCodes
    /// reports as `number`, then the number of clusters at +3).
    cluster: Option<usize>,
    ensemble: Option<usize>,
    derived: Option<usize>,
    probability: Option<usize>,
    percentile: Option<usize>,
    spatial: Option<usize>,
    statistics: Option<usize>,
}

fn layout(template: u16) -> Option<Layout> {
    let l = Layout::default;
    Some(match template {
        0 | 7 => l(),
        1 => Layout {
            ensemble: Some(35),
            ..l()
        },
        2 => Layout {
            derived: Some(35),
            ..l()
        },
        5 => Layout {
            probability: Some(35),
            ..l()
        },
        6 => Layout {
            percentile: Some(35),
            ..l()
        },
        8 => Layout {
            statistics: Some(35),
            ..l()
        },
        9 => Layout {
            probability: Some(35),
            statistics: Some(48),
            ..l()
        },
        10 => Layout {
            percentile: Some(35),
            statistics: Some(36),
            ..l()
        },
        11 => Layout {
            ensemble: Some(35),
            statistics: Some(38),
            ..l()
        },
        12 => Layout {
            derived: Some(35),
            statistics: Some(37),
            ..l()
        },
        // Cluster means (ECMWF): the derived-forecast block, then a rectangular (4.3, 4.13;
        // 32 octets) or circular (4.4, 4.14; 28 octets) cluster block, then for 4.13/4.14
        // the statistics; the list of member numbers after them does not matter here.
        3 | 4 | 13 | 14 => Layout {
            derived: Some(35),
            cluster: Some(37),
            statistics: match template {
                13 => Some(69),
                14 => Some(65),
                _ => None,
            },
            ..l()
        },
        15 => Layout {
            spatial: Some(35),
            ..l()
        },
        40 => Layout {
            chemical: true,
            ..l()
        },
        41 => Layout {
            chemical: true,
            ensemble: Some(37),
            ..l()
        },
        42 => Layout {
            chemical: true,
            statistics: Some(37),
            ..l()
        },
        43 => Layout {
            chemical: true,
            ensemble: Some(37),
            statistics: Some(40),
            ..l()
        },
        // Aerosols: the blocks after the time and surfaces (which `shift` moves) sit 13
        // octets later than in 4.0–4.15, 24 for the optical templates.
        44 | 46 | 48 => Layout {
            aerosol: true,
            optical: template == 48,
            statistics: (template == 46).then_some(48),
            ..l()
        },
        // 4.85 is 4.47 under the number WMO gave it when 4.47 was deprecated.
        45 | 47 | 85 => Layout {
            aerosol: true,
            ensemble: Some(48),
            statistics: (template != 45).then_some(51),
            ..l()
        },
        49 => Layout {
            aerosol: true,
            optical: true,
            ensemble: Some(59),
            ..l()
        },
        // Post-processed products (4.0, 4.1, 4.8, 4.11 with 5 octets more after the
        // parameter): what was post-processed, and how, does not change how they group.
        70..=73 => Layout {
            post_processed: true,
            ensemble: matches!(template, 71 | 73).then_some(40),
            statistics: match template {
                72 => Some(40),
                73 => Some(43),
                _ => None,
            },
            ..l()
        },
        // Re-forecasts (hindcasts): the ensemble block, then the model version date
        // (octets 38-44, not used), then for 4.61 the statistical processing.
        60 => Layout {
            ensemble: Some(35),
            ..l()
        },
        61 => Layout {
            ensemble: Some(35),
            statistics: Some(45),
            ..l()
        },
        _ => return None,
    })
}

/// Product definition templates vzarr reads.
pub(crate) const SUPPORTED: &str = "0-15, 31, 32, 40-49, 60, 61, 70-73, 85";

/// Template 4.31, satellite products (observed brightness temperatures and radiances).
const SATELLITE: u16 = 31;
/// Template 4.32, simulated (synthetic) satellite products: 4.31 with a forecast time.
const SIMULATED_SATELLITE: u16 = 32;

/// A satellite product has no fixed surfaces (ecCodes reports no typeOfLevel nor level):
/// observed ones (4.31) are analyses, simulated ones (4.32) carry a forecast time. The list
/// of spectral bands that follows does not change how the field is grouped.
fn satellite(s: &Octets, template: u16) -> Result<Product> {
    let none = Surface {
        kind: 255,
        factor: 0xff,
        value: 0xffff_ffff,
    };
    let (time_unit, forecast_time) = if template == SIMULATED_SATELLITE {
        (s.u8(18)?, s.signed(19, 4)?)
    } else {
        (1, 0)
    };
    Ok(Product {
        template,
        nv: s.u16(6)?,
        category: s.u8(10)?,
        number: s.u8(11)?,
        constituent_type: None,
        generating_process: s.u8(12)?,
        time_unit,
        forecast_time,
        surface1: none,
        surface2: none,
        ensemble: None,
        derived: None,
        probability: None,
        percentile: None,
        spatial: None,
        statistics: None,
        aerosol: None,
    })
}

pub(crate) fn parse(s: &Octets, offset: u64) -> Result<Product> {
    let template = s.u16(8)?;
    if template == SATELLITE || template == SIMULATED_SATELLITE {
        return satellite(s, template);
    }
    let layout = layout(template).ok_or_else(|| {
        Error::unsupported(format!(
            "GRIB2 product definition template 4.{} is not supported (supported: {})",
            template, SUPPORTED
        ))
        .at_offset(offset)
    })?;
    let shift = match (layout.chemical, layout.aerosol, layout.optical) {
        (true, _, _) => 2,
        (_, true, false) => 13,
        (_, true, true) => 24,
        _ if layout.post_processed => 5,
        _ => 0,
    };
    let nv = s.u16(6)?;
    // WMO's table for 4.44 gives the forecast time 2 octets (an error later templates do not
    // repeat); messages written by the letter are 45 octets long before the vertical
    // coordinates, older ones used 4. ecCodes tells them apart the same way.
    let short_forecast_time = template == 44 && u64::from(s.u32(1)?) == 45 + 4 * u64::from(nv);
    let forecast_time = if short_forecast_time {
        i64::from(s.u16(19 + shift)?)
    } else {
        s.signed(19 + shift, 4)?
    };
    let surfaces_at = if short_forecast_time { 21 } else { 23 } + shift;
    let interval = |at: usize| -> Result<Interval> {
        Ok(Interval {
            kind: s.u8(at)?,
            first: (s.u8(at + 1)?, s.u32(at + 2)?),
            second: (s.u8(at + 6)?, s.u32(at + 7)?),
        })
    };
    let aerosol = if layout.aerosol {
        Some(Aerosol {
            size: interval(14)?,
            wavelength: if layout.optical {
                Some(interval(25)?)
            } else {
                None
            },
        })
    } else {
        None
    };
    let surface = |at: usize| -> Result<Surface> {
        Ok(Surface {
            kind: s.u8(at)?,
            factor: s.u8(at + 1)?,
            value: s.u32(at + 2)?,
        })
    };
    let statistics = match layout.statistics {
        Some(at) => Some(statistics(s, at)?),
        None => None,
    };
    let probability = match layout.probability {
        Some(at) => Some(Probability {
            kind: s.u8(at + 2)?,
            lower: (s.u8(at + 3)?, s.u32(at + 4)?),
            upper: (s.u8(at + 8)?, s.u32(at + 9)?),
        }),
        None => None,
    };
    Ok(Product {
        template,
        nv,
        category: s.u8(10)?,
        number: s.u8(11)?,
        constituent_type: if layout.chemical || layout.aerosol {
            Some(s.u16(12)?)
        } else {
            None
        },
        generating_process: s.u8(12 + shift)?,
        time_unit: s.u8(18 + shift)?,
        forecast_time,
        surface1: surface(surfaces_at)?,
        surface2: surface(surfaces_at + 6)?,
        // A cluster's identifier plays the member number's part (ecCodes: `number`).
        ensemble: match (layout.ensemble, layout.cluster) {
            (Some(at), _) => Some((s.u8(at)?, s.u8(at + 1)?, s.u8(at + 2)?)),
            (None, Some(at)) => Some((255, s.u8(at)?, s.u8(at + 3)?)),
            (None, None) => None,
        },
        derived: match layout.derived {
            Some(at) => Some(s.u8(at)?),
            None => None,
        },
        probability,
        percentile: match layout.percentile {
            Some(at) => Some(s.u8(at)?),
            None => None,
        },
        spatial: match layout.spatial {
            Some(at) => Some((s.u8(at)?, s.u8(at + 1)?)),
            None => None,
        },
        statistics,
        aerosol,
    })
}

/// The statistical-processing block: end of the overall interval and n time ranges.
fn statistics(s: &Octets, at: usize) -> Result<Statistics> {
    let end = (
        s.u16(at)?,
        s.u8(at + 2)?,
        s.u8(at + 3)?,
        s.u8(at + 4)?,
        s.u8(at + 5)?,
        s.u8(at + 6)?,
    );
    let count = usize::from(s.u8(at + 7)?);
    let mut ranges = Vec::with_capacity(count);
    for k in 0..count {
        let r = at + 12 + 12 * k;
        ranges.push(TimeRange {
            process: s.u8(r)?,
            increment_type: s.u8(r + 1)?,
            unit: s.u8(r + 2)?,
            length: s.u32(r + 3)?,
        });
    }
    Ok(Statistics { end, ranges })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Section 4 of template 4.44: header, parameter 0/20/0, aerosol type 62026, a size
    /// interval, then the generating process, a forecast time of `forecast_octets` octets
    /// and two surfaces (1 = ground, 255 = none).
    fn section_4_44(forecast_octets: usize) -> Vec<u8> {
        let mut s = vec![0, 0, 0, 0, 4, 0, 0, 0, 44, 0, 20, 0xf2, 0x4a];
        s.extend([5, 7, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff]);
        s.extend([2, 0, 0, 0, 0, 0, 1]);
        s.extend(&[0, 0, 0, 3][4 - forecast_octets..]);
        s.extend([1, 0, 0, 0, 0, 0, 255, 0xff, 0xff, 0xff, 0xff, 0xff]);
        let length = s.len() as u32;
        s[..4].copy_from_slice(&length.to_be_bytes());
        s
    }

    #[test]
    fn template_4_44_forecast_time_is_two_octets_in_45_octet_sections_and_four_otherwise() {
        for forecast_octets in [2, 4] {
            let bytes = section_4_44(forecast_octets);
            assert_eq!(bytes.len(), 43 + forecast_octets);
            let p = parse(&Octets::new(&bytes, "section 4", 0), 0).unwrap();
            assert_eq!(p.forecast_time, 3, "{} octets", forecast_octets);
            assert_eq!(p.surface1.kind, 1, "{} octets", forecast_octets);
            assert_eq!(p.surface2.kind, 255, "{} octets", forecast_octets);
            assert_eq!(p.constituent_type, Some(62026));
            let size = p.aerosol.unwrap().size;
            assert_eq!((size.kind, size.first, size.second.0), (5, (7, 25), 0xff));
        }
    }
}
