//! The netCDF3 scanner against files written by netCDF-C (test/fixtures/gen_netcdf3.py) and
//! the real files of the shared corpus: every chunk is read at the offsets the scanner
//! found, the arrays are rebuilt and their digests compared with what netCDF4-python read.

mod common;

use common::{corpus_digest, corpus_dir, fixture, scan_bytes};
use vzarr_core::json::Json;
use vzarr_core::manifest::ChunkEntry;
use vzarr_core::scan::{Format, ScannedFile, ScannedVariable};
use vzarr_core::ErrorKind;

fn oracle() -> Json {
    let text = std::fs::read_to_string(fixture("netcdf3/oracle.json")).expect("oracle.json");
    Json::parse(&text).expect("oracle parses")
}

/// JSON equality where 3, 3u and 3.0 are the same number.
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && same_json(v, v2)))
        }
        (Json::Int(x), Json::UInt(y)) | (Json::UInt(y), Json::Int(x)) => *x >= 0 && *x as u64 == *y,
        (Json::Number(x), other) | (other, Json::Number(x)) if other.as_f64().is_some() => {
            other.as_f64() == Some(*x)
        }
        _ => a == b,
    }
}

/// The variable's values in C order, read from the file at the manifest's references.
fn read_variable(file: &[u8], v: &ScannedVariable) -> Vec<u8> {
    let manifest = v
        .manifest
        .as_ref()
        .expect("netCDF3 variables have manifests");
    assert_eq!(
        v.chunks.get(1..),
        v.shape.get(1..),
        "{}: only axis 0 is split",
        v.name
    );
    let mut out = Vec::new();
    for entry in manifest.iter() {
        match entry {
            ChunkEntry::Ref {
                path,
                offset,
                length,
            } => {
                assert_eq!(path, "file.nc");
                out.extend_from_slice(&file[offset as usize..(offset + length) as usize]);
            }
            other => panic!("{}: unexpected chunk {:?}", v.name, other),
        }
    }
    let size: usize = v.dtype[2..].parse().unwrap();
    let n: u64 = v.shape.iter().product();
    assert_eq!(
        out.len(),
        n as usize * size,
        "{}: chunks cover the array exactly",
        v.name
    );
    out
}

fn little_endian_dtype(dtype: &str) -> String {
    match dtype.strip_prefix('>') {
        Some(rest) => format!("<{}", rest),
        None => dtype.to_string(),
    }
}

fn check_case(name: &str, expected: &Json) {
    let bytes = std::fs::read(fixture(&format!("netcdf3/{}", name))).unwrap();
    let run = scan_bytes(&bytes, Format::Auto);
    let scanned: ScannedFile = run.result.unwrap_or_else(|e| panic!("{}: {}", name, e));
    // Small files: the first block holds the header, so one request is enough.
    assert_eq!(run.requests.len(), 2, "{}: sniff + one header block", name);
    assert_eq!(scanned.format, "netcdf3");
    let root = &scanned.root;

    let dims = expected.get("dims").unwrap();
    for (dim, len) in match dims {
        Json::Object(f) => f,
        _ => panic!(),
    } {
        let found = root.dims.iter().find(|(n, _)| n == dim);
        assert_eq!(found.map(|d| d.1), len.as_u64(), "{}: dim {}", name, dim);
    }
    assert!(
        same_json(
            &Json::Object(root.attrs.clone()),
            expected.get("attrs").unwrap()
        ),
        "{}: global attributes\n{}\nvs\n{}",
        name,
        Json::Object(root.attrs.clone()),
        expected.get("attrs").unwrap()
    );
    let vars = match expected.get("variables").unwrap() {
        Json::Object(f) => f,
        _ => panic!(),
    };
    assert_eq!(root.variables.len(), vars.len(), "{}: variable count", name);
    for (vname, ev) in vars {
        let v = root
            .variables
            .iter()
            .find(|v| &v.name == vname)
            .unwrap_or_else(|| panic!("{}: no variable {}", name, vname));
        let shape: Vec<u64> = ev
            .get("shape")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(v.shape, shape, "{}/{}: shape", name, vname);
        let dims: Vec<String> = ev
            .get("dims")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        assert_eq!(v.dims, dims, "{}/{}: dims", name, vname);
        assert_eq!(
            little_endian_dtype(&v.dtype),
            ev.get("dtype").unwrap().as_str().unwrap(),
            "{}/{}: dtype",
            name,
            vname
        );
        assert!(
            same_json(&v.fill_value, ev.get("fill_value").unwrap()),
            "{}/{}: fill {} vs {}",
            name,
            vname,
            v.fill_value,
            ev.get("fill_value").unwrap()
        );
        assert!(
            same_json(&Json::Object(v.attrs.clone()), ev.get("attrs").unwrap()),
            "{}/{}: attributes {} vs {}",
            name,
            vname,
            Json::Object(v.attrs.clone()),
            ev.get("attrs").unwrap()
        );
        let raw = read_variable(&bytes, v);
        assert_eq!(
            corpus_digest(&raw, &v.dtype),
            ev.get("sha256").unwrap().as_str().unwrap(),
            "{}/{}: values",
            name,
            vname
        );
        let endian = v.codecs[0]
            .get("configuration")
            .and_then(|c| c.get("endian"));
        let item: usize = v.dtype[2..].parse().unwrap();
        assert_eq!(
            endian.is_some(),
            item > 1,
            "{}/{}: bytes codec {}",
            name,
            vname,
            v.codecs[0]
        );
    }
}

#[test]
fn fixtures_match_netcdf4_python() {
    let oracle = oracle();
    let cases = match &oracle {
        Json::Object(f) => f,
        _ => panic!(),
    };
    let mut checked = 0;
    for (name, expected) in cases {
        if name.starts_with('_') {
            continue;
        }
        check_case(name, expected);
        checked += 1;
    }
    assert!(checked >= 9, "only {} fixtures", checked);
}

fn scan_fixture(name: &str) -> ScannedFile {
    let bytes = std::fs::read(fixture(&format!("netcdf3/{}", name))).unwrap();
    scan_bytes(&bytes, Format::NetCdf3).result.unwrap()
}

fn variable<'a>(f: &'a ScannedFile, name: &str) -> &'a ScannedVariable {
    f.root.variables.iter().find(|v| v.name == name).unwrap()
}

#[test]
fn record_layouts_follow_netcdf_c() {
    // Several record variables: one chunk per record, stride = padded record size.
    let f = scan_fixture("classic.nc");
    let count = variable(&f, "count");
    assert_eq!(count.chunks, [1]);
    let m = count.manifest.as_ref().unwrap();
    assert_eq!(m.len(), 5);
    assert_eq!(m.lengths()[0], 2, "unpadded record bytes");
    let stride = m.offsets()[1] - m.offsets()[0];
    assert_eq!(m.offsets()[4] - m.offsets()[0], 4 * stride);
    // Record size = time 8 + temp 48 + count 2→4 + flag 3→4 + label 6→8.
    assert_eq!(stride, 8 + 48 + 4 + 4 + 8);
    // One record variable: records packed without padding and merged into one chunk.
    let f = scan_fixture("single_record_classic.nc");
    let obs = variable(&f, "obs");
    assert_eq!(obs.shape, [7, 3]);
    assert_eq!(obs.chunks, [7, 3]);
    let m = obs.manifest.as_ref().unwrap();
    assert_eq!(m.lengths(), [42]);
    // No records: shape 0 along the record axis, no chunks.
    let f = scan_fixture("zero_records.nc");
    let field = variable(&f, "field");
    assert_eq!(field.shape, [0, 2]);
    assert_eq!(field.chunks, [1, 2]);
    assert_eq!(field.manifest.as_ref().unwrap().len(), 0);
    assert_eq!(f.root.dims[0], ("time".to_string(), 0));
    // A scalar is one chunk of one element.
    let f = scan_fixture("classic.nc");
    let scalar = variable(&f, "scalar");
    assert!(scalar.shape.is_empty() && scalar.chunks.is_empty());
    assert_eq!(scalar.manifest.as_ref().unwrap().lengths(), [4]);
}

/// Each fixture with every header byte's bits flipped in turn and truncated at every
/// length: a result or a tagged error, never a panic; references always inside the file.
#[test]
fn damaged_fixtures_fail_cleanly() {
    for name in [
        "classic.nc",
        "cdf5.nc",
        "offset64.nc",
        "single_record_offset64.nc",
    ] {
        let bytes = std::fs::read(fixture(&format!("netcdf3/{}", name))).unwrap();
        let limit = bytes.len().min(1200);
        let mut outcomes = [0usize; 2];
        for cut in 0..limit {
            check_outcome(&bytes[..cut], &mut outcomes);
        }
        for at in 0..limit {
            for bit in [0u8, 3, 7] {
                let mut damaged = bytes.clone();
                damaged[at] ^= 1 << bit;
                check_outcome(&damaged, &mut outcomes);
            }
        }
        assert!(outcomes[1] > 0, "{}: some damage must be detected", name);
    }
}

fn check_outcome(bytes: &[u8], outcomes: &mut [usize; 2]) {
    let run = scan_bytes(bytes, Format::NetCdf3);
    assert!(run.bytes_requested() <= bytes.len() as u64 * 2 + 64);
    match run.result {
        Ok(f) => {
            outcomes[0] += 1;
            for v in &f.root.variables {
                for e in v.manifest.as_ref().unwrap().iter() {
                    if let ChunkEntry::Ref { offset, length, .. } = e {
                        assert!(
                            offset + length <= bytes.len() as u64,
                            "{} chunk past the end",
                            v.name
                        );
                    }
                }
            }
        }
        Err(e) => {
            outcomes[1] += 1;
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::CorruptFile
                        | ErrorKind::LimitExceeded
                        | ErrorKind::UnsupportedFeature
                ),
                "untagged failure {}",
                e
            );
        }
    }
}

#[test]
fn corpus_files_match_truth() {
    let dir = match corpus_dir() {
        Some(d) => d,
        None => {
            eprintln!("shared corpus not found: skipped");
            return;
        }
    };
    // Python's json writes NaN/Infinity as bare tokens (in `sum`s we do not use).
    let text = std::fs::read_to_string(dir.join("truth.json"))
        .unwrap()
        .replace(": NaN", ": null")
        .replace(": -Infinity", ": null")
        .replace(": Infinity", ": null");
    let truth = Json::parse(&text).unwrap();
    let entries = match &truth {
        Json::Object(f) => f,
        _ => panic!(),
    };
    let mut compared = 0;
    let mut refused = 0;
    for (rel, t) in entries {
        let bytes = match std::fs::read(dir.join(rel)) {
            Ok(b) => b,
            Err(_) => continue,
        };
        if !(bytes.starts_with(b"CDF") && matches!(bytes.get(3), Some(1 | 2 | 5))) {
            continue;
        }
        let run = scan_bytes(&bytes, Format::Auto);
        if t.get("error").is_some() {
            let e = run.result.expect_err(rel);
            assert_eq!(e.kind, ErrorKind::CorruptFile, "{}: {}", rel, e);
            refused += 1;
            continue;
        }
        let f = run.result.unwrap_or_else(|e| panic!("{}: {}", rel, e));
        for (vname, tv) in match t {
            Json::Object(f) => f,
            _ => panic!(),
        } {
            if vname.starts_with('_') {
                continue;
            }
            let v = f
                .root
                .variables
                .iter()
                .find(|v| &v.name == vname)
                .unwrap_or_else(|| panic!("{}: no variable {}", rel, vname));
            let shape: Vec<u64> = tv
                .get("shape")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            assert_eq!(v.shape, shape, "{}/{}", rel, vname);
            if let Some(sha) = tv.get("sha256").and_then(Json::as_str) {
                let raw = read_variable(&bytes, v);
                assert_eq!(corpus_digest(&raw, &v.dtype), sha, "{}/{}", rel, vname);
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "compared only {} variables", compared);
    assert_eq!(refused, 1, "bad_cdf5_begin.nc must be refused");
}
