//! The FITS fixtures (test/fixtures/gen_fits.py and astropy's own test files in
//! test/fixtures/fits/real): every image's stored values, read at the offsets the scanner
//! finds and decoded by the core's codecs (gzip, shuffle, Rice), equal astropy's (sha256 in
//! oracle.json); the cases vzarr refuses are skipped with the reason; malformed files fail
//! with tagged errors.

mod common;
mod tiff_common;

use common::{fixture, scan_bytes, sha256_hex};
use tiff_common::{read_values, variable};
use vzarr_core::error::ErrorKind;
use vzarr_core::json::Json;
use vzarr_core::scan::Format;

fn oracle() -> Json {
    let text = std::fs::read_to_string(fixture("fits/oracle.json")).unwrap();
    Json::parse(&text).unwrap()
}

/// What the scanner refuses, by variable: the error kind and a word of its message.
const REFUSED: &[(&str, &str)] = &[
    ("HCOMP_I16", "HCOMPRESS_1"),
    ("PLIO_I32", "PLIO_1"),
    ("RICE_F32_QUANTIZED", "quantized"),
    ("RICE_EDGE_TILES", "edge tiles"),
];

#[test]
fn every_fixture_matches_astropy() {
    let oracle = oracle();
    let Json::Object(files) = &oracle else {
        panic!()
    };
    let mut checked = 0;
    for (name, expected) in files {
        let bytes = std::fs::read(fixture(&format!("fits/{}", name))).unwrap();
        let file = scan_bytes(&bytes, Format::Auto)
            .result
            .unwrap_or_else(|e| panic!("{}: {}", name, e.message));
        assert_eq!(file.format, "fits");
        let Some(Json::Object(vars)) = expected.get("variables") else {
            panic!()
        };
        for (path, e) in vars {
            if let Some((_, word)) = REFUSED.iter().find(|(v, _)| v == path) {
                let s = file.root.skipped.iter().find(|s| s.name == *path);
                let s = s.unwrap_or_else(|| panic!("{} {} is not skipped", name, path));
                assert_eq!(s.error.kind, ErrorKind::UnsupportedFeature, "{}", path);
                assert!(
                    s.error.message.contains(word),
                    "{}: {}",
                    path,
                    s.error.message
                );
                continue;
            }
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
            let values = read_values(&bytes, v)
                .unwrap_or_else(|err| panic!("{} {}: {}", name, path, err.message));
            assert_eq!(
                sha256_hex(&values),
                e.get("sha256").unwrap().as_str().unwrap(),
                "{} {}",
                name,
                path
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {} variables checked", checked);
}

#[test]
fn malformed_files_fail_with_tagged_errors() {
    let cases = [
        (
            "truncated_header.fits",
            ErrorKind::CorruptFile,
            "past the end",
        ),
        (
            "truncated_data.fits",
            ErrorKind::CorruptFile,
            "runs past the end",
        ),
        ("no_end.fits", ErrorKind::CorruptFile, "END"),
        ("bad_bitpix.fits", ErrorKind::CorruptFile, "BITPIX"),
        ("bad_naxis.fits", ErrorKind::CorruptFile, "NAXIS1"),
    ];
    for (name, kind, word) in cases {
        let bytes = std::fs::read(fixture(&format!("fits/malformed/{}", name))).unwrap();
        let err = scan_bytes(&bytes, Format::Fits).result.unwrap_err();
        assert_eq!(err.kind, kind, "{}: {}", name, err.message);
        assert!(err.message.contains(word), "{}: {}", name, err.message);
    }
    let bytes = std::fs::read(fixture("fits/malformed/bad_tile_offset.fits")).unwrap();
    let file = scan_bytes(&bytes, Format::Fits).result.unwrap();
    let s = file
        .root
        .skipped
        .iter()
        .find(|s| s.name == "RICE_I16")
        .unwrap();
    assert_eq!(s.error.kind, ErrorKind::CorruptFile);
    assert!(
        s.error.message.contains("outside the heap"),
        "{}",
        s.error.message
    );
}

#[test]
fn every_prefix_of_a_file_fails_cleanly_or_scans() {
    // Cut anywhere: a tagged error or a scan of what is whole — never a panic or a hang.
    let bytes = std::fs::read(fixture("fits/compressed.fits")).unwrap();
    for cut in (0..bytes.len()).step_by(997) {
        let _ = scan_bytes(&bytes[..cut], Format::Fits).result;
    }
}
