//! GRIB1 grid description section (GDS) → [`Grid`].
//!
//! Supported data representation types: 0 lat/lon (regular and reduced), 1 Mercator,
//! 3 Lambert conformal, 4 Gaussian (regular and reduced), 5 polar stereographic,
//! 10 rotated lat/lon, 14 rotated Gaussian, 50 spherical harmonics (scan only). Angles are
//! in millidegrees (24-bit sign-and-magnitude), distances in metres.

use crate::error::{Error, Result};
use crate::grib::grid::{
    check_points, check_regular, Earth, Grid, GridKind, Projected, Rotation, ScanMode,
};
use crate::grib::octets::Octets;
use crate::grib::reduced;

fn millidegrees(s: &Octets, octet: usize) -> Result<f64> {
    Ok(s.signed(octet, 3)? as f64 / 1000.0)
}

/// The resolution-and-component flags' earth bit: 0 = sphere of 6367.47 km, 1 = the IAU
/// 1965 spheroid.
fn earth(flags: u8) -> Earth {
    if flags & 0x40 != 0 {
        Earth::Oblate {
            major: 6_378_160.0,
            minor: 6_356_775.0,
        }
    } else {
        Earth::Sphere {
            radius: 6_367_470.0,
        }
    }
}

pub(crate) fn parse(s: &Octets, offset: u64) -> Result<Grid> {
    let kind = s.u8(6)?;
    let grid = match kind {
        0 | 4 | 10 | 14 => lat_lon_or_gaussian(s, kind),
        1 => mercator(s),
        3 | 5 => projected(s, kind == 3),
        50 => spherical_harmonics(s),
        _ => Err(Error::unsupported(format!(
            "GRIB1 grid type {} is not supported",
            kind
        ))),
    }
    .map_err(|e| e.at_offset(offset))?;
    check_points(grid.num_points, offset)?;
    if let Some((ni, nj)) = grid.ni_nj {
        check_regular(ni, nj, grid.num_points, offset)?;
    }
    Ok(grid)
}

/// Triangular truncation J: (J+1)(J+2) real coefficients (real and imaginary parts).
fn spherical_harmonics(s: &Octets) -> Result<Grid> {
    let j = u64::from(s.u16(7)?);
    Ok(Grid {
        kind: GridKind::SphericalHarmonics,
        grid_type: "sh",
        num_points: (j + 1) * (j + 2),
        ni_nj: None,
        scan: ScanMode(0),
        earth: earth(0),
    })
}

fn lat_lon_or_gaussian(s: &Octets, kind: u8) -> Result<Grid> {
    let ni = s.u16(7)?;
    let nj = u64::from(s.u16(9)?);
    let lat1 = millidegrees(s, 11)?;
    let lon1 = millidegrees(s, 14)?;
    let flags = s.u8(17)?;
    let lat2 = millidegrees(s, 18)?;
    let lon2 = millidegrees(s, 21)?;
    let dj_raw = s.u16(26)?;
    let scan = ScanMode(s.u8(28)?);
    let gaussian = kind == 4 || kind == 14;
    let rotation = if kind == 10 || kind == 14 {
        Some(Rotation {
            south_pole_lat: millidegrees(s, 33)?,
            south_pole_lon: millidegrees(s, 36)?,
            angle: s.ibm_f32(39)?,
        })
    } else {
        None
    };
    if ni == 0xffff {
        let pl = points_per_row(s, nj)?;
        // GRIB1 does not say how many points a reduced grid codes: the rows' coded points
        // (a reduced Gaussian sub-area codes only part of each row), as ecCodes counts them.
        let num_points = reduced::row_spans(gaussian, &pl, lon1, lon2, 1e-3)
            .iter()
            .map(|&(n, _, _)| n)
            .sum();
        let grid_type = match (gaussian, rotation.is_some()) {
            (true, false) => "reduced_gg",
            (true, true) => "reduced_rotated_gg",
            (false, false) => "reduced_ll",
            (false, true) => "reduced_rotated_ll",
        };
        return Ok(Grid {
            kind: GridKind::Reduced {
                gaussian_n: if gaussian {
                    Some(u64::from(dj_raw))
                } else {
                    None
                },
                pl,
                precision: 1e-3,
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
            earth: earth(flags),
        });
    }
    let ni = u64::from(ni);
    let rotated = rotation.is_some();
    let (kind, grid_type) = if gaussian {
        (
            GridKind::Gaussian {
                lat1,
                lon1,
                lat2,
                lon2,
                n: u64::from(dj_raw),
                rotation,
            },
            if rotated { "rotated_gg" } else { "regular_gg" },
        )
    } else {
        let dj = if flags & 0x80 != 0 && dj_raw != 0xffff {
            Some(f64::from(dj_raw) / 1000.0)
        } else {
            None
        };
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
        num_points: ni.saturating_mul(nj),
        ni_nj: Some((ni, nj)),
        scan,
        earth: earth(flags),
    })
}

/// The list of points per row of a reduced grid: 16-bit entries after the vertical
/// coordinates (octet `PV/PL location + 4·NV`).
fn points_per_row(s: &Octets, rows: u64) -> Result<Vec<u64>> {
    let nv = usize::from(s.u8(4)?);
    let location = usize::from(s.u8(5)?);
    if location == 0 || location == 255 {
        return Err(Error::corrupt(
            "a reduced GRIB1 grid without a list of points per row",
        ));
    }
    let first = location + 4 * nv;
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    let bytes = s.slice(first, rows.saturating_mul(2))?;
    Ok(bytes
        .chunks(2)
        .map(|c| u64::from(c[0]) << 8 | u64::from(c[1]))
        .collect())
}

fn projected(s: &Octets, lambert: bool) -> Result<Grid> {
    let nx = u64::from(s.u16(7)?);
    let ny = u64::from(s.u16(9)?);
    let flags = s.u8(17)?;
    let centre = s.u8(27)?;
    let (latin1, latin2, lat_d) = if lambert {
        let latin1 = millidegrees(s, 29)?;
        (latin1, millidegrees(s, 32)?, latin1)
    } else {
        // GRIB1 polar stereographic grids are true at 60° in the projection's hemisphere.
        let lat_d = if centre & 0x80 != 0 { -60.0 } else { 60.0 };
        (lat_d, lat_d, lat_d)
    };
    let proj = Projected {
        lat1: millidegrees(s, 11)?,
        lon1: millidegrees(s, 14)?,
        lat_d,
        lon_v: millidegrees(s, 18)?,
        dx: f64::from(s.u24(21)?),
        dy: f64::from(s.u24(24)?),
        latin1,
        latin2,
        south_pole_centre: centre & 0x80 != 0,
    };
    Ok(Grid {
        kind: if lambert {
            GridKind::Lambert(proj)
        } else {
            GridKind::PolarStereographic(proj)
        },
        grid_type: if lambert {
            "lambert"
        } else {
            "polar_stereographic"
        },
        num_points: nx.saturating_mul(ny),
        ni_nj: Some((nx, ny)),
        scan: ScanMode(s.u8(28)?),
        earth: earth(flags),
    })
}

fn mercator(s: &Octets) -> Result<Grid> {
    let nx = u64::from(s.u16(7)?);
    let ny = u64::from(s.u16(9)?);
    let lat_d = millidegrees(s, 24)?;
    let proj = Projected {
        lat1: millidegrees(s, 11)?,
        lon1: millidegrees(s, 14)?,
        lat_d,
        lon_v: 0.0,
        dx: f64::from(s.u24(29)?),
        dy: f64::from(s.u24(32)?),
        latin1: lat_d,
        latin2: lat_d,
        south_pole_centre: false,
    };
    Ok(Grid {
        kind: GridKind::Mercator {
            proj,
            lat2: millidegrees(s, 18)?,
            lon2: millidegrees(s, 21)?,
        },
        grid_type: "mercator",
        num_points: nx.saturating_mul(ny),
        ni_nj: Some((nx, ny)),
        scan: ScanMode(s.u8(28)?),
        earth: earth(s.u8(17)?),
    })
}
