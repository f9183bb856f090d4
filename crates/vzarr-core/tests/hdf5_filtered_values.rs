//! Filtered HDF5 variables read back through the scanner's manifests and the core's chunk
//! decoders, value for value:
//! * test/fixtures/hdf5/h5_packed.h5 (scale-offset and n-bit datasets written by h5py, see
//!   test/fixtures/gen_hdf5.py): the decoded array equals the bytes h5py read, stored in the
//!   oracle as `values_hex`;
//! * every HDF5 file of the shared corpus whose filters the core decodes (scale-offset,
//!   szip, ...): the corpus digest of the decoded array equals truth.json's `sha256`.

#[path = "hdf5_common/mod.rs"]
mod common;
#[path = "common/mod.rs"]
mod digest;

use vzarr_core::codecs::supported;
use vzarr_core::json::Json;
use vzarr_core::scan::{ScannedGroup, ScannedVariable};

fn find<'a>(g: &'a ScannedGroup, path: &str) -> Option<&'a ScannedVariable> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop()?;
    let mut g = g;
    for p in parts {
        g = g.groups.iter().find(|s| s.name == p)?;
    }
    g.variables.iter().find(|v| v.name == name)
}

/// True when the core decodes every codec after the array→bytes one.
fn core_decodable(v: &ScannedVariable) -> bool {
    let names = supported();
    v.codecs.len() > 1
        && v.codecs[1..].iter().all(|c| {
            c.get("name")
                .and_then(Json::as_str)
                .is_some_and(|n| names.contains(&n))
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{:02x}", b)).collect()
}

#[test]
fn packed_fixture_values_match_h5py() {
    let path = common::fixture("h5_packed.h5");
    let bytes = common::read(&path);
    let oracle = common::oracle(&path);
    let file = common::scan("file.h5", &bytes).unwrap();
    let vars = match oracle.get("variables") {
        Some(Json::Object(v)) => v,
        _ => panic!("oracle without variables"),
    };
    let mut compared = 0;
    for (name, o) in vars {
        let expected = match o.get("values_hex").and_then(Json::as_str) {
            Some(h) => h,
            None => continue,
        };
        let v = find(&file.root, name).unwrap_or_else(|| panic!("{} not scanned", name));
        let got = common::read_decoded(v, &bytes).unwrap_or_else(|e| panic!("{}: {}", name, e));
        assert!(
            hex(&got) == expected,
            "{}: decoded values differ from h5py's",
            name
        );
        compared += 1;
    }
    assert!(compared >= 25, "only {} variables compared", compared);
}

#[test]
fn corpus_variables_with_core_filters_match_their_digests() {
    let root = match digest::corpus_dir() {
        Some(r) => r,
        None => {
            eprintln!("shared corpus not found");
            return;
        }
    };
    let text = std::fs::read_to_string(root.join("truth.json")).unwrap();
    let text = text
        .replace(": NaN", ": null")
        .replace(": -Infinity", ": null")
        .replace(": Infinity", ": null");
    let truth = Json::parse(&text).unwrap();
    let files = match &truth {
        Json::Object(f) => f,
        _ => panic!("truth.json is not an object"),
    };
    let mut compared = Vec::new();
    for (rel, t) in files {
        if !matches!(
            t.get("_kind").and_then(Json::as_str),
            Some("hdf5") | Some("netcdf4")
        ) {
            continue;
        }
        let bytes = common::read(&root.join(rel));
        let file = match common::scan(rel, &bytes) {
            Ok(f) => f,
            Err(_) => continue, // corpus_files_scan_or_fail_cleanly covers failures
        };
        let vars = match t {
            Json::Object(v) => v,
            _ => continue,
        };
        for (path, tv) in vars {
            let sha = match tv.get("sha256").and_then(Json::as_str) {
                Some(s) => s,
                None => continue,
            };
            let v = match find(&file.root, path) {
                Some(v) if core_decodable(v) => v,
                _ => continue,
            };
            let values = common::read_decoded(v, &bytes)
                .unwrap_or_else(|e| panic!("{}:{}: {}", rel, path, e));
            assert_eq!(
                digest::corpus_digest(&values, &v.dtype),
                sha,
                "{}:{} values differ from the truth",
                rel,
                path
            );
            compared.push(format!("{}:{}", rel, path));
        }
    }
    eprintln!("compared with the truth: {:?}", compared);
    assert!(
        compared
            .iter()
            .any(|c| c == "usnistgov+h5wasm/test/compressed.h5:scaleoffset"),
        "the scale-offset corpus variable was not compared: {:?}",
        compared
    );
}
