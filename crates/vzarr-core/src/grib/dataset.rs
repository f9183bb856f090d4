//! Turning grouped fields into the scanner's output: groups, dimensions, coordinate
//! variables (with their values) and data variables (with chunk manifests).
//!
//! Layout: one group per `typeOfLevel`, holding one sub-group per step type / variant
//! (see [`grouping`](super::grouping)). Axes with a single value (one reference time,
//! one step, one level, one member) are not dimensions; they become scalar coordinates,
//! as in cfgrib. Every GRIB field is one chunk referencing its message.

use crate::error::{Error, Result};
use crate::grib::attributes::{level_attrs, variable_attrs};
use crate::grib::coords::{coordinates, projected_axes, ProjectedAxes, SpatialCoords};
use crate::grib::field::Field;
use crate::grib::grid::{Axes as SpatialAxes, Grid};
use crate::grib::grouping::{Group, Variable};
use crate::json::Json;
use crate::load::LoadedValues;
use crate::manifest::ChunkManifest;
use crate::scan::{ScanOptions, ScannedGroup, ScannedVariable};

/// The array→bytes codec of every GRIB data variable.
pub(crate) fn grib_codec() -> Json {
    Json::object(vec![
        ("name", Json::from(super::CODEC_NAME)),
        ("configuration", Json::Object(Vec::new())),
    ])
}

fn little_endian_bytes() -> Json {
    Json::object(vec![
        ("name", Json::from("bytes")),
        (
            "configuration",
            Json::object(vec![("endian", Json::from("little"))]),
        ),
    ])
}

const TIME_UNITS: &str = "seconds since 1970-01-01T00:00:00";

/// Per-point latitude/longitude values given per file, over all groups: as JSON values they
/// cost ~40 bytes a point in the core and as much again parsed in the host, so they travel as
/// loaded little-endian bytes instead (`coordinate_f64`), 8 bytes a value (the HRDPS 2.5 km grid has 3.3 million points; a file of NBM
/// probability fields repeats a 3.7-million-point grid in six groups, which would be 900 MB).
/// Groups past the budget get none, and say so in `GRIB_coordinatesOmitted`.
pub(crate) const MAX_POINT_COORDINATES: u64 = 1 << 22;

fn attr(name: &str, value: Json) -> (String, Json) {
    (name.to_string(), value)
}

/// A coordinate variable whose values are given (nothing to reference in the file).
fn coordinate(
    name: &str,
    dims: Vec<String>,
    shape: Vec<u64>,
    dtype: &str,
    values: Vec<Json>,
    attrs: Vec<(String, Json)>,
) -> ScannedVariable {
    ScannedVariable {
        name: name.to_string(),
        dims,
        chunks: shape.clone(),
        shape,
        dtype: dtype.to_string(),
        codecs: vec![little_endian_bytes()],
        fill_value: Json::Null,
        attrs,
        manifest: None,
        values: Some(Json::Array(values)),
        loaded: None,
    }
}

/// Projected grids above this many points get 1-D `x`/`y` and a CF grid mapping instead of
/// 2-D latitude/longitude (16 bytes a point that barely compress: 30 MB for HRRR's 1.9 M
/// points, in every reference set written). Smaller ones keep latitude/longitude, as cfgrib.
pub(crate) const MAX_POINT_LATLON: u64 = 1 << 20;

/// The CF grid-mapping variable of projected grids (named as rioxarray and vzarr's TIFF do).
const GRID_MAPPING: &str = "spatial_ref";

/// `x`, `y` and `spatial_ref` for a projected grid whose latitude/longitude are left to be
/// computed (see [`MAX_POINT_LATLON`]).
fn push_projected_axes(
    out: &mut ScannedGroup,
    axes: ProjectedAxes,
    points: u64,
    extra_coords: &mut Vec<String>,
) {
    for (name, values, standard_name, axis) in [
        ("y", &axes.y, "projection_y_coordinate", "Y"),
        ("x", &axes.x, "projection_x_coordinate", "X"),
    ] {
        out.variables.push(coordinate_f64(
            name,
            vec![name.into()],
            vec![values.len() as u64],
            values,
            vec![
                attr("standard_name", Json::from(standard_name)),
                attr("units", Json::from("m")),
                attr("axis", Json::from(axis)),
            ],
        ));
    }
    out.variables.push(coordinate(
        GRID_MAPPING,
        Vec::new(),
        Vec::new(),
        "<i8",
        vec![Json::Int(0)],
        axes.mapping,
    ));
    extra_coords.push(GRID_MAPPING.into());
    let why = format!(
        "a {}-point projected grid: latitude/longitude are computable from x, y and the CF grid \
         mapping spatial_ref (pyproj.CRS.from_cf(ds.spatial_ref.attrs)) instead of stored",
        points
    );
    out.attrs
        .push(attr("GRIB_coordinatesComputable", Json::from(why.as_str())));
}

/// A float64 coordinate computed from the grid, as little-endian bytes: latitude/longitude
/// of a projected grid have millions of points, which as JSON numbers cost ~20 bytes each
/// to write and parse on both sides of the binding (a 1.9 M-point HRRR grid took seconds).
fn coordinate_f64(
    name: &str,
    dims: Vec<String>,
    shape: Vec<u64>,
    values: &[f64],
    attrs: Vec<(String, Json)>,
) -> ScannedVariable {
    let mut bytes = Vec::with_capacity(values.len() * 8);
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    ScannedVariable {
        name: name.to_string(),
        dims,
        chunks: shape.clone(),
        shape,
        dtype: "<f8".to_string(),
        codecs: vec![little_endian_bytes()],
        fill_value: Json::Null,
        attrs,
        manifest: None,
        values: None,
        loaded: Some(LoadedValues {
            dtype: "<f8".to_string(),
            bytes,
        }),
    }
}

/// One non-spatial axis of a group: name, values, dtype, attributes.
struct Axis {
    name: String,
    values: Vec<Json>,
    dtype: &'static str,
    attrs: Vec<(String, Json)>,
}

fn axes(group: &Group) -> Vec<Axis> {
    let a = &group.axes;
    let mut out = Vec::new();
    if let Some(numbers) = &a.numbers {
        out.push(Axis {
            name: "number".into(),
            values: numbers.iter().map(|&n| Json::Int(n)).collect(),
            dtype: "<i8",
            attrs: vec![
                attr("long_name", Json::from("ensemble member numerical id")),
                attr("units", Json::from("1")),
                attr("standard_name", Json::from("realization")),
            ],
        });
    }
    out.push(Axis {
        name: "time".into(),
        values: a.times.iter().map(|&t| Json::Int(t)).collect(),
        dtype: "<i8",
        attrs: vec![
            attr("long_name", Json::from("initial time of forecast")),
            attr("standard_name", Json::from("forecast_reference_time")),
            attr("units", Json::from(TIME_UNITS)),
            attr("calendar", Json::from("proleptic_gregorian")),
        ],
    });
    out.push(Axis {
        name: "step".into(),
        values: a
            .steps
            .iter()
            .map(|&s| Json::Number(s as f64 / 3600.0))
            .collect(),
        dtype: "<f8",
        attrs: vec![
            attr(
                "long_name",
                Json::from("time since forecast_reference_time"),
            ),
            attr("standard_name", Json::from("forecast_period")),
            attr("units", Json::from("hours")),
        ],
    });
    out.push(Axis {
        name: group.level_type.to_string(),
        values: a.levels.iter().map(|&l| Json::Number(l)).collect(),
        dtype: "<f8",
        attrs: level_attrs(group.level_type),
    });
    out
}

fn position<T: PartialEq>(values: &[T], v: &T) -> Result<u64> {
    values
        .iter()
        .position(|x| x == v)
        .map(|p| p as u64)
        .ok_or_else(|| Error::invalid("a field's coordinate is not on its variable's axis"))
}

/// Builds the whole group tree.
pub(crate) fn build(
    fields: &[Field],
    grids: &[Grid],
    groups: &[Group],
    url: &str,
    options: &ScanOptions,
) -> Result<ScannedGroup> {
    let mut root = ScannedGroup {
        attrs: vec![attr("Conventions", Json::from("CF-1.7"))],
        ..ScannedGroup::default()
    };
    let mut point_budget = MAX_POINT_COORDINATES;
    let wanted = options.group.trim_matches('/');
    for group in groups {
        let path = group.path();
        if !wanted.is_empty()
            && path != wanted
            && !path.starts_with(&format!("{}/", wanted))
            && group.level_type != wanted
        {
            continue;
        }
        let built = build_group(fields, grids, group, url, options, &mut point_budget)?;
        match root.groups.iter_mut().find(|g| g.name == group.level_type) {
            Some(parent) => parent.groups.push(built),
            None => root.groups.push(ScannedGroup {
                name: group.level_type.to_string(),
                groups: vec![built],
                ..ScannedGroup::default()
            }),
        }
    }
    if wanted.is_empty() {
        return Ok(root);
    }
    // As for HDF5: the group asked for becomes the root. None matched: name them all.
    if root.groups.is_empty() {
        let mut all: Vec<String> = Vec::new();
        for g in groups {
            for p in [g.level_type.to_string(), g.path()] {
                if !all.contains(&p) {
                    all.push(p);
                }
            }
        }
        return Err(Error::not_found(format!(
            "no group {:?} in the GRIB file; groups: {}",
            wanted,
            all.join(", ")
        )));
    }
    let mut attrs = root.attrs.clone();
    let mut sub = root.into_subgroup(wanted, "GRIB")?;
    // The level-type group holds no attributes of its own: keep the file's.
    if sub.attrs.is_empty() {
        sub.attrs.append(&mut attrs);
    }
    Ok(sub)
}

fn dropped(options: &ScanOptions, path: &str, name: &str) -> bool {
    options
        .drop_variables
        .iter()
        .any(|d| d == name || d == path || d.trim_start_matches('/') == path)
}

fn build_group(
    fields: &[Field],
    grids: &[Grid],
    group: &Group,
    url: &str,
    options: &ScanOptions,
    point_budget: &mut u64,
) -> Result<ScannedGroup> {
    let grid = grids
        .get(group.grid)
        .ok_or_else(|| Error::invalid("a group refers to an unknown grid"))?;
    let first = &fields[group.variables[0].first];
    let mut out = ScannedGroup {
        name: group.name.clone(),
        attrs: vec![
            attr("GRIB_edition", Json::UInt(u64::from(first.edition))),
            attr("GRIB_centre", Json::UInt(u64::from(first.centre))),
            attr("GRIB_subCentre", Json::UInt(u64::from(first.subcentre))),
            attr("GRIB_typeOfLevel", Json::from(group.level_type)),
            attr("GRIB_stepType", Json::from(group.step_type)),
            attr("GRIB_gridType", Json::from(grid.grid_type)),
            attr("Conventions", Json::from("CF-1.7")),
        ],
        ..ScannedGroup::default()
    };
    if let Some(v) = &group.variant {
        out.attrs
            .push(attr("GRIB_productVariant", Json::from(v.as_str())));
    }

    // Non-spatial axes: dimensions when they have several values, scalars otherwise.
    let axes = axes(group);
    let mut dims: Vec<(String, u64)> = Vec::new();
    let mut scalar_coords: Vec<String> = Vec::new();
    for a in &axes {
        let n = a.values.len() as u64;
        let (vdims, shape) = if n > 1 {
            dims.push((a.name.clone(), n));
            (vec![a.name.clone()], vec![n])
        } else {
            scalar_coords.push(a.name.clone());
            (Vec::new(), Vec::new())
        };
        out.variables.push(coordinate(
            &a.name,
            vdims,
            shape,
            a.dtype,
            a.values.clone(),
            a.attrs.clone(),
        ));
    }
    let valid_time = valid_time(group, &dims);
    if valid_time.dims.is_empty() {
        scalar_coords.push("valid_time".into());
    }
    let mut extra_coords: Vec<String> = scalar_coords;
    if !valid_time.dims.is_empty() {
        extra_coords.push("valid_time".into());
    }
    out.variables.push(valid_time);

    // Spatial axes and latitude/longitude.
    let spatial = grid.axes();
    let spatial_names: Vec<String> = spatial.names().iter().map(|s| s.to_string()).collect();
    for (name, size) in spatial_names.iter().zip(spatial.shape()) {
        dims.push((name.clone(), size));
    }
    let lat_attrs = vec![
        attr("units", Json::from("degrees_north")),
        attr("standard_name", Json::from("latitude")),
        attr("long_name", Json::from("latitude")),
    ];
    let lon_attrs = vec![
        attr("units", Json::from("degrees_east")),
        attr("standard_name", Json::from("longitude")),
        attr("long_name", Json::from("longitude")),
    ];
    let per_point = !matches!(spatial, SpatialAxes::LatLon { .. });
    let computable = if per_point && grid.num_points > MAX_POINT_LATLON {
        projected_axes(grid)
    } else {
        None
    };
    let coords = if let Some(axes) = computable {
        push_projected_axes(&mut out, axes, grid.num_points, &mut extra_coords);
        SpatialCoords::None
    } else if per_point && grid.num_points > *point_budget {
        let why = if grid.num_points > MAX_POINT_COORDINATES {
            format!(
                "a {}-point grid is too large for per-point latitude/longitude values",
                grid.num_points
            )
        } else {
            format!(
                "per-point latitude/longitude values are given for at most {} points per \
                 file, and groups before this one used them",
                MAX_POINT_COORDINATES
            )
        };
        out.attrs
            .push(attr("GRIB_coordinatesOmitted", Json::from(why.as_str())));
        SpatialCoords::None
    } else {
        if per_point {
            *point_budget -= grid.num_points;
        }
        coordinates(grid)?
    };
    match coords {
        SpatialCoords::Separable { lat, lon } => {
            if let SpatialAxes::LatLon { ny, nx } = spatial {
                out.variables.push(coordinate_f64(
                    "latitude",
                    vec!["latitude".into()],
                    vec![ny],
                    &lat,
                    lat_attrs,
                ));
                out.variables.push(coordinate_f64(
                    "longitude",
                    vec!["longitude".into()],
                    vec![nx],
                    &lon,
                    lon_attrs,
                ));
            }
        }
        SpatialCoords::PerPoint { lat, lon } => {
            let shape = spatial.shape();
            out.variables.push(coordinate_f64(
                "latitude",
                spatial_names.clone(),
                shape.clone(),
                &lat,
                lat_attrs,
            ));
            out.variables.push(coordinate_f64(
                "longitude",
                spatial_names.clone(),
                shape,
                &lon,
                lon_attrs,
            ));
            extra_coords.push("latitude".into());
            extra_coords.push("longitude".into());
        }
        SpatialCoords::None => {}
    }

    let grid_mapping = extra_coords.iter().any(|c| c == GRID_MAPPING);
    for var in &group.variables {
        let path = format!("{}/{}", group.path(), var.name);
        if dropped(options, &path, var.name) {
            continue;
        }
        let mut v = data_variable(fields, grid, group, var, &dims, &extra_coords, url)?;
        if grid_mapping {
            v.attrs.push(attr("grid_mapping", Json::from(GRID_MAPPING)));
        }
        out.variables.push(v);
    }
    out.dims = dims;
    Ok(out)
}

fn valid_time(group: &Group, dims: &[(String, u64)]) -> ScannedVariable {
    let a = &group.axes;
    let has = |n: &str| dims.iter().any(|(d, _)| d == n);
    let mut vdims = Vec::new();
    let mut shape = Vec::new();
    if has("time") {
        vdims.push("time".to_string());
        shape.push(a.times.len() as u64);
    }
    if has("step") {
        vdims.push("step".to_string());
        shape.push(a.steps.len() as u64);
    }
    let mut values = Vec::with_capacity(a.times.len() * a.steps.len());
    for &t in &a.times {
        for &s in &a.steps {
            values.push(Json::Int(t + s));
        }
    }
    coordinate(
        "valid_time",
        vdims,
        shape,
        "<i8",
        values,
        vec![
            attr("long_name", Json::from("time")),
            attr("standard_name", Json::from("time")),
            attr("units", Json::from(TIME_UNITS)),
            attr("calendar", Json::from("proleptic_gregorian")),
        ],
    )
}

fn data_variable(
    fields: &[Field],
    grid: &Grid,
    group: &Group,
    var: &Variable,
    dims: &[(String, u64)],
    extra_coords: &[String],
    url: &str,
) -> Result<ScannedVariable> {
    let spatial_rank = grid.axes().shape().len();
    let shape: Vec<u64> = dims.iter().map(|(_, n)| *n).collect();
    let outer = dims.len() - spatial_rank;
    let mut chunks = vec![1u64; outer];
    chunks.extend_from_slice(&shape[outer..]);
    let mut grid_shape = shape[..outer].to_vec();
    grid_shape.extend(std::iter::repeat_n(1, spatial_rank));
    let mut manifest = ChunkManifest::empty(&grid_shape)?;
    let a = &group.axes;
    for &index in &var.fields {
        let f = &fields[index];
        let mut coords: Vec<u64> = Vec::with_capacity(grid_shape.len());
        for (name, _) in &dims[..outer] {
            coords.push(match name.as_str() {
                "number" => position(a.numbers.as_deref().unwrap_or(&[]), &f.number.unwrap_or(0))?,
                "time" => position(&a.times, &f.reference_time)?,
                "step" => position(&a.steps, &f.step)?,
                _ => position(&a.levels, &f.level)?,
            });
        }
        coords.extend(std::iter::repeat_n(0, spatial_rank));
        let flat = crate::manifest::ravel(&coords, &grid_shape)? as usize;
        manifest.set_ref(flat, url, f.message_offset, f.chunk_length)?;
    }
    let first = &fields[var.first];
    Ok(ScannedVariable {
        name: var.name.to_string(),
        dims: dims.iter().map(|(n, _)| n.clone()).collect(),
        shape,
        chunks,
        dtype: "<f8".into(),
        codecs: vec![grib_codec()],
        fill_value: Json::from("NaN"),
        attrs: variable_attrs(first, grid, group, extra_coords),
        manifest: Some(manifest),
        values: None,
        loaded: None,
    })
}
