//! GRIB2 section 3 (grid definition) → [`Grid`].
//!
//! Supported templates: 3.0 regular/reduced lat/lon, 3.1 rotated lat/lon, 3.10 Mercator,
//! 3.20 polar stereographic, 3.30 Lambert conformal, 3.40 regular/reduced Gaussian,
//! 3.41 rotated Gaussian, 3.50 spherical harmonics (scan only), 3.101 unstructured. Any
//! other template still scans: its points form a single `values` axis without coordinates.

use crate::error::{Error, Result};
use crate::grib::grid::{
    check_points, check_regular, Earth, Grid, GridKind, Projected, Rotation, ScanMode,
};
use crate::grib::octets::{grib_power, Octets};
use crate::grib::reduced;

const MISSING_U32: u32 = 0xffff_ffff;

pub(crate) fn parse(s: &Octets, offset: u64) -> Result<Grid> {
    let num_points = u64::from(s.u32(7)?);
    let template = s.u16(13)?;
    let list_octets = s.u8(11)?;
    let fail = |e: Error| e.at_offset(offset);
    let grid = match template {
        0 | 1 | 40 | 41 => lat_lon_or_gaussian(s, template, num_points, list_octets),
        10 => mercator(s, num_points),
        20 => projected(s, num_points, "polar_stereographic", false),
        30 => projected(s, num_points, "lambert", true),
        50 => Ok(simple(GridKind::SphericalHarmonics, "sh", num_points)),
        101 => Ok(simple(
            GridKind::Unstructured,
            "unstructured_grid",
            num_points,
        )),
        _ => Ok(simple(GridKind::Other, other_name(template), num_points)),
    }
    .map_err(fail)?;
    check_points(grid.num_points, offset)?;
    if let Some((ni, nj)) = grid.ni_nj {
        check_regular(ni, nj, grid.num_points, offset)?;
    }
    Ok(grid)
}

fn other_name(template: u16) -> &'static str {
    match template {
        2 => "stretched_ll",
        3 => "stretched_rotated_ll",
        31 => "albers",
        90 => "space_view",
        140 => "lambert_azimuthal_equal_area",
        _ => "unknown",
    }
}

fn simple(kind: GridKind, grid_type: &'static str, num_points: u64) -> Grid {
    Grid {
        kind,
        grid_type,
        num_points,
        ni_nj: None,
        scan: ScanMode(0),
        earth: Earth::Sphere {
            radius: 6_367_470.0,
        },
    }
}

/// Shape of the earth (code table 3.2), octets 15–30 of every template that has one.
fn earth(s: &Octets) -> Result<Earth> {
    let scaled = |factor_octet: usize| -> Result<f64> {
        let factor = s.u8(factor_octet)?;
        let value = s.u32(factor_octet + 1)?;
        if factor == 0xff || value == MISSING_U32 {
            return Err(Error::corrupt(
                "the shape of the earth refers to a missing radius or axis",
            ));
        }
        Ok(f64::from(value) * grib_power(-i64::from(factor), 10))
    };
    Ok(match s.u8(15)? {
        0 => Earth::Sphere {
            radius: 6_367_470.0,
        },
        1 => Earth::Sphere {
            radius: scaled(16)?,
        },
        2 => Earth::Oblate {
            major: 6_378_160.0,
            minor: 6_356_775.0,
        },
        3 => Earth::Oblate {
            major: scaled(21)? * 1000.0,
            minor: scaled(26)? * 1000.0,
        },
        4 | 5 => Earth::Oblate {
            major: 6_378_137.0,
            minor: 6_356_752.314,
        },
        6 => Earth::Sphere {
            radius: 6_371_229.0,
        },
        7 => Earth::Oblate {
            major: scaled(21)?,
            minor: scaled(26)?,
        },
        8 => Earth::Sphere {
            radius: 6_371_200.0,
        },
        9 => Earth::Oblate {
            major: 6_377_563.396,
            minor: 6_356_256.909,
        },
        // Unknown shapes: ecCodes' default sphere, which only matters for projections.
        _ => Earth::Sphere {
            radius: 6_367_470.0,
        },
    })
}

/// Degrees from a template's angle unit: 10⁻⁶ degree unless a basic angle and
/// subdivisions are given (octets 39–46 of templates 3.0/3.1/3.40/3.41).
struct AngleUnit(f64);

impl AngleUnit {
    fn of(s: &Octets) -> Result<AngleUnit> {
        let basic = s.u32(39)?;
        let subdivisions = s.u32(43)?;
        if basic == 0 || basic == MISSING_U32 || subdivisions == 0 || subdivisions == MISSING_U32 {
            Ok(AngleUnit(1e-6))
        } else {
            Ok(AngleUnit(f64::from(basic) / f64::from(subdivisions)))
        }
    }

    fn signed(&self, s: &Octets, octet: usize) -> Result<f64> {
        let v = s.signed(octet, 4)? as f64;
        Ok(if self.0 == 1e-6 {
            v / 1_000_000.0
        } else {
            v * self.0
        })
    }

    fn unsigned(&self, s: &Octets, octet: usize) -> Result<Option<f64>> {
        let v = s.u32(octet)?;
        if v == MISSING_U32 {
            return Ok(None);
        }
        let v = f64::from(v);
        Ok(Some(if self.0 == 1e-6 {
            v / 1_000_000.0
        } else {
            v * self.0
        }))
    }
}

fn micro_degrees_signed(s: &Octets, octet: usize) -> Result<f64> {
    Ok(s.signed(octet, 4)? as f64 / 1_000_000.0)
}

fn micro_degrees(s: &Octets, octet: usize) -> Result<f64> {
    Ok(f64::from(s.u32(octet)?) / 1_000_000.0)
}

/// The optional list of points per row (reduced grids), which fills the end of section 3.
fn points_per_row(s: &Octets, list_octets: u8, rows: u64) -> Result<Vec<u64>> {
    let width = usize::from(list_octets);
    if !(1..=4).contains(&width) {
        return Err(Error::corrupt(format!(
            "a reduced grid's list of points per row uses {} octets per entry",
            width
        )));
    }
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    let bytes = rows
        .checked_mul(width)
        .filter(|&n| n <= s.len())
        .ok_or_else(|| {
            Error::corrupt(format!(
                "section 3 is too short for a list of {} rows of points",
                rows
            ))
        })?;
    let list = s.slice(s.len() - bytes + 1, bytes)?;
    Ok(list
        .chunks(width)
        .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .collect())
}

fn lat_lon_or_gaussian(
    s: &Octets,
    template: u16,
    num_points: u64,
    list_octets: u8,
) -> Result<Grid> {
    let earth = earth(s)?;
    let ni = s.u32(31)?;
    let nj = s.u32(35)?;
    let unit = AngleUnit::of(s)?;
    let lat1 = unit.signed(s, 47)?;
    let lon1 = unit.signed(s, 51)?;
    let lat2 = unit.signed(s, 56)?;
    let lon2 = unit.signed(s, 60)?;
    let scan = ScanMode(s.u8(72)?);
    let gaussian = template == 40 || template == 41;
    let rotation = if template == 1 || template == 41 {
        Some(Rotation {
            south_pole_lat: unit.signed(s, 73)?,
            south_pole_lon: unit.signed(s, 77)?,
            angle: f64::from(s.f32(81)?),
        })
    } else {
        None
    };
    let rotated = rotation.is_some();
    if ni == MISSING_U32 {
        // A reduced grid: Nj rows whose lengths are listed at the end of the section.
        let pl = points_per_row(s, list_octets, u64::from(nj))?;
        let total = pl.iter().try_fold(0u64, |acc, &n| acc.checked_add(n));
        // The rows' points are all coded, or (a reduced Gaussian sub-area) some of them.
        let whole = reduced::codes_every_listed_point(gaussian, &pl, lon1, lon2, unit.0);
        let consistent = match total {
            Some(t) if whole => t == num_points,
            Some(t) => num_points <= t,
            None => false,
        };
        if !consistent {
            return Err(Error::corrupt(format!(
                "the rows of a reduced grid hold {:?} points but the grid declares {}",
                total, num_points
            )));
        }
        let gaussian_n = if gaussian {
            Some(u64::from(s.u32(68)?))
        } else {
            None
        };
        let grid_type = match (gaussian, rotated) {
            (true, false) => "reduced_gg",
            (true, true) => "reduced_rotated_gg",
            (false, false) => "reduced_ll",
            (false, true) => "reduced_rotated_ll",
        };
        return Ok(Grid {
            kind: GridKind::Reduced {
                gaussian_n,
                pl,
                precision: unit.0,
                rotation,
                lat1,
                lon1,
                lat2,
                lon2,
            },
            grid_type,
            num_points,
            ni_nj: None,
            scan,
            earth,
        });
    }
    let (kind, grid_type) = if gaussian {
        let n = u64::from(s.u32(68)?);
        (
            GridKind::Gaussian {
                lat1,
                lon1,
                lat2,
                lon2,
                n,
                rotation,
            },
            if rotated { "rotated_gg" } else { "regular_gg" },
        )
    } else {
        let dj = unit.unsigned(s, 68)?;
        (
            GridKind::LatLon {
                lat1,
                lon1,
                lat2,
                lon2,
                dj,
                rotation,
            },
            if rotated { "rotated_ll" } else { "regular_ll" },
        )
    };
    Ok(Grid {
        kind,
        grid_type,
        num_points,
        ni_nj: Some((u64::from(ni), u64::from(nj))),
        scan,
        earth,
    })
}

/// Templates 3.20 (polar stereographic) and 3.30 (Lambert conformal) share octets 15–65.
fn projected(s: &Octets, num_points: u64, grid_type: &'static str, lambert: bool) -> Result<Grid> {
    let earth = earth(s)?;
    let nx = u64::from(s.u32(31)?);
    let ny = u64::from(s.u32(35)?);
    let lat_d = micro_degrees_signed(s, 48)?;
    let centre_flags = s.u8(64)?;
    let (latin1, latin2) = if lambert {
        (micro_degrees_signed(s, 66)?, micro_degrees_signed(s, 70)?)
    } else {
        (lat_d, lat_d)
    };
    let proj = Projected {
        lat1: micro_degrees_signed(s, 39)?,
        lon1: micro_degrees(s, 43)?,
        lat_d,
        lon_v: micro_degrees(s, 52)?,
        dx: f64::from(s.u32(56)?) / 1000.0,
        dy: f64::from(s.u32(60)?) / 1000.0,
        latin1,
        latin2,
        south_pole_centre: centre_flags & 0x80 != 0,
    };
    let kind = if lambert {
        GridKind::Lambert(proj)
    } else {
        GridKind::PolarStereographic(proj)
    };
    Ok(Grid {
        kind,
        grid_type,
        num_points,
        ni_nj: Some((nx, ny)),
        scan: ScanMode(s.u8(65)?),
        earth,
    })
}

fn mercator(s: &Octets, num_points: u64) -> Result<Grid> {
    let earth = earth(s)?;
    let nx = u64::from(s.u32(31)?);
    let ny = u64::from(s.u32(35)?);
    let lat_d = micro_degrees_signed(s, 48)?;
    let proj = Projected {
        lat1: micro_degrees_signed(s, 39)?,
        lon1: micro_degrees(s, 43)?,
        lat_d,
        lon_v: 0.0,
        dx: f64::from(s.u32(65)?) / 1000.0,
        dy: f64::from(s.u32(69)?) / 1000.0,
        latin1: lat_d,
        latin2: lat_d,
        south_pole_centre: false,
    };
    Ok(Grid {
        kind: GridKind::Mercator {
            proj,
            lat2: micro_degrees_signed(s, 52)?,
            lon2: micro_degrees(s, 56)?,
        },
        grid_type: "mercator",
        num_points,
        ni_nj: Some((nx, ny)),
        scan: ScanMode(s.u8(60)?),
        earth,
    })
}
