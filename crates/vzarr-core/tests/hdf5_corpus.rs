//! Every HDF5 / netCDF-4 file of the shared corpus (files written by netCDF-C, h5py and
//! h5wasm's HDF5) either scans or fails with a tagged error; where it scans, shapes and
//! dtypes match `truth.json` (h5py / netCDF4-python), and so do the sums of the values of
//! every unfiltered numeric variable, read back through our manifests.

#[path = "hdf5_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use vzarr_core::json::Json;
use vzarr_core::scan::{ScannedFile, ScannedGroup, ScannedVariable};
use vzarr_core::ChunkEntry;

/// The shared corpus: `$VZARR_CORPUS`, or `shared/corpus` next to the repository (or next
/// to the folder holding this worktree).
fn corpus() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("VZARR_CORPUS") {
        return Some(PathBuf::from(p));
    }
    let root = common::repo_root();
    ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|rel| root.join(rel))
        .find(|p| p.join("truth.json").exists())
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

fn is_hdf5(bytes: &[u8]) -> bool {
    vzarr_core::hdf5::superblock_offsets(bytes.len() as u64)
        .into_iter()
        .any(|at| bytes.get(at as usize..at as usize + 8) == Some(&vzarr_core::hdf5::SIGNATURE[..]))
}

/// The variable at `path`: netCDF-4 files show `_nc4_non_coord_y` as `y`, other HDF5 files
/// keep the dataset's own name (as netCDF4-python and h5py report them).
fn find<'a>(g: &'a ScannedGroup, path: &str, netcdf: bool) -> Option<&'a ScannedVariable> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop()?;
    let name = if netcdf {
        name.strip_prefix("_nc4_non_coord_").unwrap_or(name)
    } else {
        name
    };
    let mut g = g;
    for p in parts {
        g = g.groups.iter().find(|s| s.name == p)?;
    }
    g.variables.iter().find(|v| v.name == name)
}

fn little(dtype: &str) -> String {
    dtype.replacen('>', "<", 1)
}

/// Element values of an unfiltered numeric variable, decoded from the file through the
/// manifest (C order, edge chunks cropped, missing chunks as the fill value), as f64.
fn values(v: &ScannedVariable, file: &[u8]) -> Option<Vec<f64>> {
    if v.codecs.len() != 1 || v.dtype.len() < 3 {
        return None;
    }
    let (order, kind, size) = (
        v.dtype.as_bytes()[0],
        v.dtype.as_bytes()[1],
        v.dtype[2..].parse::<usize>().ok()?,
    );
    let decode = |b: &[u8]| -> Option<f64> {
        let mut raw = [0u8; 8];
        if order == b'>' {
            for (i, x) in b.iter().rev().enumerate() {
                raw[i] = *x;
            }
        } else {
            raw[..size].copy_from_slice(b);
        }
        let u = u64::from_le_bytes(raw);
        Some(match (kind, size) {
            (b'f', 4) => f64::from(f32::from_bits(u as u32)),
            (b'f', 8) => f64::from_bits(u),
            (b'i', n) => {
                let shift = 64 - 8 * n as u32;
                (((u << shift) as i64) >> shift) as f64
            }
            (b'u', _) | (b'b', _) => u as f64,
            _ => return None,
        })
    };
    let m = v.manifest.as_ref()?;
    let n: u64 = v.shape.iter().product();
    // Missing chunks read as the fill value, as a Zarr reader would give them.
    let fill = v.fill_value.as_f64().unwrap_or(0.0);
    let mut out = vec![fill; n as usize];
    let grid = m.shape().to_vec();
    let chunk_len: u64 = v.chunks.iter().product();
    for index in 0..m.len() {
        let bytes: &[u8] = match m.entry(index).ok()? {
            ChunkEntry::Missing => continue,
            ChunkEntry::Inlined(b) => b,
            ChunkEntry::Ref { offset, length, .. } => {
                file.get(offset as usize..(offset + length) as usize)?
            }
        };
        if (bytes.len() as u64) < chunk_len * size as u64 {
            return None;
        }
        let coords = vzarr_core::manifest::unravel(index as u64, &grid);
        for k in 0..chunk_len {
            let local = vzarr_core::manifest::unravel(k, &v.chunks);
            let global: Vec<u64> = local
                .iter()
                .zip(&coords)
                .zip(&v.chunks)
                .map(|((l, c), s)| c * s + l)
                .collect();
            if global.iter().zip(&v.shape).any(|(g, s)| g >= s) {
                continue;
            }
            let flat = vzarr_core::manifest::ravel(&global, &v.shape).ok()?;
            let at = (k as usize) * size;
            out[flat as usize] = decode(&bytes[at..at + size])?;
        }
    }
    Some(out)
}

/// Compares one scanned file with its truth; returns how many value sums were compared.
fn check(name: &str, file: &ScannedFile, bytes: &[u8], truth: &Json) -> usize {
    let mut sums = 0;
    let vars = match truth {
        Json::Object(f) => f,
        _ => return 0,
    };
    let truth_kind = truth.get("_kind").and_then(Json::as_str);
    for (path, t) in vars {
        if path.starts_with('_') && !path.starts_with("_nc4") || t.get("shape").is_none() {
            continue;
        }
        // `y` next to `_nc4_non_coord_y` is the dimension's scale, not the variable `y`.
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        let twin = if dir.is_empty() {
            format!("_nc4_non_coord_{}", base)
        } else {
            format!("{}/_nc4_non_coord_{}", dir, base)
        };
        let netcdf = truth_kind == Some("netcdf4");
        if netcdf && vars.iter().any(|(k, _)| *k == twin) {
            continue;
        }
        let v = match find(&file.root, path, netcdf) {
            Some(v) => v,
            None => continue, // skipped (compound, ...) or a netCDF dimension-only scale
        };
        let shape: Vec<u64> = t
            .get("shape")
            .and_then(Json::as_array)
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(v.shape, shape, "{}:{} shape", name, path);
        if let Some(d) = t.get("dtype").and_then(Json::as_str) {
            // Variable-length strings: the truth records what a read returned (`object`, or
            // `|S5` for a scalar), we record `|O`.
            let vlen = v.dtype == "|O" && (d == "object" || d.starts_with("|S"));
            if !vlen && d != "object" && !d.starts_with('{') && !d.starts_with('[') {
                assert_eq!(little(&v.dtype), d, "{}:{} dtype", name, path);
            }
        }
        // Never-written data read through netCDF-C in NOFILL mode is uninitialised memory
        // in the truth file; there is nothing to compare it with.
        let unwritten = v.manifest.as_ref().is_some_and(|m| m.present_count() == 0);
        let netcdf_truth = truth_kind == Some("netcdf4");
        if unwritten && netcdf_truth {
            continue;
        }
        if let (Some(sum), Some(vals)) = (t.get("sum").and_then(Json::as_f64), values(v, bytes)) {
            let ours: f64 = vals.iter().filter(|x| !x.is_nan()).sum();
            let tolerance = 1e-6 * sum.abs().max(1.0);
            assert!(
                (ours - sum).abs() <= tolerance,
                "{}:{} sum {} expected {}",
                name,
                path,
                ours,
                sum
            );
            sums += 1;
        }
    }
    sums
}

#[test]
fn corpus_files_scan_or_fail_cleanly() {
    let root = match corpus() {
        Some(r) => r,
        None => {
            eprintln!("shared corpus not found; set VZARR_CORPUS");
            return;
        }
    };
    // Python's json writes bare NaN / Infinity for a few sums; those sums are not compared.
    let text = std::fs::read_to_string(root.join("truth.json")).expect("truth.json");
    let text = text
        .replace(": NaN", ": null")
        .replace(": -Infinity", ": null")
        .replace(": Infinity", ": null");
    let truth = Some(Json::parse(&text).expect("truth.json parses"));
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let (mut scanned, mut sums) = (0, 0);
    for path in all {
        let bytes = common::read(&path);
        if !is_hdf5(&bytes) {
            continue;
        }
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        match common::scan(&rel, &bytes) {
            Ok(file) => {
                scanned += 1;
                if let Some(t) = truth.as_ref().and_then(|t| t.get(&rel)) {
                    sums += check(&rel, &file, &bytes, t);
                }
            }
            Err(e) => {
                // A tagged, located error is an acceptable outcome for a broken file.
                assert!(e.file.is_some(), "{}: error without file: {}", rel, e);
                eprintln!("{}: {}", rel, e);
            }
        }
    }
    assert!(scanned > 20, "only {} corpus files scanned", scanned);
    assert!(
        sums > 20,
        "only {} variables had their values compared",
        sums
    );
}
