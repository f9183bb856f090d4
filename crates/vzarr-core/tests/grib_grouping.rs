//! Grouping of GRIB fields into cfgrib-like groups and variables, on the fixture
//! `grouping.grib2` written by `test/fixtures/gen_grib.py`: parameters on levels, steps,
//! members and two reference times, with one message left out and one duplicated.

mod grib_common;

use grib_common::*;
use std::collections::BTreeMap;
use vzarr_core::scan::ScannedVariable;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_path(&format!("test/fixtures/grib/{}", name))).unwrap()
}

#[test]
fn grouping_follows_cfgrib() {
    let bytes = fixture("grouping.grib2");
    let (file, _, _) = scan("grouping.grib2", &bytes).unwrap();
    let vars: BTreeMap<String, &ScannedVariable> = variables(&file).into_iter().collect();
    let shape = |p: &str| {
        vars.get(p)
            .unwrap_or_else(|| panic!("no {}", p))
            .shape
            .clone()
    };
    let dims = |p: &str| vars[p].dims.clone();
    for v in ["t", "u", "v"] {
        let p = format!("isobaricInhPa/instant/{}", v);
        assert_eq!(
            dims(&p),
            ["time", "step", "isobaricInhPa", "latitude", "longitude"]
        );
        assert_eq!(shape(&p), [2, 3, 3, 7, 12]);
    }
    // The hole in v is a missing chunk; t and u are full.
    let missing = |p: &str| {
        let m = vars[p].manifest.as_ref().unwrap();
        m.len() - m.present_count()
    };
    assert_eq!(missing("isobaricInhPa/instant/t"), 0);
    assert_eq!(missing("isobaricInhPa/instant/v"), 1);
    // The duplicated first message went to a group of its own.
    assert_eq!(shape("isobaricInhPa/instant_level1000/t"), [7, 12]);
    assert_eq!(shape("heightAboveGround/instant/2t"), [2, 3, 7, 12]);
    assert_eq!(
        shape("heightAboveGround/instant_level10/10u"),
        [2, 3, 7, 12]
    );
    assert_eq!(
        shape("heightAboveGround/instant_level10/10v"),
        [2, 3, 7, 12]
    );
    assert_eq!(
        dims("surface/accum/tp"),
        ["time", "step", "latitude", "longitude"]
    );
    assert_eq!(shape("surface/accum/tp"), [2, 2, 7, 12]);
    assert_eq!(
        dims("meanSea/instant/msl"),
        ["number", "time", "step", "latitude", "longitude"]
    );
    assert_eq!(shape("meanSea/instant/msl"), [4, 2, 3, 7, 12]);
    // Scalar coordinates and valid_time.
    assert!(vars["heightAboveGround/instant/heightAboveGround"]
        .shape
        .is_empty());
    assert_eq!(
        vars["isobaricInhPa/instant/valid_time"].dims,
        ["time", "step"]
    );
    let t = vars["isobaricInhPa/instant/t"];
    let coordinates = t
        .attrs
        .iter()
        .find(|(k, _)| k == "coordinates")
        .unwrap()
        .1
        .as_str()
        .unwrap();
    assert_eq!(coordinates, "valid_time");
    assert_eq!(
        t.codecs[0].get("name").unwrap().as_str(),
        Some("vzarr.grib")
    );
    assert_eq!(t.fill_value.as_str(), Some("NaN"));
    assert_eq!(t.dtype, "<f8");
    assert_eq!(t.chunks, [1, 1, 1, 7, 12]);
}

#[test]
fn scan_options_select_groups_and_drop_variables() {
    let bytes = fixture("grouping.grib2");
    let options = vzarr_core::scan::ScanOptions {
        group: "heightAboveGround".into(),
        drop_variables: vec!["10v".into(), "heightAboveGround/instant/2t".into()],
        ..Default::default()
    };
    let (file, _, _) = scan_with("g", &bytes, options).unwrap();
    let data: Vec<String> = variables(&file)
        .into_iter()
        .filter(|(_, v)| v.manifest.is_some())
        .map(|(p, _)| p)
        .collect();
    // The group asked for is the root of the result, as HDF5's --group.
    assert_eq!(data, ["instant_level10/10u"]);

    let one = vzarr_core::scan::ScanOptions {
        group: "heightAboveGround/instant_level10".into(),
        ..Default::default()
    };
    let (file, _, _) = scan_with("g", &bytes, one).unwrap();
    assert!(variables(&file).iter().any(|(p, _)| p == "10u"));

    let nosuch = vzarr_core::scan::ScanOptions {
        group: "nosuch".into(),
        ..Default::default()
    };
    let err = scan_with("g", &bytes, nosuch).unwrap_err();
    assert_eq!(err.kind, vzarr_core::error::ErrorKind::NotFound);
    assert!(
        err.message.contains("heightAboveGround/instant_level10"),
        "{}",
        err.message
    );
}

#[test]
fn scan_result_serialises_to_json() {
    for name in [
        "grouping.grib2",
        "grids.grib2",
        "grib1.grib1",
        "multifield.grib2",
    ] {
        let bytes = fixture(name);
        let (file, _, _) = scan(name, &bytes).unwrap();
        let text = file.to_json().to_string();
        let back = vzarr_core::json::Json::parse(&text).unwrap();
        assert_eq!(back.get("format").and_then(|f| f.as_str()), Some("grib"));
        // Coordinate values are finite numbers (a NaN would turn into JSON null).
        for (path, v) in variables(&file) {
            if let Some(values) = &v.values {
                let values = values.as_array().unwrap();
                assert!(
                    values
                        .iter()
                        .all(|x| x.as_f64().is_some_and(f64::is_finite)),
                    "{}",
                    path
                );
            }
        }
    }
}
