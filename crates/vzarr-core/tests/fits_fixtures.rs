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

/// A header of 80-column cards padded to one block.
fn header(cards: &[String]) -> Vec<u8> {
    let mut b: Vec<u8> = cards
        .iter()
        .chain(std::iter::once(&"END".to_string()))
        .flat_map(|c| format!("{:<80}", c).into_bytes())
        .collect();
    b.resize(b.len().div_ceil(2880) * 2880, b' ');
    b
}

#[test]
fn data_is_skipped_not_read_and_large_images_are_chunked() {
    // A 2048 x 4096 float32 primary image (32 MiB) and a small IMAGE extension after it.
    let mut file = header(&[
        "SIMPLE  =                    T".into(),
        "BITPIX  =                  -32".into(),
        "NAXIS   =                    2".into(),
        "NAXIS1  =                 2048".into(),
        "NAXIS2  =                 4096".into(),
        "EXTEND  =                    T".into(),
    ]);
    // The data, padded to whole blocks.
    file.resize(2880 + (2048 * 4096 * 4usize).div_ceil(2880) * 2880, 0);
    file.extend(header(&[
        "XTENSION= 'IMAGE   '".into(),
        "BITPIX  =                   16".into(),
        "NAXIS   =                    1".into(),
        "NAXIS1  =                   10".into(),
        "PCOUNT  =                    0".into(),
        "GCOUNT  =                    1".into(),
        "EXTNAME = 'SMALL   '".into(),
    ]));
    file.resize(file.len() + 2880, 0);
    let run = scan_bytes(&file, Format::Auto);
    assert!(
        run.bytes_requested() < 200_000,
        "{} bytes read",
        run.bytes_requested()
    );
    let f = run.result.unwrap();
    let big = variable(&f, "PRIMARY").unwrap();
    assert_eq!(big.shape, vec![4096, 2048]);
    assert_eq!(big.chunks, vec![2048, 2048]);
    assert_eq!(big.dtype, ">f4");
    let small = variable(&f, "SMALL").unwrap_or_else(|| panic!("{:?}", f.root.skipped));
    assert_eq!(
        (small.shape.clone(), small.dims.clone()),
        (vec![10], vec!["x_SMALL".to_string()])
    );
    let m = small.manifest.as_ref().unwrap();
    assert_eq!(
        m.offsets()[0],
        2880 + (2048 * 4096 * 4u64).div_ceil(2880) * 2880 + 2880
    );
}
