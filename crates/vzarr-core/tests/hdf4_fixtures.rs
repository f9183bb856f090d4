//! The HDF4 fixtures (test/fixtures/gen_hdf4.py) and VirtualiZarr's real files: every data
//! set's values, read at the offsets the scanner finds and decoded by the core's codecs,
//! equal pyhdf's (sha256 in oracle.json); damaged files (truncated at every length, bytes
//! overwritten over the DD blocks and objects) end in tagged errors or a result, never a
//! panic, a hang or a request past the end of the file.

mod common;
mod tiff_common;

use common::{fixture, scan_bytes, sha256_hex};
use tiff_common::{read_values, variable};
use vzarr_core::json::Json;
use vzarr_core::scan::{Format, ScannedGroup};
use vzarr_core::ErrorKind;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("hdf4/{}", name))).unwrap()
}

fn missing_chunks(g: &vzarr_core::scan::ScannedVariable) -> bool {
    let m = g.manifest.as_ref().unwrap();
    m.present_count() < m.len()
}

#[test]
fn every_data_set_matches_pyhdf() {
    let text = std::fs::read_to_string(fixture("hdf4/oracle.json")).unwrap();
    let oracle = Json::parse(&text).unwrap();
    let Json::Object(files) = &oracle else {
        panic!()
    };
    let mut checked = 0;
    for (name, expected) in files {
        let bytes = read(name);
        let file = scan_bytes(&bytes, Format::Auto)
            .result
            .unwrap_or_else(|e| panic!("{}: {}", name, e.message));
        assert_eq!(file.format, "hdf4");
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
            let dims: Vec<&str> = e
                .get("dims")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .collect();
            assert_eq!(v.dims, dims, "{} {}", name, path);
            // Unwritten chunks read as the fill value, which this reader does not apply.
            if missing_chunks(v) && shape.iter().all(|&d| d > 0) {
                continue;
            }
            let values = read_values(&bytes, v)
                .unwrap_or_else(|err| panic!("{} {}: {}", name, path, err.message));
            let want = e.get("sha256").unwrap().as_str().unwrap();
            assert_eq!(sha256_hex(&values), want, "{} {}", name, path);
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {} data sets compared", checked);
}

#[test]
fn attributes_and_groups_are_pyhdfs() {
    let file = scan_bytes(&read("contiguous.hdf"), Format::Hdf4)
        .result
        .unwrap();
    let attr = |g: &ScannedGroup, k: &str| g.attrs.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(attr(&file.root, "title"), Json::from("vzarr HDF4 fixture"));
    assert_eq!(attr(&file.root, "version"), Json::Int(4));
    let t = variable(&file, "temperature").unwrap();
    assert_eq!(t.fill_value, Json::Number(-999.0));
    assert_eq!(t.dims, ["time", "row", "col"]);
    let file = scan_bytes(&read("vgroups.hdf"), Format::Hdf4)
        .result
        .unwrap();
    assert!(variable(&file, "MOD_Swath/Geolocation Fields/lat").is_some());
    // Records appended between other data: linked blocks of 64 rows, one chunk each.
    let file = scan_bytes(&read("unlimited.hdf"), Format::Hdf4)
        .result
        .unwrap();
    let records = variable(&file, "records").unwrap();
    assert_eq!(
        (records.shape.clone(), records.chunks.clone()),
        (vec![150, 5], vec![64, 5])
    );
    assert_eq!(records.manifest.as_ref().unwrap().shape(), [3, 1]);
    let compressed = scan_bytes(&read("compressed.hdf"), Format::Hdf4)
        .result
        .unwrap();
    let rle = compressed
        .root
        .skipped
        .iter()
        .find(|s| s.name == "rle")
        .unwrap();
    assert_eq!(rle.error.kind, ErrorKind::UnsupportedFeature);
    assert!(rle.error.message.contains("RLE"), "{}", rle.error.message);
}

#[test]
fn truncations_fail_cleanly() {
    for name in ["contiguous.hdf", "chunked.hdf", "vgroups.hdf"] {
        let good = read(name);
        let step = if good.len() > 12_000 { 13 } else { 3 };
        for n in (0..good.len()).step_by(step) {
            let run = scan_bytes(&good[..n], Format::Hdf4);
            if let Err(e) = run.result {
                assert!(
                    matches!(
                        e.kind,
                        ErrorKind::CorruptFile
                            | ErrorKind::UnsupportedFeature
                            | ErrorKind::LimitExceeded
                    ),
                    "{} cut at {}: {:?}",
                    name,
                    n,
                    e
                );
            }
        }
    }
}

#[test]
fn overwritten_bytes_fail_cleanly() {
    let good = read("chunked.hdf");
    // Bytes of the DD block (tags, refs, offsets, lengths), set to 0xff and to 0x00.
    for at in (4..good.len().min(2_400)).step_by(3) {
        for v in [0xffu8, 0x00] {
            let mut b = good.clone();
            b[at] = v;
            let _ = scan_bytes(&b, Format::Hdf4).result;
        }
    }
}

#[test]
fn a_dd_block_chain_loop_is_corrupt() {
    let err = scan_bytes(&read("bad_loop.hdf"), Format::Hdf4)
        .result
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::CorruptFile);
    assert!(err.message.contains("loops"), "{}", err.message);
}
