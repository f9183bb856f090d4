//! The million-chunk files of `gen_hdf5.py --large` (test/fixtures/generated/, not
//! committed): when present, every chunk must be found and sample chunks must sit where
//! h5py says. Timing lives in the `hdf5_scan` example, not here.

#[path = "hdf5_common/mod.rs"]
mod common;

use vzarr_core::json::Json;
use vzarr_core::ChunkEntry;

fn check(name: &str) {
    let path = common::generated(name);
    if !path.exists() {
        eprintln!(
            "{} not generated; run test/fixtures/gen_hdf5.py --large",
            name
        );
        return;
    }
    let bytes = common::read(&path);
    let oracle = common::oracle(&path);
    let o = oracle.get("variables").and_then(|v| v.get("v")).unwrap();
    let (result, traffic) = common::scan_with(
        "big.h5",
        &bytes,
        vzarr_core::scan::Format::Auto,
        Default::default(),
    );
    let file = result.unwrap_or_else(|e| panic!("{}: {}", name, e));
    let v = file.root.variables.iter().find(|v| v.name == "v").unwrap();
    let m = v.manifest.as_ref().unwrap();
    let expected = |key: &str| -> Vec<u64> {
        o.get(key)
            .and_then(Json::as_array)
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    };
    assert_eq!(v.shape, expected("shape"));
    assert_eq!(v.chunks, expected("chunks"));
    let nchunks = o.get("nchunks").and_then(Json::as_u64).unwrap() as usize;
    assert_eq!(m.present_count(), nchunks, "{}", name);
    for r in o.get("sample_refs").and_then(Json::as_array).unwrap() {
        let r = r.as_array().unwrap();
        let coords: Vec<u64> = r[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(
            m.entry_at(&coords).unwrap(),
            ChunkEntry::Ref {
                path: "big.h5",
                offset: r[1].as_u64().unwrap(),
                length: r[2].as_u64().unwrap()
            },
            "{} chunk {:?}",
            name,
            coords
        );
    }
    // Tree levels are requested together: a handful of round trips, not one per node.
    assert!(traffic.rounds < 40, "{}: {:?}", name, traffic);
}

#[test]
fn million_chunk_v1_btree() {
    check("nc4_1m_chunks.nc");
}

#[test]
fn million_chunk_extensible_array() {
    check("h5_ea_1m_chunks.h5");
}

#[test]
fn million_chunk_btree_v2() {
    check("h5_bt2_1m_chunks.h5");
}

/// An extensible array with paged data blocks, some pages never written: every chunk
/// compared with h5py.
#[test]
fn paged_extensible_array() {
    let path = common::generated("h5_ea_paged.h5");
    if !path.exists() {
        eprintln!("h5_ea_paged.h5 not generated; run test/fixtures/gen_hdf5.py --large");
        return;
    }
    let bytes = common::read(&path);
    let oracle = common::oracle(&path);
    let refs = oracle
        .get("variables")
        .and_then(|v| v.get("v"))
        .and_then(|v| v.get("chunk_refs"))
        .and_then(Json::as_array)
        .unwrap();
    let file = common::scan("big.h5", &bytes).unwrap();
    let m = file.root.variables[0].manifest.as_ref().unwrap();
    for r in refs {
        let r = r.as_array().unwrap();
        let i = r[0].as_array().unwrap()[0].as_u64().unwrap();
        assert_eq!(
            m.entry_at(&[i]).unwrap(),
            ChunkEntry::Ref {
                path: "big.h5",
                offset: r[1].as_u64().unwrap(),
                length: r[2].as_u64().unwrap()
            },
            "chunk {}",
            i
        );
    }
    assert_eq!(m.present_count(), refs.len());
}

/// 30,000 links in one group: a link heap with nested indirect blocks.
#[test]
fn nested_fractal_heap_indirect_blocks() {
    let path = common::generated("h5_many_links.h5");
    if !path.exists() {
        eprintln!("h5_many_links.h5 not generated; run test/fixtures/gen_hdf5.py --large");
        return;
    }
    let bytes = common::read(&path);
    let oracle = common::oracle(&path);
    let n = oracle.get("links").and_then(Json::as_u64).unwrap() as usize;
    let suffix = oracle.get("name_suffix").and_then(Json::as_str).unwrap();
    let file = common::scan("links.h5", &bytes).unwrap();
    let g = file.root.groups.iter().find(|g| g.name == "many").unwrap();
    assert!(g.skipped.is_empty(), "{:?}", g.skipped);
    assert_eq!(g.variables.len(), n);
    // No creation order is tracked: members come in name order.
    for (i, v) in g.variables.iter().enumerate() {
        assert_eq!(v.name, format!("link_{:06}_{}", i, suffix));
    }
}
