//! Every committed HDF5 / netCDF-4 fixture is scanned through a `ScanSession` and compared
//! with the oracle its generator (test/fixtures/gen_hdf5.py) wrote from h5py and
//! netCDF4-python: shapes, chunk shapes, dtypes, codecs, fill values, dimension names,
//! attributes, and the offset/length of every chunk.

#[path = "hdf5_common/mod.rs"]
mod common;

use vzarr_core::json::Json;
use vzarr_core::scan::{Format, ScanOptions, ScannedFile, ScannedGroup, ScannedVariable};
use vzarr_core::ChunkEntry;

const FIXTURES: &[(&str, &str)] = &[
    ("nc4_basic.nc", "netcdf4"),
    ("nc4_unlimited.nc", "netcdf4"),
    ("h5_earliest.h5", "hdf5"),
    ("h5_userblock.h5", "hdf5"),
    ("h5_userblock_latest.h5", "hdf5"),
    ("h5_arrays_v110.h5", "hdf5"),
    ("h5_arrays_latest.h5", "hdf5"),
    ("h5_btrees_v110.h5", "hdf5"),
    ("h5_btrees_latest.h5", "hdf5"),
    ("h5_filters.h5", "hdf5"),
    ("h5_packed.h5", "hdf5"),
    ("h5_dimscales.h5", "hdf5"),
    ("h5_phony.h5", "hdf5"),
    ("h5_dense_links.h5", "hdf5"),
    ("h5_track_order.h5", "hdf5"),
    ("h5_symbol_table_links.h5", "hdf5"),
];

/// The group of `path` (`a/b/var` → group `a/b`) and the last component.
fn split(path: &str) -> (Vec<&str>, &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or("");
    (parts, name)
}

fn group<'a>(file: &'a ScannedFile, parts: &[&str]) -> &'a ScannedGroup {
    let mut g = &file.root;
    for p in parts {
        g = g
            .groups
            .iter()
            .find(|s| s.name == *p)
            .unwrap_or_else(|| panic!("no group {:?}", parts));
    }
    g
}

fn display_name(name: &str) -> &str {
    name.strip_prefix("_nc4_non_coord_").unwrap_or(name)
}

fn u64s(j: &Json) -> Vec<u64> {
    j.as_array()
        .unwrap_or(&[])
        .iter()
        .map(|v| v.as_u64().expect("unsigned"))
        .collect()
}

/// Loose JSON equality: numbers compare as f64 with a relative tolerance (attributes
/// stored as f32 print differently), everything else exactly.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && same(v, v2)))
        }
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(p), Some(q)) => p == q || (p - q).abs() <= 1e-6 * p.abs().max(q.abs()),
            _ => a == b,
        },
    }
}

fn codec_name(filter_id: u64) -> &'static str {
    match filter_id {
        1 => "numcodecs.zlib",
        2 => "numcodecs.shuffle",
        3 => "numcodecs.fletcher32",
        4 => "vzarr.szip",
        5 => "vzarr.nbit",
        6 => "vzarr.scaleoffset",
        32000 => "vzarr.lzf",
        32001 => "blosc",
        32004 => "vzarr.hdf5_lz4",
        32008 => "vzarr.bitshuffle",
        32015 => "zstd",
        other => panic!("no expected codec for filter {}", other),
    }
}

/// Filters HDF5 applies as a no-op, which have no codec: n-bit on a full-precision type
/// (`cd_values[1]` "no need to compress"), scale-offset on integers with a full-width
/// fixed minbits (`cd_values[1] == 8 × size`).
fn stores_data_unchanged(filter: &Json) -> bool {
    let id = filter.get("id").and_then(Json::as_u64);
    let cd = u64s(filter.get("cd").unwrap());
    match id {
        Some(5) => cd.get(1).is_some_and(|&v| v != 0),
        Some(6) => cd.get(3) == Some(&0) && cd.get(1).copied() == cd.get(4).map(|s| 8 * s),
        _ => false,
    }
}

fn check_attrs(what: &str, ours: &[(String, Json)], expected: &Json) {
    let expected = match expected {
        Json::Object(fields) => fields,
        _ => return,
    };
    for (k, v) in expected {
        let got = ours
            .iter()
            .find(|(n, _)| n == k)
            .unwrap_or_else(|| panic!("{}: attribute {:?} missing (have {:?})", what, k, ours));
        assert!(
            same(&got.1, v),
            "{}: attribute {:?} = {} expected {}",
            what,
            k,
            got.1,
            v
        );
    }
    for (k, _) in ours {
        assert!(
            expected.iter().any(|(n, _)| n == k),
            "{}: unexpected attribute {:?}",
            what,
            k
        );
    }
}

fn check_variable(file: &str, path: &str, v: &ScannedVariable, o: &Json) {
    let what = format!("{}:{}", file, path);
    // netCDF shows a variable as long as the unlimited dimensions it uses (`nc_shape`);
    // h5py shows the dataset's extent (`shape`), which its chunks still follow.
    let shape = u64s(o.get("nc_shape").or_else(|| o.get("shape")).unwrap());
    assert_eq!(v.shape, shape, "{} shape", what);
    let layout = o.get("layout").and_then(Json::as_str).unwrap_or("");
    match o.get("chunks") {
        Some(Json::Array(_)) if layout == "chunked" => {
            assert_eq!(v.chunks, u64s(o.get("chunks").unwrap()), "{} chunks", what)
        }
        _ => {
            let whole: Vec<u64> = shape.iter().map(|&d| d.max(1)).collect();
            assert_eq!(v.chunks, whole, "{} chunks of unchunked data", what)
        }
    }
    let dtype = o.get("dtype").and_then(Json::as_str).unwrap();
    assert_eq!(v.dtype, dtype, "{} dtype", what);
    // Codecs: the array→bytes codec, then one codec per filter in pipeline order, minus
    // the filters every chunk skipped (the intersection of the chunks' filter masks; chunks
    // that skipped more are brought to it and inlined).
    let uniform = common_mask(o);
    let filters: Vec<&Json> = o
        .get("filters")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter(|(i, f)| uniform & (1 << i) == 0 && !stores_data_unchanged(f))
        .map(|(_, f)| f)
        .collect();
    assert_eq!(
        v.codecs.len(),
        filters.len() + 1,
        "{} codecs {:?}",
        what,
        v.codecs
    );
    let first = v.codecs[0].get("name").and_then(Json::as_str).unwrap();
    if dtype == "|O" {
        assert_eq!(first, "vlen-utf8", "{}", what);
    } else {
        assert_eq!(first, "bytes", "{}", what);
        let endian = v.codecs[0]
            .get("configuration")
            .and_then(|c| c.get("endian"))
            .and_then(Json::as_str);
        let expected = match dtype.as_bytes()[0] {
            b'<' => Some("little"),
            b'>' => Some("big"),
            _ => None,
        };
        assert_eq!(endian, expected, "{} endian", what);
    }
    for (f, c) in filters.into_iter().zip(&v.codecs[1..]) {
        let id = f.get("id").and_then(Json::as_u64).unwrap();
        assert_eq!(
            c.get("name").and_then(Json::as_str),
            Some(codec_name(id)),
            "{}",
            what
        );
        let cd = u64s(f.get("cd").unwrap());
        let config = c.get("configuration").unwrap();
        match id {
            1 => assert_eq!(
                config.get("level").and_then(Json::as_u64),
                cd.first().copied()
            ),
            2 => assert_eq!(
                config.get("elementsize").and_then(Json::as_u64),
                cd.first().copied()
            ),
            32008 => assert_eq!(
                config.get("elementsize").and_then(Json::as_u64),
                cd.get(2).copied()
            ),
            4 => assert_eq!(
                config.get("pixels_per_block").and_then(Json::as_u64),
                cd.get(1).copied()
            ),
            6 => assert_eq!(
                config.get("nelmts").and_then(Json::as_u64),
                cd.get(2).copied()
            ),
            _ => {}
        }
    }
    if let Some(fill) = o.get("fill") {
        let ok = same(&v.fill_value, fill) || (dtype == "|b1" && v.fill_value == Json::Bool(false));
        assert!(ok, "{} fill {} expected {}", what, v.fill_value, fill);
    }
    if let Some(dims) = o.get("dims") {
        let dims: Vec<&str> = dims
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(v.dims, dims, "{} dims", what);
    }
    let attrs = o.get("nc_attrs").or_else(|| o.get("attrs")).unwrap();
    check_attrs(&what, &v.attrs, attrs);
    if dtype == "|O" {
        let values = v
            .values
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no values", what));
        assert!(
            same(values, o.get("values").unwrap()),
            "{} values {}",
            what,
            values
        );
        assert!(v.manifest.is_none());
        return;
    }
    let m = v
        .manifest
        .as_ref()
        .unwrap_or_else(|| panic!("{}: no manifest", what));
    match layout {
        "chunked" => {
            let refs = o.get("chunk_refs").and_then(Json::as_array).unwrap();
            let common = common_mask(o);
            for r in refs {
                let r = r.as_array().unwrap();
                let coords = u64s(&r[0]);
                let entry = m.entry_at(&coords).unwrap();
                if r[3].as_u64().unwrap() != common {
                    // Re-encoded to the common codec list (values checked by hdf5.test.ts).
                    assert!(
                        matches!(entry, ChunkEntry::Inlined(_)),
                        "{} chunk {:?} with its own filter mask should be inlined",
                        what,
                        coords
                    );
                    continue;
                }
                let expected = ChunkEntry::Ref {
                    path: "file.h5",
                    offset: r[1].as_u64().unwrap(),
                    length: r[2].as_u64().unwrap(),
                };
                assert_eq!(entry, expected, "{} chunk {:?}", what, coords);
            }
            assert_eq!(m.present_count(), refs.len(), "{} chunk count", what);
        }
        "contiguous" => match o.get("contiguous") {
            Some(Json::Array(r)) => {
                assert_eq!(m.len(), 1);
                assert_eq!(
                    m.entry(0).unwrap(),
                    ChunkEntry::Ref {
                        path: "file.h5",
                        offset: r[0].as_u64().unwrap(),
                        length: r[1].as_u64().unwrap(),
                    },
                    "{} contiguous",
                    what
                );
            }
            _ => assert_eq!(m.present_count(), 0, "{} unwritten", what),
        },
        "compact" => {
            let hex = o.get("compact_hex").and_then(Json::as_str).unwrap();
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert_eq!(
                m.entry(0).unwrap(),
                ChunkEntry::Inlined(&bytes),
                "{} compact",
                what
            );
        }
        other => panic!("{}: unexpected layout {}", what, other),
    }
}

fn check_fixture(name: &str, format: &str) {
    let path = common::fixture(name);
    let bytes = common::read(&path);
    let oracle = common::oracle(&path);
    let (result, traffic) =
        common::scan_with("file.h5", &bytes, Format::Auto, ScanOptions::default());
    let file = result.unwrap_or_else(|e| panic!("{}: {}", name, e));
    assert_eq!(file.format, format, "{}", name);
    // Reading metadata must not amount to reading the file twice over.
    assert!(
        traffic.bytes <= 2 * bytes.len() as u64 + 8192,
        "{}: {:?}",
        name,
        traffic
    );
    let vars = match oracle.get("variables") {
        Some(Json::Object(v)) => v,
        _ => panic!("oracle without variables"),
    };
    for (vpath, o) in vars {
        let (parts, vname) = split(vpath);
        let g = group(&file, &parts);
        let shown = display_name(vname);
        if let Some(kind) = o.get("skip").and_then(Json::as_str) {
            let s = g
                .skipped
                .iter()
                .find(|s| s.name == shown)
                .unwrap_or_else(|| panic!("{}:{} should be skipped", name, vpath));
            assert_eq!(
                s.error.kind.as_str(),
                kind,
                "{}:{} {}",
                name,
                vpath,
                s.error
            );
            continue;
        }
        let v = g
            .variables
            .iter()
            .find(|v| v.name == shown)
            .unwrap_or_else(|| {
                panic!(
                    "{}:{} missing (skipped: {:?})",
                    name,
                    vpath,
                    g.skipped
                        .iter()
                        .map(|s| (&s.name, s.error.to_string()))
                        .collect::<Vec<_>>()
                )
            });
        check_variable(name, vpath, v, o);
    }
    // No variable appears that the oracle does not know.
    fn count(g: &ScannedGroup) -> usize {
        g.variables.len() + g.groups.iter().map(count).sum::<usize>()
    }
    let expected = vars.iter().filter(|(_, o)| o.get("skip").is_none()).count();
    assert_eq!(count(&file.root), expected, "{}: variable count", name);
    check_attrs(
        &format!("{}:/", name),
        &file.root.attrs,
        oracle.get("root_attrs").unwrap(),
    );
    if let Some(Json::Object(groups)) = oracle.get("groups") {
        for (gpath, info) in groups {
            let parts: Vec<&str> = gpath.split('/').filter(|p| !p.is_empty()).collect();
            let g = group(&file, &parts);
            if let Some(attrs) = info.get("attrs") {
                check_attrs(&format!("{}:{}/", name, gpath), &g.attrs, attrs);
            }
            let dims = match info.get("dims") {
                Some(Json::Object(d)) => d,
                _ => continue,
            };
            let mut expected: Vec<(String, u64)> = dims
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
                .collect();
            let mut ours = g.dims.clone();
            expected.sort();
            ours.sort();
            assert_eq!(ours, expected, "{}: dims of group {:?}", name, gpath);
        }
    }
}

#[test]
fn fixtures_match_their_oracles() {
    for (name, format) in FIXTURES {
        check_fixture(name, format);
    }
}

/// Groups that track creation order list their members and attributes in that order.
#[test]
fn creation_order_is_kept() {
    let bytes = common::read(&common::fixture("h5_track_order.h5"));
    let f = common::scan("file.h5", &bytes).unwrap();
    let names: Vec<&str> = f.root.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    let attrs: Vec<&str> = f.root.variables[0]
        .attrs
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(attrs, ["z_attr", "a_attr", "m_attr"]);
    let root_attrs: Vec<&str> = f.root.attrs.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<String> = (0..12).map(|i| format!("attr_{:02}", 11 - i)).collect();
    assert_eq!(root_attrs, expected);
    let g = &f.root.groups[0];
    let attrs: Vec<&str> = g.attrs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(attrs, ["second", "first"]);
}

/// The filter mask of the codec list: the intersection of the chunks' masks.
fn common_mask(o: &Json) -> u64 {
    o.get("chunk_refs")
        .and_then(Json::as_array)
        .map(|refs| {
            refs.iter()
                .map(|r| r.as_array().unwrap()[3].as_u64().unwrap())
                .fold(u64::from(u32::MAX), |a, m| a & m)
        })
        .filter(|&m| m != u64::from(u32::MAX))
        .unwrap_or(0)
}
