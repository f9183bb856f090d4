//! The TIFF fixtures (test/fixtures/gen_tiff.py): every image's values, read at the offsets
//! the scanner finds and decoded by the core's codecs, equal tifffile's (sha256 in
//! oracle.json); JPEG within a tolerance; GeoTIFF coordinates equal rioxarray's.

mod common;
mod tiff_common;

use common::{fixture, scan_bytes, sha256_hex};
use tiff_common::{core_decodes, read_values, variable};
use vzarr_core::json::Json;
use vzarr_core::scan::Format;

fn oracle() -> Json {
    let text = std::fs::read_to_string(fixture("tiff/oracle.json")).unwrap();
    Json::parse(&text).unwrap()
}

#[test]
fn every_fixture_matches_tifffile() {
    let oracle = oracle();
    let Json::Object(files) = &oracle else {
        panic!()
    };
    let mut checked = 0;
    for (name, expected) in files {
        let bytes = std::fs::read(fixture(&format!("tiff/{}", name))).unwrap();
        let run = scan_bytes(&bytes, Format::Auto);
        let file = run
            .result
            .unwrap_or_else(|e| panic!("{}: {}", name, e.message));
        assert_eq!(file.format, "tiff");
        let Json::Object(vars) = expected else {
            panic!()
        };
        for (path, e) in vars.iter().filter(|(k, _)| !k.starts_with('_')) {
            let v =
                variable(&file, path).unwrap_or_else(|| panic!("{}: no variable {}", name, path));
            let shape: Vec<u64> = e
                .get("shape")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap())
                .collect();
            assert_eq!(v.shape, shape, "{} {}", name, path);
            let dtype = e.get("dtype").unwrap().as_str().unwrap();
            assert_eq!(v.dtype[1..], dtype[1..], "{} {}", name, path);
            if !core_decodes(v) {
                eprintln!("not decoded in the core: {} {}", name, path);
                continue;
            }
            let values = read_values(&bytes, v)
                .unwrap_or_else(|err| panic!("{} {}: {}", name, path, err.message));
            if e.get("jpeg").is_some() {
                let want = common::base64_decode(e.get("values_b64").unwrap().as_str().unwrap());
                let worst = values
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (*a as i32 - *b as i32).abs())
                    .max()
                    .unwrap();
                assert!(worst <= 3, "{} {}: JPEG differs by {}", name, path, worst);
            } else {
                assert_eq!(
                    sha256_hex(&values),
                    e.get("sha256").unwrap().as_str().unwrap(),
                    "{} {}",
                    name,
                    path
                );
            }
            checked += 1;
        }
        if let Some(geo) = expected.get("_geo") {
            check_geo(name, &file, geo);
        }
    }
    assert!(checked > 30, "only {} variables checked", checked);
}

fn f64s(values: &[u8]) -> Vec<f64> {
    values
        .chunks(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn check_geo(name: &str, file: &vzarr_core::scan::ScannedFile, geo: &Json) {
    let x = variable(file, "x");
    let want_x: Vec<f64> = geo
        .get("x")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let want_y: Vec<f64> = geo
        .get("y")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let transform: Vec<f64> = geo
        .get("transform")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let rotated = transform[1] != 0.0 || transform[3] != 0.0;
    if rotated {
        assert!(x.is_none(), "{}: a rotated grid has no 1-D x", name);
        return;
    }
    let x = x.unwrap_or_else(|| panic!("{}: no x", name));
    let y = variable(file, "y").unwrap();
    assert!(
        f64s(&x.loaded.as_ref().unwrap().bytes) == want_x,
        "{}: x differs",
        name
    );
    assert!(
        f64s(&y.loaded.as_ref().unwrap().bytes) == want_y,
        "{}: y differs",
        name
    );
    let sr = variable(file, "spatial_ref").unwrap();
    if let Some(epsg) = geo.get("epsg").and_then(Json::as_u64) {
        let crs = sr.attrs.iter().find(|(k, _)| k == "crs_wkt").unwrap();
        assert_eq!(
            crs.1.as_str().unwrap(),
            format!("EPSG:{}", epsg),
            "{}",
            name
        );
    }
}
