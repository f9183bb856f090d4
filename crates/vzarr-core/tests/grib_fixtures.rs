//! GRIB fixtures written by ecCodes (`test/fixtures/gen_grib.py`) against the oracle the
//! same script recorded: message offsets and lengths, the variable each message lands in
//! and its coordinates there, decoded values, and latitude/longitude of grid points.

mod grib_common;

use grib_common::*;
use std::collections::BTreeMap;
use vzarr_core::json::Json;
use vzarr_core::scan::{ScannedFile, ScannedVariable};
use vzarr_core::{ChunkEntry, ErrorKind};

/// Every file of oracle.json: `(name, messages)`.
fn all_entries() -> Vec<(String, Vec<Json>)> {
    let o = read_json(&repo_path("test/fixtures/grib/oracle.json"));
    match o.get("files") {
        Some(Json::Object(files)) => files
            .iter()
            .map(|(k, v)| (k.clone(), v.as_array().unwrap().to_vec()))
            .collect(),
        _ => panic!("oracle.json has no files"),
    }
}

/// The generated fixtures, fully described per message. Files under `external/` (other
/// producers' packings ecCodes cannot write) carry sums only: `external_files_match_ecCodes`.
fn oracle() -> Vec<(String, Vec<Json>)> {
    all_entries()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("external/"))
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_path(&format!("test/fixtures/grib/{}", name))).unwrap()
}

fn num(m: &Json, key: &str) -> Option<f64> {
    m.get(key).and_then(Json::as_f64)
}

/// One chunk: where it sits in its variable.
struct Chunk<'a> {
    path: String,
    var: &'a ScannedVariable,
    group: String,
    offset: u64,
    length: u64,
    /// Chunk-grid coordinates.
    coords: Vec<u64>,
}

fn chunks(file: &ScannedFile) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    for (path, var) in variables(file) {
        let m = match &var.manifest {
            Some(m) => m,
            None => continue,
        };
        let group = path
            .rsplit_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        for (i, e) in m.iter().enumerate() {
            if let ChunkEntry::Ref { offset, length, .. } = e {
                out.push(Chunk {
                    path: path.clone(),
                    var,
                    group: group.clone(),
                    offset,
                    length,
                    coords: vzarr_core::manifest::unravel(i as u64, m.shape()),
                });
            }
        }
    }
    out.sort_by_key(|c| (c.offset, c.length));
    out
}

/// The value of coordinate `name` for a chunk: indexed by the chunk position when `name`
/// is one of the variable's dimensions, else the group's scalar coordinate.
fn coordinate(file: &ScannedFile, chunk: &Chunk, name: &str) -> Option<f64> {
    let vars = variables(file);
    let coord = vars
        .iter()
        .find(|(p, _)| *p == format!("{}/{}", chunk.group, name))?
        .1;
    let values = coord.values.as_ref()?.as_array()?;
    let index = match chunk.var.dims.iter().position(|d| d == name) {
        Some(axis) => chunk.coords[axis] as usize,
        None => {
            assert!(
                coord.shape.is_empty(),
                "{} is neither a dimension nor a scalar",
                name
            );
            0
        }
    };
    values.get(index)?.as_f64()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// Packing precision: half the packing resolution 2^E·10^-D, or 1e-6 relative.
fn tolerance(m: &Json, expected: f64) -> f64 {
    (num(m, "resolution").unwrap_or(0.0) / 2.0).max(1e-6 * expected.abs())
}

fn check_values(name: &str, m: &Json, values: &[f64]) {
    let at = m.get("offset").unwrap().as_u64().unwrap();
    assert_eq!(
        values.len() as f64,
        num(m, "numberOfPoints").unwrap(),
        "{} at {}",
        name,
        at
    );
    let (sum, min, max, missing) = stats(values);
    assert_eq!(
        missing as f64,
        num(m, "n_missing").unwrap(),
        "{} at {}: missing",
        name,
        at
    );
    let t_sum = num(m, "sum").unwrap();
    let present = values.len() - missing;
    let tol = tolerance(m, t_sum / present.max(1) as f64) * present as f64;
    assert!(
        close(sum, t_sum, tol.max(1e-9 * t_sum.abs())),
        "{} at {}: sum {} vs {}",
        name,
        at,
        sum,
        t_sum
    );
    if let (Some(t_min), Some(t_max)) = (num(m, "min"), num(m, "max")) {
        assert!(
            close(min, t_min, tolerance(m, t_min)),
            "{} at {}: min {} vs {}",
            name,
            at,
            min,
            t_min
        );
        assert!(
            close(max, t_max, tolerance(m, t_max)),
            "{} at {}: max {} vs {}",
            name,
            at,
            max,
            t_max
        );
    }
    let index = m.get("sample_index").unwrap().as_array().unwrap();
    let expected = m.get("sample_values").unwrap().as_array().unwrap();
    // ecCodes' order is the stored order; vzarr's is row-major (j, i), which differs only
    // for j-consecutive and boustrophedonic scanning (checked separately).
    let scan = num(m, "scanningMode").unwrap_or(0.0) as u32;
    if scan & 0x30 != 0 {
        return;
    }
    for (i, e) in index.iter().zip(expected) {
        let i = i.as_u64().unwrap() as usize;
        match e.as_f64() {
            None => assert!(
                values[i].is_nan(),
                "{} at {}: value {} should be missing",
                name,
                at,
                i
            ),
            Some(e) => assert!(
                close(values[i], e, tolerance(m, e)),
                "{} at {}: value {}: {} vs {}",
                name,
                at,
                i,
                values[i],
                e
            ),
        }
    }
}

#[test]
fn messages_land_in_the_right_variables_at_the_right_coordinates() {
    let mut messages_checked = 0;
    for (name, messages) in oracle() {
        let bytes = fixture(&name);
        let (file, _, _) = scan(&name, &bytes).unwrap_or_else(|e| panic!("{}: {}", name, e));
        let chunks = chunks(&file);
        assert_eq!(
            chunks.len(),
            messages.len(),
            "{}: one chunk per field",
            name
        );
        let multi_field = name.starts_with("multifield");
        for (m, c) in messages.iter().zip(&chunks) {
            let offset = m.get("offset").unwrap().as_u64().unwrap();
            assert_eq!(c.offset, offset, "{}", name);
            if !multi_field {
                assert_eq!(
                    c.length,
                    m.get("length").unwrap().as_u64().unwrap(),
                    "{}",
                    name
                );
            }
            let short = m.get("shortName").unwrap().as_str().unwrap();
            // Satellite products (4.31) have no level nor step in ecCodes; vzarr files them
            // under `unknown` at step 0 with no level coordinate.
            let level_type = m
                .get("typeOfLevel")
                .and_then(Json::as_str)
                .unwrap_or("unknown");
            let step_type = m.get("stepType").unwrap().as_str().unwrap();
            assert!(
                c.path.ends_with(&format!("/{}", short)),
                "{}: {} for {}",
                name,
                c.path,
                short
            );
            assert!(
                c.path.starts_with(&format!("{}/{}", level_type, step_type)),
                "{}: {}",
                name,
                c.path
            );
            let attr = |k: &str| {
                c.var
                    .attrs
                    .iter()
                    .find(|(a, _)| a == k)
                    .map(|(_, v)| v.clone())
            };
            assert_eq!(
                attr("GRIB_paramId").and_then(|v| v.as_f64()),
                num(m, "paramId"),
                "{}",
                name
            );
            assert_eq!(
                attr("GRIB_gridType").unwrap().as_str(),
                m.get("gridType").unwrap().as_str(),
                "{}",
                name
            );
            // Coordinates of the chunk = ecCodes' keys of its message.
            assert_eq!(
                coordinate(&file, c, "time"),
                num(m, "time"),
                "{} at {}: time",
                name,
                offset
            );
            assert_eq!(
                coordinate(&file, c, "step"),
                num(m, "endStep_hours").or(Some(0.0)),
                "{} at {}: step",
                name,
                offset
            );
            if num(m, "level").is_some() {
                assert_eq!(
                    coordinate(&file, c, level_type),
                    num(m, "level"),
                    "{} at {}: level",
                    name,
                    offset
                );
            }
            if let Some(n) = num(m, "number") {
                assert_eq!(
                    coordinate(&file, c, "number"),
                    Some(n),
                    "{} at {}: number",
                    name,
                    offset
                );
            }
            messages_checked += 1;
        }
    }
    assert!(messages_checked > 150);
}

#[test]
fn decoded_values_match_eccodes() {
    for (name, messages) in oracle() {
        let bytes = fixture(&name);
        let (file, _, _) = scan(&name, &bytes).unwrap();
        for (m, c) in messages.iter().zip(chunks(&file)) {
            let chunk = &bytes[c.offset as usize..(c.offset + c.length) as usize];
            let result = decode_chunk(c.var, chunk);
            if m.get("packingType").unwrap().as_str() == Some("grid_jpeg") {
                // The codestream is decoded by the host (OpenJPEG in TypeScript); the core
                // alone only handles constant fields, which have no codestream.
                match result {
                    Ok(values) => check_values(&name, m, &values),
                    Err(e) => assert_eq!(e.kind, ErrorKind::UnsupportedFeature),
                }
                continue;
            }
            let values = result.unwrap_or_else(|e| panic!("{} at {}: {}", name, c.offset, e));
            check_values(&name, m, &values);
            if let Some(expected) = m.get("normalised_values").and_then(Json::as_array) {
                let expected: Vec<f64> = expected.iter().map(|v| v.as_f64().unwrap()).collect();
                assert_eq!(values, expected, "{}: boustrophedonic rows", name);
            }
        }
    }
}

/// Latitude and longitude of each point as vzarr lays them out (row-major (j, i)).
fn point_coordinates(
    file: &ScannedFile,
    group: &str,
    points: usize,
) -> Option<(Vec<f64>, Vec<f64>)> {
    let vars = variables(file);
    let get = |n: &str| -> Option<(Vec<f64>, Vec<u64>)> {
        let v = vars
            .iter()
            .find(|(p, _)| *p == format!("{}/{}", group, n))?
            .1;
        // per-point coordinates come as loaded little-endian f64 bytes, the rest as JSON
        let values = match (&v.loaded, &v.values) {
            (Some(loaded), _) => loaded
                .bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
                .collect(),
            (None, Some(values)) => values
                .as_array()?
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect(),
            (None, None) => return None,
        };
        Some((values, v.shape.clone()))
    };
    let (lat, lat_shape) = get("latitude")?;
    let (lon, _) = get("longitude")?;
    if lat.len() == points {
        return Some((lat, lon));
    }
    // 1-D axes: expand to the (latitude, longitude) product.
    assert_eq!(lat_shape.len(), 1);
    let mut lats = Vec::with_capacity(points);
    let mut lons = Vec::with_capacity(points);
    for &a in &lat {
        for &b in &lon {
            lats.push(a);
            lons.push(b);
        }
    }
    Some((lats, lons))
}

fn same_longitude(a: f64, b: f64, tol: f64) -> bool {
    let d = (a - b).rem_euclid(360.0);
    d <= tol || 360.0 - d <= tol
}

/// For a message whose oracle lists coordinates and values (small grids): every point
/// ecCodes gives must be found, at the same latitude and longitude, with the same value.
/// False when the oracle has no coordinates for it.
fn points_agree(name: &str, m: &Json, file: &ScannedFile, c: &Chunk, bytes: &[u8]) -> bool {
    let points = num(m, "numberOfPoints").unwrap() as usize;
    if num(m, "scanningMode").unwrap_or(0.0) as u32 & 0x10 != 0 {
        // ecCodes' coordinates ignore boustrophedonic rows; checked by value order.
        return false;
    }
    let (e_lat, e_lon, e_val): (Vec<f64>, Vec<f64>, Vec<Option<f64>>) = match (
        m.get("latitudes").and_then(Json::as_array),
        m.get("longitudes").and_then(Json::as_array),
        m.get("values").and_then(Json::as_array),
    ) {
        (Some(a), Some(b), Some(v)) => (
            a.iter().map(|x| x.as_f64().unwrap()).collect(),
            b.iter().map(|x| x.as_f64().unwrap()).collect(),
            v.iter().map(Json::as_f64).collect(),
        ),
        _ => return false,
    };
    let (lat, lon) = point_coordinates(file, &c.group, points)
        .unwrap_or_else(|| panic!("{}: {} has no coordinates", name, c.group));
    let chunk = &bytes[c.offset as usize..(c.offset + c.length) as usize];
    let values = decode_chunk(c.var, chunk).unwrap();
    // Match points by position on the globe: whatever the scanning mode, each
    // (latitude, longitude) must carry the value ecCodes gives it.
    let tol = 2e-5;
    for k in 0..points {
        let found = (0..points)
            .find(|&q| close(lat[q], e_lat[k], tol) && same_longitude(lon[q], e_lon[k], tol));
        let q = found.unwrap_or_else(|| {
            panic!(
                "{} at {}: no point at ({}, {})",
                name, c.offset, e_lat[k], e_lon[k]
            )
        });
        match e_val[k] {
            None => assert!(values[q].is_nan()),
            Some(e) => assert!(
                close(values[q], e, tolerance(m, e)),
                "{}: point {}",
                name,
                k
            ),
        }
    }
    true
}

#[test]
fn coordinates_and_values_agree_point_by_point() {
    let mut compared = 0;
    for (name, messages) in oracle() {
        let bytes = fixture(&name);
        let (file, _, _) = scan(&name, &bytes).unwrap();
        for (m, c) in messages.iter().zip(chunks(&file)) {
            if points_agree(&name, m, &file, &c, &bytes) {
                compared += 1;
            }
        }
    }
    assert!(
        compared >= 12,
        "only {} fields compared point by point",
        compared
    );
}

#[test]
fn sampled_coordinates_of_large_grids_match() {
    for (name, messages) in oracle() {
        let bytes = fixture(&name);
        let (file, _, _) = scan(&name, &bytes).unwrap();
        for (m, c) in messages.iter().zip(chunks(&file)) {
            let (lats, lons) = match (m.get("sample_latitudes"), m.get("sample_longitudes")) {
                (Some(a), Some(b)) => (a.as_array().unwrap(), b.as_array().unwrap()),
                _ => continue,
            };
            let points = num(m, "numberOfPoints").unwrap() as usize;
            let (lat, lon) = point_coordinates(&file, &c.group, points).unwrap();
            for ((i, a), b) in m
                .get("sample_index")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .zip(lats)
                .zip(lons)
            {
                let i = i.as_u64().unwrap() as usize;
                assert!(
                    close(lat[i], a.as_f64().unwrap(), 1e-6),
                    "{}: latitude {}",
                    name,
                    i
                );
                assert!(
                    same_longitude(lon[i], b.as_f64().unwrap(), 1e-6),
                    "{}: longitude {}",
                    name,
                    i
                );
            }
        }
    }
}

#[test]
fn unstructured_and_reduced_grids_use_a_values_axis() {
    let bytes = fixture("unstructured.grib2");
    let (file, _, _) = scan("u", &bytes).unwrap();
    let vars: BTreeMap<String, &ScannedVariable> = variables(&file).into_iter().collect();
    assert_eq!(vars["surface/instant/t"].dims, ["values"]);
    assert!(!vars.contains_key("surface/instant/latitude"));
    let bytes = fixture("grids.grib2");
    let (file, _, _) = scan("g", &bytes).unwrap();
    let reduced = variables(&file)
        .into_iter()
        .find(|(_, v)| {
            v.attrs
                .iter()
                .any(|(k, a)| k == "GRIB_gridType" && a.as_str() == Some("reduced_gg"))
        })
        .unwrap();
    assert_eq!(reduced.1.dims, ["values"]);
    assert_eq!(reduced.1.shape, [6114]);
}

/// Real files from other producers (test/fixtures/grib/external/README.md): every field of
/// every message decoded, against ecCodes with multi-field support (sum and missing count).
#[test]
fn external_files_match_eccodes() {
    let mut checked = 0;
    // Sub-areas of reduced Gaussian grids, one of them rotated.
    let mut points_compared = 0;
    for (name, messages) in all_entries() {
        if !name.starts_with("external/") {
            continue;
        }
        let bytes = fixture(&name);
        let (file, _, _) = scan(&name, &bytes).unwrap();
        let (mut sum, mut missing) = (0.0, 0usize);
        let mut fields = 0;
        for c in chunks(&file) {
            let chunk = &bytes[c.offset as usize..(c.offset + c.length) as usize];
            let values = decode_chunk(c.var, chunk).unwrap_or_else(|e| panic!("{}: {}", name, e));
            let (s, _, _, m) = stats(&values);
            sum += s;
            missing += m;
            fields += 1;
        }
        assert_eq!(fields, messages.len(), "{}: fields", name);
        for (m, c) in messages.iter().zip(chunks(&file)) {
            points_compared += usize::from(points_agree(&name, m, &file, &c, &bytes));
        }
        let want_sum: f64 = messages.iter().map(|m| num(m, "sum").unwrap()).sum();
        let want_missing: f64 = messages.iter().map(|m| num(m, "n_missing").unwrap()).sum();
        assert_eq!(missing as f64, want_missing, "{}: missing values", name);
        assert!(
            close(sum, want_sum, 1e-9 * want_sum.abs()),
            "{}: {} vs {}",
            name,
            sum,
            want_sum
        );
        checked += 1;
    }
    assert!(checked >= 3);
    assert!(points_compared >= 2);
}

#[test]
fn aerosol_fields_eccodes_cannot_name_are_kept_apart_by_wavelength() {
    let bytes = fixture("aerosol.grib2");
    let (file, _, _) = scan("aerosol.grib2", &bytes).unwrap();
    let unknown: Vec<String> = chunks(&file)
        .iter()
        .filter(|c| c.path.ends_with("/unknown"))
        .map(|c| c.group.clone())
        .collect();
    assert_eq!(
        unknown,
        [
            "surface/instant_aerosol_62000_wavelength_5.5e-7",
            "surface/instant_aerosol_62000_wavelength_8.65e-7"
        ]
    );
}

#[test]
fn a_message_vzarr_cannot_read_is_left_out_with_its_reason() {
    let bytes = fixture("partly_unsupported.grib2");
    let (file, _, _) = scan("partly_unsupported.grib2", &bytes).unwrap();
    let kept: Vec<(u64, u64)> = chunks(&file).iter().map(|c| (c.offset, c.length)).collect();
    assert_eq!(kept.len(), 2, "the two readable messages are kept");
    let skipped = &file.root.skipped;
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].name.starts_with("message 2 (offset "));
    assert_eq!(skipped[0].error.kind, ErrorKind::UnsupportedFeature);
    assert!(skipped[0].error.to_string().contains("template 4.57 "));
    // A file of nothing but such a message fails with its reason.
    let second = &bytes[(kept[0].0 + kept[0].1) as usize..kept[1].0 as usize];
    let e = scan("second.grib2", second).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnsupportedFeature);
    assert!(e.to_string().contains("template 4.57 "));
}
