//! `ScanOptions` (group selection, dropped variables) and format detection for HDF5.

#[path = "hdf5_common/mod.rs"]
mod common;

use vzarr_core::scan::{Format, ScanOptions};
use vzarr_core::ErrorKind;

fn options(group: &str, drop: &[&str]) -> ScanOptions {
    ScanOptions {
        group: group.to_string(),
        drop_variables: drop.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn nc4() -> Vec<u8> {
    common::read(&common::fixture("nc4_basic.nc"))
}

#[test]
fn selects_a_subgroup_with_the_dimensions_it_uses() {
    let bytes = nc4();
    let (all, all_traffic) =
        common::scan_with("f.nc", &bytes, Format::Auto, ScanOptions::default());
    assert!(all.is_ok());
    let (r, traffic) = common::scan_with(
        "f.nc",
        &bytes,
        Format::Auto,
        options("forecast/member_01", &[]),
    );
    let f = r.unwrap();
    assert_eq!(f.format, "netcdf4");
    assert_eq!(f.root.name, "");
    let names: Vec<&str> = f.root.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["precip"]);
    assert_eq!(f.root.variables[0].dims, ["time", "level", "lon"]);
    // Its own dimension plus the ones it uses from ancestors.
    let mut dims = f.root.dims.clone();
    dims.sort();
    assert_eq!(
        dims,
        [
            ("level".to_string(), 2),
            ("lon".to_string(), 8),
            ("time".to_string(), 5)
        ]
    );
    assert!(f.root.groups.is_empty());
    // Chunk indexes outside the selection are not read.
    assert!(
        traffic.bytes < all_traffic.bytes,
        "{:?} vs {:?}",
        traffic,
        all_traffic
    );

    let f = common::scan_with("f.nc", &bytes, Format::Auto, options("/forecast/", &[]))
        .0
        .unwrap();
    assert_eq!(f.root.variables.len(), 10);
    assert_eq!(f.root.groups.len(), 1);
    assert_eq!(f.root.groups[0].name, "member_01");
    assert_eq!(
        f.root.attrs,
        vec![("description".to_string(), "a group".into())]
    );
}

#[test]
fn missing_groups_are_not_found() {
    let bytes = nc4();
    for group in ["nope", "forecast/nope", "temp"] {
        let err = common::scan_with("f.nc", &bytes, Format::Auto, options(group, &[]))
            .0
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound, "{}: {}", group, err);
        assert_eq!(err.file.as_deref(), Some("f.nc"));
    }
}

#[test]
fn drops_variables_by_path_or_name() {
    let bytes = nc4();
    let f = common::scan_with(
        "f.nc",
        &bytes,
        Format::Auto,
        options("", &["temp", "forecast/v01", "precip", "/lat"]),
    )
    .0
    .unwrap();
    let root: Vec<&str> = f.root.variables.iter().map(|v| v.name.as_str()).collect();
    assert!(!root.contains(&"temp") && !root.contains(&"lat"));
    assert!(root.contains(&"lon") && root.contains(&"big"));
    // Dimensions stay even when their coordinate variable is dropped.
    assert!(f.root.dims.iter().any(|(n, l)| n == "lat" && *l == 6));
    let fc = &f.root.groups[0];
    assert_eq!(fc.variables.len(), 9);
    assert!(fc.groups[0].variables.is_empty());
}

#[test]
fn finds_the_superblock_behind_a_user_block() {
    for (name, at) in [
        ("h5_userblock.h5", 1024u64),
        ("h5_userblock_latest.h5", 512),
    ] {
        let bytes = common::read(&common::fixture(name));
        for format in [Format::Auto, Format::Hdf5] {
            let f = common::scan_with(name, &bytes, format, ScanOptions::default())
                .0
                .unwrap();
            let data = f.root.variables.iter().find(|v| v.name == "data").unwrap();
            let m = data.manifest.as_ref().unwrap();
            // Chunk offsets are file positions: past the user block.
            for e in m.iter() {
                if let vzarr_core::ChunkEntry::Ref { offset, .. } = e {
                    assert!(offset > at);
                }
            }
        }
    }
}

#[test]
fn refuses_files_that_are_not_hdf5() {
    let mut bytes = vec![0u8; 5000];
    bytes[..4].copy_from_slice(b"nope");
    let err = common::scan_with("x.bin", &bytes, Format::Hdf5, ScanOptions::default())
        .0
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnsupportedFeature, "{}", err);
    let err = common::scan_with("x.bin", &bytes, Format::Auto, ScanOptions::default())
        .0
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnsupportedFeature, "{}", err);
}
