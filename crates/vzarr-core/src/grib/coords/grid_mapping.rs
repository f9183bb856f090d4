//! Projected grids as CF describes them: 1-D `x`/`y` projection coordinates (metres) and a
//! grid-mapping variable's attributes, from which any CF reader (pyproj's `CRS.from_cf`,
//! cartopy, rioxarray) computes latitude and longitude. Large projected grids get these
//! instead of 2-D latitude/longitude: an HRRR grid's 1.9 M points would otherwise be 30 MB
//! of float64 coordinates (barely compressible) in every reference set.
//!
//! The parameters mirror [`super::projection`]: its forward projections put x = 0 on the
//! central meridian and y = 0 on the origin latitude, with no false easting or northing.

use super::projection::{self, Projection};
use crate::grib::grid::{Earth, Grid, GridKind, Projected, ScanMode};
use crate::json::Json;

pub(crate) struct ProjectedAxes {
    /// Projection x of each column, in the order the codec returns points along a row.
    pub x: Vec<f64>,
    /// Projection y of each row.
    pub y: Vec<f64>,
    /// CF grid-mapping attributes (`grid_mapping_name`, parallels, meridian, earth shape).
    pub mapping: Vec<(String, Json)>,
}

fn attr(name: &str, value: Json) -> (String, Json) {
    (name.to_string(), value)
}

/// `None` for grids that are not projections (lat/lon, Gaussian, reduced, unstructured).
pub(crate) fn projected_axes(grid: &Grid) -> Option<ProjectedAxes> {
    let (ni, nj) = grid.ni_nj?;
    let (p, mapping): (&Projected, Vec<(String, Json)>) = match &grid.kind {
        GridKind::Lambert(p) => (
            p,
            vec![
                attr("grid_mapping_name", Json::from("lambert_conformal_conic")),
                attr(
                    "standard_parallel",
                    Json::Array(vec![Json::Number(p.latin1), Json::Number(p.latin2)]),
                ),
                attr("longitude_of_central_meridian", Json::Number(p.lon_v)),
                attr("latitude_of_projection_origin", Json::Number(p.lat_d)),
            ],
        ),
        GridKind::PolarStereographic(p) => (
            p,
            vec![
                attr("grid_mapping_name", Json::from("polar_stereographic")),
                attr(
                    "straight_vertical_longitude_from_pole",
                    Json::Number(p.lon_v),
                ),
                attr(
                    "latitude_of_projection_origin",
                    Json::Number(if p.south_pole_centre { -90.0 } else { 90.0 }),
                ),
                attr("standard_parallel", Json::Number(p.lat_d)),
            ],
        ),
        GridKind::Mercator { proj, .. } => (
            proj,
            vec![
                attr("grid_mapping_name", Json::from("mercator")),
                attr("longitude_of_projection_origin", Json::Number(proj.lon1)),
                attr("standard_parallel", Json::Number(proj.lat_d)),
            ],
        ),
        _ => return None,
    };
    let forward: Box<dyn Projection> = match &grid.kind {
        GridKind::Lambert(p) => Box::new(projection::Lambert::new(p, grid.earth)),
        GridKind::PolarStereographic(p) => {
            Box::new(projection::PolarStereographic::new(p, grid.earth))
        }
        GridKind::Mercator { proj, .. } => Box::new(projection::Mercator::new(proj, grid.earth)),
        _ => return None,
    };
    let mut mapping = mapping;
    mapping.extend([
        attr("false_easting", Json::Number(0.0)),
        attr("false_northing", Json::Number(0.0)),
    ]);
    match grid.earth {
        Earth::Sphere { radius } => mapping.push(attr("earth_radius", Json::Number(radius))),
        Earth::Oblate { major, minor } => {
            mapping.push(attr("semi_major_axis", Json::Number(major)));
            mapping.push(attr("semi_minor_axis", Json::Number(minor)));
        }
    }
    let (x, y) = axes(forward.as_ref(), p, ni as usize, nj as usize, grid.scan);
    Some(ProjectedAxes { x, y, mapping })
}

/// The same x/y steps `super::projected` inverts point by point.
fn axes(
    p: &dyn Projection,
    grid: &Projected,
    ni: usize,
    nj: usize,
    scan: ScanMode,
) -> (Vec<f64>, Vec<f64>) {
    let (x0, y0) = p.forward(grid.lat1, grid.lon1);
    let dx = if scan.i_negative() { -grid.dx } else { grid.dx };
    let dy = if scan.j_positive() { grid.dy } else { -grid.dy };
    let x = (0..ni).map(|i| x0 + i as f64 * dx).collect();
    let y = (0..nj).map(|j| y0 + j as f64 * dy).collect();
    (x, y)
}
