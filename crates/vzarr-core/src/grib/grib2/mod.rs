//! GRIB2 messages: sections → [`Field`]s.

pub(crate) mod bitmap;
pub(crate) mod grid;
pub(crate) mod identification;
pub(crate) mod product;
pub(crate) mod representation;

use crate::error::Error;
use crate::grib::field::{Field, GridTable, ParamNumber};
use crate::grib::message::{read_metadata, ByteSource, MessageLayout};
use crate::grib::octets::Octets;
use crate::grib::params::{self, Key, KeySource, MISSING};
use crate::grib::time::{duration_seconds, epoch_seconds};
use crate::sansio::Step;
use bitmap::BitmapIndicator;
use identification::Identification;
use product::{Interval, Product, Surface};
use representation::Representation;

/// Reads the fields of one GRIB2 message whose sections `layout` located. Reads section
/// bodies 1, 3, 4 and 5 and the first 6 octets of section 6; never section 7.
pub(crate) fn read_fields(
    src: &dyn ByteSource,
    layout: &MessageLayout,
    grids: &mut GridTable,
) -> Step<Vec<Field>> {
    let start = layout.offset;
    let discipline = src.read(start, 16)?[6];
    let last_data_section = layout.sections.iter().rposition(|s| s.number == 7);
    let mut ident: Option<Identification> = None;
    let mut grid: Option<usize> = None;
    let mut product: Option<Product> = None;
    let mut repr: Option<Representation> = None;
    let mut bitmap = false;
    let mut fields = Vec::new();
    for (index, section) in layout.sections.iter().enumerate() {
        let at = section.offset;
        match section.number {
            1 => {
                let s = Octets::new(read_metadata(src, section)?, "GRIB2 section 1", at);
                ident = Some(identification::parse(&s).map_err(|e| e.at_offset(at))?);
            }
            3 => {
                let bytes = read_metadata(src, section)?;
                let s = Octets::new(bytes, "GRIB2 section 3", at);
                grid = Some(grids.intern(2, &bytes[5..], || grid::parse(&s, at))?);
            }
            4 => {
                let s = Octets::new(read_metadata(src, section)?, "GRIB2 section 4", at);
                product = Some(product::parse(&s, at)?);
            }
            5 => {
                let s = Octets::new(read_metadata(src, section)?, "GRIB2 section 5", at);
                repr = Some(representation::parse(&s)?);
            }
            6 => {
                let s = Octets::new(src.read(at, 6.min(section.length))?, "GRIB2 section 6", at);
                bitmap = match bitmap::bitmap_indicator(&s)? {
                    BitmapIndicator::None => false,
                    BitmapIndicator::Present => {
                        if let Some(g) = grid {
                            let points = grids.grids[g].num_points;
                            bitmap::check_bitmap_length(section.length, points, at)?;
                        }
                        true
                    }
                    BitmapIndicator::Previous => true,
                    BitmapIndicator::Predefined(n) => {
                        return Err(Error::unsupported(format!(
                            "GRIB2 predefined bitmap {} is not supported",
                            n
                        ))
                        .at_offset(at)
                        .into())
                    }
                };
            }
            7 => {
                let missing = |what: &str| {
                    Error::corrupt(format!("a GRIB2 field has no section {}", what)).at_offset(at)
                };
                let ident = ident.as_ref().ok_or_else(|| missing("1"))?;
                let grid_index = grid.ok_or_else(|| missing("3"))?;
                let product = product.as_ref().ok_or_else(|| missing("4"))?;
                let repr = repr.as_ref().ok_or_else(|| missing("5"))?;
                let chunk_end = if Some(index) == last_data_section {
                    start + layout.length
                } else {
                    at + section.length
                };
                let describe = FieldParts {
                    discipline,
                    ident,
                    product,
                };
                let mut field = describe.field(at)?;
                field.message_offset = start;
                field.message_length = layout.length;
                field.chunk_length = chunk_end - start;
                field.grid = grid_index;
                field.packing_type = representation::packing_type(repr.template);
                field.bitmap = bitmap;
                fields.push(field);
            }
            _ => {}
        }
    }
    Ok(fields)
}

/// The sections describing one field, seen as ecCodes keys for concept evaluation.
struct FieldParts<'a> {
    discipline: u8,
    ident: &'a Identification,
    product: &'a Product,
}

impl<'a> KeySource for FieldParts<'a> {
    fn key(&self, key: Key) -> Option<i64> {
        let p = self.product;
        let first_range = p.statistics.as_ref().and_then(|s| s.ranges.first());
        let probability = p.probability.as_ref();
        let scaled = |(factor, value): (u8, u32)| -> (i64, i64) {
            let s = Surface {
                kind: 0,
                factor,
                value,
            };
            (s.factor_key(), s.value_key())
        };
        Some(match key {
            Key::TypeOfFirstFixedSurface => i64::from(p.surface1.kind),
            Key::ScaleFactorOfFirstFixedSurface => p.surface1.factor_key(),
            Key::ScaledValueOfFirstFixedSurface => p.surface1.value_key(),
            Key::TypeOfSecondFixedSurface => i64::from(p.surface2.kind),
            Key::ScaleFactorOfSecondFixedSurface => p.surface2.factor_key(),
            Key::ScaledValueOfSecondFixedSurface => p.surface2.value_key(),
            Key::TypeOfStatisticalProcessing => i64::from(first_range?.process),
            Key::LengthOfTimeRange => i64::from(first_range?.length),
            Key::IndicatorOfUnitForTimeRange => i64::from(first_range?.unit),
            Key::ProductDefinitionTemplateNumber => i64::from(p.template),
            Key::TypeOfGeneratingProcess => i64::from(p.generating_process),
            Key::LocalTablesVersion => i64::from(self.ident.local_tables_version),
            Key::ProbabilityType => i64::from(probability?.kind),
            Key::ScaleFactorOfLowerLimit => scaled(probability?.lower).0,
            Key::ScaledValueOfLowerLimit => scaled(probability?.lower).1,
            Key::ConstituentType => i64::from(p.constituent_type?),
            // ecCodes' g2_chemical / g2_aerosol: by template number alone.
            Key::IsChemical => i64::from(matches!(p.template, 40..=43)),
            Key::IsAerosol => i64::from(matches!(p.template, 44..=49 | 85)),
            Key::IsAerosolOptical => i64::from(matches!(p.template, 48 | 49)),
            Key::TypeOfSizeInterval => i64::from(p.aerosol?.size.kind),
            Key::ScaleFactorOfFirstSize => signed_key(p.aerosol?.size.first.0.into(), 8),
            Key::ScaledValueOfFirstSize => signed_key(p.aerosol?.size.first.1.into(), 32),
            Key::ScaleFactorOfSecondSize => signed_key(p.aerosol?.size.second.0.into(), 8),
            Key::ScaledValueOfSecondSize => signed_key(p.aerosol?.size.second.1.into(), 32),
            Key::TypeOfWavelengthInterval => i64::from(p.aerosol?.wavelength?.kind),
            Key::ScaleFactorOfFirstWavelength => {
                signed_key(p.aerosol?.wavelength?.first.0.into(), 8)
            }
            Key::ScaledValueOfFirstWavelength => {
                signed_key(p.aerosol?.wavelength?.first.1.into(), 32)
            }
            Key::ScaleFactorOfSecondWavelength => {
                signed_key(p.aerosol?.wavelength?.second.0.into(), 8)
            }
            Key::ScaledValueOfSecondWavelength => {
                signed_key(p.aerosol?.wavelength?.second.1.into(), 32)
            }
            Key::Nv => i64::from(p.nv),
            Key::IndicatorOfTypeOfLevel | Key::Level | Key::GenVertHeightCoords => return None,
        })
    }
}

/// ecCodes' `level` for a GRIB2 surface (its `g2level` accessor), plus whether an
/// isobaric level stayed in Pa because it is below 1 hPa (ecCodes then says
/// `isobaricInPa`). Isobaric levels are truncated to whole hPa, as ecCodes does.
fn level_value(surface: &Surface, tigge: bool) -> (f64, bool) {
    if surface.value == 0xffff_ffff {
        return (0.0, false);
    }
    let mut v = f64::from(surface.value);
    let mut scale = surface.factor_key();
    if scale != MISSING {
        if surface.kind == 109 {
            // Potential vorticity is coded in 10⁻⁶ (TIGGE) or 10⁻⁹ K m² kg⁻¹ s⁻¹ units.
            scale -= if tigge { 6 } else { 9 };
        }
        while scale < 0 && v != 0.0 {
            v *= 10.0;
            scale += 1;
        }
        while scale > 0 && v != 0.0 {
            v /= 10.0;
            scale -= 1;
        }
    }
    if surface.kind == 100 {
        let hpa = (v / 100.0).trunc();
        if scale == 0 && hpa == 0.0 {
            return (v, true);
        }
        return (hpa, false);
    }
    (v, false)
}

/// ecCodes' `stepType` for a statistical process (code table 4.10).
fn step_type(process: u8, increment_type: u8) -> &'static str {
    match process {
        0 if increment_type == 1 => "avgd",
        0 => "avg",
        1 => "accum",
        2 => "max",
        3 => "min",
        4 => "diff",
        5 => "rms",
        6 => "sd",
        7 => "cov",
        8 => "sdiff",
        9 => "ratio",
        10 => "stdanom",
        11 => "sum",
        100 => "severity",
        101 => "mode",
        255 => "instant",
        _ => "unknown",
    }
}

/// Number formatted without trailing zeros, for group-name labels.
pub(crate) fn label_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{}", v)
    }
}

/// `_<first>` and/or `_<second>` limits of an interval, in metres as written (`5.5e-7`).
fn interval_label(i: &Interval) -> String {
    let limit = |(factor, value): (u8, u32)| {
        let f = signed_key(factor.into(), 8);
        let v = signed_key(value.into(), 32);
        if f == MISSING || v == MISSING {
            None
        } else {
            let metres = v as f64 / 10f64.powi(f.clamp(-300, 300) as i32);
            Some(if metres == 0.0 {
                "0".to_string()
            } else {
                format!("{:e}", metres)
            })
        }
    };
    [limit(i.first), limit(i.second)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("_")
}

/// A `signed[n]` key as ecCodes reads it: sign-and-magnitude, all ones = missing.
fn signed_key(raw: u64, bits: usize) -> i64 {
    if raw == (1u64 << bits) - 1 {
        crate::grib::params::MISSING
    } else {
        crate::grib::octets::sign_magnitude(raw, bits)
    }
}

fn scaled_value(factor: u8, value: u32) -> f64 {
    if factor == 0xff || value == 0xffff_ffff {
        return f64::NAN;
    }
    let f = crate::grib::octets::sign_magnitude(u64::from(factor), 8);
    // Divide by an exact power of ten: 127 scaled by 1 is 12.7, not 127 × 0.1 =
    // 12.700000000000001 (the value names groups such as `prob_above_12.7`).
    let ten = 10f64.powi(f.unsigned_abs().min(300) as i32);
    if f >= 0 {
        f64::from(value) / ten
    } else {
        f64::from(value) * ten
    }
}

impl<'a> FieldParts<'a> {
    fn field(&self, offset: u64) -> crate::Result<Field> {
        let p = self.product;
        let centre = self.ident.centre;
        let tigge = matches!(self.ident.production_status, 4 | 5);
        let param = params::grib2_param(self, centre, self.discipline, p.category, p.number);
        let (level, in_pa) = level_value(&p.surface1, tigge);
        let level_type = if p.surface1.kind == 100 && p.surface2.kind == 255 {
            if in_pa {
                "isobaricInPa"
            } else {
                "isobaricInhPa"
            }
        } else {
            params::grib2_level_type(self, centre)
        };
        let start = duration_seconds(2, p.time_unit, p.forecast_time, offset)?;
        let (step_type, step) = match &p.statistics {
            None => ("instant", start),
            Some(stats) => {
                let first = stats.ranges.first().ok_or_else(|| {
                    Error::corrupt("a statistically processed product lists no time range")
                        .at_offset(offset)
                })?;
                let end = if stats.ranges.len() == 1 {
                    start + duration_seconds(2, first.unit, i64::from(first.length), offset)?
                } else {
                    let (y, mo, d, h, mi, s) = stats.end;
                    let end_time = epoch_seconds(
                        i64::from(y),
                        u32::from(mo),
                        u32::from(d),
                        u32::from(h),
                        u32::from(mi),
                        u32::from(s),
                        offset,
                    )?;
                    end_time - self.ident.reference_time
                };
                (step_type(first.process, first.increment_type), end)
            }
        };
        Ok(Field {
            message_offset: 0,
            message_length: 0,
            chunk_length: 0,
            edition: 2,
            centre,
            subcentre: self.ident.subcentre,
            reference_time: self.ident.reference_time,
            grid: 0,
            param,
            param_number: ParamNumber::Grib2 {
                discipline: self.discipline,
                category: p.category,
                number: p.number,
            },
            level_type,
            level,
            step_type,
            step,
            number: p.ensemble.map(|(_, n, _)| i64::from(n)),
            variant: self.variant(param.is_none()),
            packing_type: "unknown",
            bitmap: false,
            product_template: Some(p.template),
        })
    }

    /// The label that keeps apart products a plain (time, step, level, number) cube
    /// cannot: probabilities, percentiles, ensemble statistics, spatial statistics, and
    /// chemical constituents ecCodes has no name for.
    fn variant(&self, unknown: bool) -> Option<String> {
        let p = self.product;
        if let Some(prob) = &p.probability {
            let lower = label_number(scaled_value(prob.lower.0, prob.lower.1));
            let upper = label_number(scaled_value(prob.upper.0, prob.upper.1));
            return Some(match prob.kind {
                0 => format!("prob_below_{}", lower),
                1 => format!("prob_above_{}", upper),
                2 => format!("prob_between_{}_{}", lower, upper),
                3 => format!("prob_above_{}", lower),
                4 => format!("prob_below_{}", upper),
                k => format!("prob{}_{}_{}", k, lower, upper),
            });
        }
        if let Some(pct) = p.percentile {
            return Some(format!("percentile_{}", pct));
        }
        if let Some(derived) = p.derived {
            return Some(
                match derived {
                    0 => "mean",
                    1 => "weighted_mean",
                    2 => "stddev",
                    3 => "stddev_normalized",
                    4 => "spread",
                    5 => "anomaly",
                    6 => "cluster_mean",
                    _ => return Some(format!("derived_{}", derived)),
                }
                .to_string(),
            );
        }
        if let Some((process, kind)) = p.spatial {
            return Some(format!("spatial_{}_{}", process, kind));
        }
        match (p.constituent_type, &p.aerosol) {
            // Fields of one aerosol type differ by particle size and wavelength.
            (Some(c), Some(a)) if unknown => {
                let mut label = format!("aerosol_{}", c);
                for (tag, interval) in [
                    ("size", Some(&a.size)),
                    ("wavelength", a.wavelength.as_ref()),
                ] {
                    if let Some(i) = interval.filter(|i| i.kind != 255) {
                        label += &format!("_{}_{}", tag, interval_label(i));
                    }
                }
                Some(label)
            }
            (Some(c), None) if unknown => Some(format!("constituent_{}", c)),
            _ => None,
        }
    }
}
