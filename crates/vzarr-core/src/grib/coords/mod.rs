//! Latitude/longitude coordinates of grid points, in the order the codec returns values:
//! row by row (rows in the file's j direction, points in the file's i direction).
//!
//! Regular lat/lon and Gaussian grids get 1-D coordinates computed the way ecCodes'
//! geoiterators compute them (accumulated increments, the last point pinned to La2/Lo2)
//! so that values agree with ecCodes to the last bits. Rotated and projected grids get
//! 2-D coordinates; reduced grids one latitude/longitude per point. Coordinates are left
//! out where vzarr cannot compute them faithfully (unstructured grids, whose points live
//! in another file; sub-area reduced grids; spherical harmonics; unknown templates).

mod gaussian;
mod grid_mapping;
mod projection;

pub(crate) use grid_mapping::{projected_axes, ProjectedAxes};

use crate::error::{Error, Result};
use crate::grib::grid::{Grid, GridKind, Projected, Rotation, ScanMode};
use crate::grib::reduced;
use projection::Projection;

pub(crate) use gaussian::gaussian_latitudes;

pub(crate) enum SpatialCoords {
    /// 1-D latitude (per row) and longitude (per column).
    Separable {
        lat: Vec<f64>,
        lon: Vec<f64>,
    },
    /// One latitude and longitude per point, row-major (2-D grids or a `values` axis).
    PerPoint {
        lat: Vec<f64>,
        lon: Vec<f64>,
    },
    None,
}

pub(crate) fn coordinates(grid: &Grid) -> Result<SpatialCoords> {
    let (ni, nj) = grid.ni_nj.unwrap_or((0, 0));
    let (ni, nj) = (ni as usize, nj as usize);
    Ok(match &grid.kind {
        GridKind::LatLon {
            lat1,
            lon1,
            lat2,
            lon2,
            dj,
            rotation,
        } => {
            let lat = regular_latitudes(*lat1, *lat2, *dj, nj, grid.scan);
            let lon = regular_longitudes(*lon1, *lon2, ni, grid.scan);
            separable_or_rotated(lat, lon, rotation)
        }
        GridKind::Gaussian {
            lat1,
            lon1,
            lon2,
            n,
            rotation,
            ..
        } => {
            let lat = gaussian_rows(*n, *lat1, nj, grid.scan)?;
            let lon = regular_longitudes(*lon1, *lon2, ni, grid.scan);
            separable_or_rotated(lat, lon, rotation)
        }
        GridKind::Reduced {
            gaussian_n,
            pl,
            precision,
            rotation,
            lat1,
            lon1,
            lat2,
            lon2,
        } => reduced(
            ReducedRows {
                gaussian_n: *gaussian_n,
                pl,
                precision: *precision,
                lat1: *lat1,
                lon1: *lon1,
                lat2: *lat2,
                lon2: *lon2,
            },
            grid.num_points,
            grid.scan,
            rotation,
        )?,
        GridKind::Lambert(p) => projected(
            &projection::Lambert::new(p, grid.earth),
            p,
            ni,
            nj,
            grid.scan,
        ),
        GridKind::PolarStereographic(p) => projected(
            &projection::PolarStereographic::new(p, grid.earth),
            p,
            ni,
            nj,
            grid.scan,
        ),
        GridKind::Mercator { proj, .. } => projected(
            &projection::Mercator::new(proj, grid.earth),
            proj,
            ni,
            nj,
            grid.scan,
        ),
        GridKind::Unstructured | GridKind::SphericalHarmonics | GridKind::Other => {
            SpatialCoords::None
        }
    })
}

/// ecCodes' `latlon` iterator: Dj when given, else derived from La1, La2 and Nj.
fn regular_latitudes(lat1: f64, lat2: f64, dj: Option<f64>, nj: usize, scan: ScanMode) -> Vec<f64> {
    let mut jdir = match dj {
        Some(d) => d,
        None if nj > 1 => (lat1 - lat2).abs() / (nj - 1) as f64,
        None => 0.0,
    };
    if scan.j_positive() {
        jdir = -jdir;
    }
    let mut out = Vec::with_capacity(nj);
    let mut lat = lat1;
    for _ in 0..nj {
        out.push(lat);
        lat -= jdir;
    }
    if let Some(last) = out.last_mut() {
        *last = lat2;
    }
    out
}

/// ecCodes' `regular` iterator: the increment is derived from Lo1, Lo2 and Ni (wrapping
/// round the globe when Lo2 is not beyond Lo1 in the scanning direction).
fn regular_longitudes(lon1: f64, lon2: f64, ni: usize, scan: ScanMode) -> Vec<f64> {
    let mut idir = 0.0;
    let mut lon1 = lon1;
    if ni > 1 {
        let span = if scan.i_negative() {
            if lon1 > lon2 {
                lon1 - lon2
            } else {
                lon1 + 360.0 - lon2
            }
        } else if lon2 > lon1 {
            lon2 - lon1
        } else {
            lon2 + 360.0 - lon1
        };
        idir = span / (ni - 1) as f64;
    }
    if scan.i_negative() {
        idir = -idir;
    } else if ni >= 2 && lon1 + (ni as f64 - 2.0) * idir > 360.0 {
        lon1 -= 360.0;
    }
    let mut out = Vec::with_capacity(ni);
    let mut lon = lon1;
    for _ in 0..ni {
        out.push(lon);
        lon += idir;
    }
    if let Some(last) = out.last_mut() {
        *last = lon2;
    }
    out
}

/// The largest Gaussian N whose latitudes are computed: ECMWF's finest grids are N = 8000
/// (TCo7999). The roots cost O(N²) (N Newton solves of a degree-2N recurrence): N = 8192 takes
/// about a second, while the 65,536 allowed before made a fuzzed 26 KB GRIB1 file take minutes.
const MAX_GAUSSIAN_N: u64 = 8192;

/// Rows of a Gaussian grid: Nj consecutive Gaussian latitudes from the one nearest La1.
fn gaussian_rows(n: u64, lat1: f64, nj: usize, scan: ScanMode) -> Result<Vec<f64>> {
    if n > MAX_GAUSSIAN_N {
        return Err(Error::limit(format!(
            "a Gaussian grid of N = {} (vzarr computes Gaussian latitudes up to N = {})",
            n, MAX_GAUSSIAN_N
        )));
    }
    if n == 0 || nj as u64 > 2 * n {
        return Err(Error::corrupt(format!(
            "a Gaussian grid of N = {} cannot have {} rows",
            n, nj
        )));
    }
    let all = gaussian_latitudes(n as usize);
    let mut index = gaussian::nearest_index(&all, lat1);
    let mut out = Vec::with_capacity(nj);
    for _ in 0..nj {
        out.push(all[index]);
        if scan.j_positive() {
            index = if index == 0 { all.len() - 1 } else { index - 1 };
        } else {
            index = (index + 1) % all.len();
        }
    }
    Ok(out)
}

fn separable_or_rotated(
    lat: Vec<f64>,
    lon: Vec<f64>,
    rotation: &Option<Rotation>,
) -> SpatialCoords {
    let r = match rotation {
        None => return SpatialCoords::Separable { lat, lon },
        Some(r) => r,
    };
    let n = lat.len() * lon.len();
    let mut lats = Vec::with_capacity(n);
    let mut lons = Vec::with_capacity(n);
    for &la in &lat {
        for &lo in &lon {
            let (a, b) = unrotate(la, lo, r);
            lats.push(a);
            lons.push(b);
        }
    }
    SpatialCoords::PerPoint {
        lat: lats,
        lon: lons,
    }
}

/// ecCodes' `unrotate`: rotated-pole coordinates to geographic ones.
fn unrotate(lat: f64, lon: f64, r: &Rotation) -> (f64, f64) {
    let (latr, lonr) = (lat.to_radians(), lon.to_radians());
    let (xd, yd, zd) = (lonr.cos() * latr.cos(), lonr.sin() * latr.cos(), latr.sin());
    let t = (-(90.0 + r.south_pole_lat)).to_radians();
    let o = (-r.south_pole_lon).to_radians();
    let (sin_t, cos_t, sin_o, cos_o) = (t.sin(), t.cos(), o.sin(), o.cos());
    let x = cos_t * cos_o * xd + sin_o * yd + sin_t * cos_o * zd;
    let y = -cos_t * sin_o * xd + cos_o * yd - sin_t * sin_o * zd;
    let z = (-sin_t * xd + cos_t * zd).clamp(-1.0, 1.0);
    let out_lat = (z.asin().to_degrees() * 1e6).round() / 1e6;
    let out_lon = (y.atan2(x).to_degrees() * 1e6).round() / 1e6;
    (out_lat, out_lon - r.angle)
}

/// What [`reduced`] needs of a `GridKind::Reduced`.
struct ReducedRows<'a> {
    gaussian_n: Option<u64>,
    pl: &'a [u64],
    precision: f64,
    lat1: f64,
    lon1: f64,
    lat2: f64,
    lon2: f64,
}

/// Per-point coordinates of a reduced grid, global or a sub-area, row by row as
/// [`reduced::row_spans`] lays the points out. Without coordinates when the rows do not
/// account for the coded points (the field keeps its values axis).
fn reduced(
    g: ReducedRows,
    num_points: u64,
    scan: ScanMode,
    rotation: &Option<Rotation>,
) -> Result<SpatialCoords> {
    let nj = g.pl.len();
    let max_pl = g.pl.iter().copied().max().unwrap_or(0);
    if max_pl == 0 {
        return Ok(SpatialCoords::None);
    }
    let rows = match g.gaussian_n {
        Some(n) => gaussian_rows(n, g.lat1, nj, scan)?,
        None => regular_latitudes(g.lat1, g.lat2, None, nj, scan),
    };
    let spans = reduced::row_spans(g.gaussian_n.is_some(), g.pl, g.lon1, g.lon2, g.precision);
    let total = spans.iter().map(|&(n, _, _)| n).sum::<u64>();
    if total != num_points {
        return Ok(SpatialCoords::None);
    }
    let mut lat = Vec::with_capacity(total as usize);
    let mut lon = Vec::with_capacity(total as usize);
    for (row, &(count, first, step)) in rows.iter().zip(&spans) {
        for i in 0..count {
            let (la, lo) = (*row, first + i as f64 * step);
            let (la, lo) = match rotation {
                Some(r) => unrotate(la, lo, r),
                None => (la, lo),
            };
            lat.push(la);
            lon.push(lo);
        }
    }
    Ok(SpatialCoords::PerPoint { lat, lon })
}

fn projected(
    p: &dyn Projection,
    grid: &Projected,
    ni: usize,
    nj: usize,
    scan: ScanMode,
) -> SpatialCoords {
    let (x0, y0) = p.forward(grid.lat1, grid.lon1);
    let dx = if scan.i_negative() { -grid.dx } else { grid.dx };
    let dy = if scan.j_positive() { grid.dy } else { -grid.dy };
    let mut lat = Vec::with_capacity(ni * nj);
    let mut lon = Vec::with_capacity(ni * nj);
    for j in 0..nj {
        let y = y0 + j as f64 * dy;
        for i in 0..ni {
            let (a, b) = p.inverse(x0 + i as f64 * dx, y);
            lat.push(a);
            lon.push(b);
        }
    }
    SpatialCoords::PerPoint { lat, lon }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn gaussian_n_beyond_the_limit_is_refused_at_once() {
        // a fuzzed GRIB1 file declared N = 65,535: computing its latitudes took minutes
        let started = std::time::Instant::now();
        let err = gaussian_rows(65_535, 89.0, 4, ScanMode(0)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceeded);
        assert!(started.elapsed().as_secs() < 1);
        // a large operational grid (N = 2560, TCo2559) still works
        assert_eq!(gaussian_rows(2560, 89.99, 2, ScanMode(0)).unwrap().len(), 2);
    }
}
