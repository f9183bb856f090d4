//! Every GRIB file of the shared corpus is scanned and decoded and compared with what
//! ecCodes read (`truth.json`: per message offset, length, shortName, sum/min/max and the
//! number of bitmap-missing points). JPEG 2000 fields must fail with the tagged error.

mod grib_common;

use grib_common::*;
use vzarr_core::json::Json;
use vzarr_core::ErrorKind;

const CORPUS: &str = "/work/shared/corpus";

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

#[test]
fn corpus_matches_eccodes() {
    let truth_path = format!("{}/truth.json", CORPUS);
    if !std::path::Path::new(&truth_path).exists() {
        eprintln!("corpus not present; skipping");
        return;
    }
    let truth = read_json(&truth_path);
    let files = match &truth {
        Json::Object(f) => f.clone(),
        _ => panic!("truth.json is not an object"),
    };
    let mut checked_messages = 0;
    for (name, entry) in files {
        let messages = match entry.get("messages").and_then(Json::as_array) {
            Some(m) => m.to_vec(),
            None => continue,
        };
        let bytes = std::fs::read(format!("{}/{}", CORPUS, name)).unwrap();
        let (file, requested, _) =
            scan(&name, &bytes).unwrap_or_else(|e| panic!("{}: {}", name, e));
        assert_eq!(file.format, "grib");
        // Scanning reads only metadata: a fraction of the bytes of files with big messages.
        if bytes.len() > 1 << 20 {
            assert!(
                requested * 4 < bytes.len() as u64,
                "{}: requested {} of {} bytes",
                name,
                requested,
                bytes.len()
            );
        }
        let vars = variables(&file);
        // Each message's chunk appears in a variable named by its shortName.
        let mut refs: Vec<(u64, u64, String)> = Vec::new();
        for (path, v) in &vars {
            if let Some(m) = &v.manifest {
                for e in m.iter() {
                    if let vzarr_core::ChunkEntry::Ref { offset, length, .. } = e {
                        refs.push((offset, length, path.clone()));
                    }
                }
            }
        }
        refs.sort();
        assert_eq!(refs.len(), messages.len(), "{}: chunk count", name);
        for (m, (offset, length, path)) in messages.iter().zip(&refs) {
            assert_eq!(
                m.get("offset").unwrap().as_u64().unwrap(),
                *offset,
                "{}",
                name
            );
            assert_eq!(
                m.get("length").unwrap().as_u64().unwrap(),
                *length,
                "{}",
                name
            );
            let short = m.get("shortName").unwrap().as_str().unwrap();
            assert_eq!(
                path.rsplit('/').next().unwrap(),
                short,
                "{} at {}",
                name,
                offset
            );
        }
        // Values.
        for (m, (offset, length, path)) in messages.iter().zip(&refs) {
            let packing = m.get("packingType").unwrap().as_str().unwrap();
            let var = vars.iter().find(|(p, _)| p == path).unwrap().1;
            let chunk = &bytes[*offset as usize..(*offset + *length) as usize];
            let result = decode_chunk(var, chunk);
            if packing == "grid_jpeg" {
                let err = result.unwrap_err();
                assert_eq!(err.kind, ErrorKind::UnsupportedFeature, "{}", name);
                assert!(err.message.contains("JPEG 2000"), "{}", err.message);
                continue;
            }
            let values = result.unwrap_or_else(|e| panic!("{} at {}: {}", name, offset, e));
            let (sum, min, max, nan) = stats(&values);
            let t_sum = m.get("sum").unwrap().as_f64().unwrap();
            let t_min = m.get("min").unwrap().as_f64().unwrap();
            let t_max = m.get("max").unwrap().as_f64().unwrap();
            let t_missing = m.get("n_missing").unwrap().as_u64().unwrap() as usize;
            // Bitmap-missing points are NaN; missing-value-management points are ecCodes'
            // 9999, counted as values, exactly as ecCodes reports them.
            assert!(
                nan == t_missing,
                "{} at {}: {} NaN, {} missing",
                name,
                offset,
                nan,
                t_missing
            );
            assert!(
                close(sum, t_sum, 1e-9),
                "{} at {}: sum {} vs {}",
                name,
                offset,
                sum,
                t_sum
            );
            assert!(
                close(min, t_min, 1e-12) && close(max, t_max, 1e-12),
                "{} at {}: min/max {} {} vs {} {}",
                name,
                offset,
                min,
                max,
                t_min,
                t_max
            );
            checked_messages += 1;
        }
    }
    assert!(
        checked_messages > 150,
        "only {} messages checked",
        checked_messages
    );
}
