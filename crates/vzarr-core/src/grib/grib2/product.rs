//! GRIB2 section 4 (product definition): what was measured or forecast, where, when.
//!
//! Product definition templates share a common start (category, number, generating
//! process, forecast time, two fixed surfaces) and append blocks: ensemble member, derived
//! ensemble statistic, probability, percentile, statistical processing over time. This
//! module describes each supported template by where those blocks sit, instead of one
//! parser per template. Chemical templates (4.40–4.43) insert a 2-octet constituent type
//! after the parameter number, shifting everything after it by two octets.

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
}

/// Where a template's optional blocks start (octet numbers).
#[derive(Default)]
struct Layout {
    chemical: bool,
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
pub(crate) const SUPPORTED: &str =
    "0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 15, 31, 40, 41, 42, 43, 60, 61";

/// Template 4.31, satellite products (observed brightness temperatures and radiances).
const SATELLITE: u16 = 31;

/// A satellite product has no forecast time and no fixed surfaces (ecCodes reports no
/// typeOfLevel, level or step): it is an analysis on a missing surface. The list of spectral
/// bands after octet 14 does not change how the field is grouped.
fn satellite(s: &Octets) -> Result<Product> {
    let none = Surface {
        kind: 255,
        factor: 0xff,
        value: 0xffff_ffff,
    };
    Ok(Product {
        template: SATELLITE,
        nv: s.u16(6)?,
        category: s.u8(10)?,
        number: s.u8(11)?,
        constituent_type: None,
        generating_process: s.u8(12)?,
        time_unit: 1,
        forecast_time: 0,
        surface1: none,
        surface2: none,
        ensemble: None,
        derived: None,
        probability: None,
        percentile: None,
        spatial: None,
        statistics: None,
    })
}

pub(crate) fn parse(s: &Octets, offset: u64) -> Result<Product> {
    let template = s.u16(8)?;
    if template == SATELLITE {
        return satellite(s);
    }
    let layout = layout(template).ok_or_else(|| {
        Error::unsupported(format!(
            "GRIB2 product definition template 4.{} is not supported (supported: {})",
            template, SUPPORTED
        ))
        .at_offset(offset)
    })?;
    let shift = if layout.chemical { 2 } else { 0 };
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
        nv: s.u16(6)?,
        category: s.u8(10)?,
        number: s.u8(11)?,
        constituent_type: if layout.chemical {
            Some(s.u16(12)?)
        } else {
            None
        },
        generating_process: s.u8(12 + shift)?,
        time_unit: s.u8(18 + shift)?,
        forecast_time: s.signed(19 + shift, 4)?,
        surface1: surface(23 + shift)?,
        surface2: surface(29 + shift)?,
        ensemble: match layout.ensemble {
            Some(at) => Some((s.u8(at)?, s.u8(at + 1)?, s.u8(at + 2)?)),
            None => None,
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
