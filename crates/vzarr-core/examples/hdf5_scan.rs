//! Scans one file the way a host does (advance, feed the requested ranges from memory,
//! repeat) and reports throughput. Used by bench/ to time the scanner natively:
//!
//!     cargo run --release -p vzarr-core --example hdf5_scan -- FILE [REPEAT] [--json]

use std::time::Instant;
use vzarr_core::scan::{Format, ScanOptions, ScanSession, ScannedFile};

fn scan(url: &str, bytes: &[u8]) -> (ScannedFile, usize, usize, u64) {
    let mut session = ScanSession::new(
        url,
        bytes.len() as u64,
        Format::Auto,
        ScanOptions::default(),
    );
    let (mut rounds, mut ranges, mut fed) = (0, 0, 0u64);
    loop {
        let needs = session.advance().unwrap_or_else(|e| panic!("{}", e));
        if needs.is_empty() {
            break;
        }
        rounds += 1;
        for r in needs {
            ranges += 1;
            fed += r.length;
            let (a, b) = (r.offset as usize, (r.offset + r.length) as usize);
            session.feed(r.offset, bytes[a..b].to_vec());
        }
    }
    (
        session.finish().unwrap_or_else(|e| panic!("{}", e)),
        rounds,
        ranges,
        fed,
    )
}

fn count_chunks(g: &vzarr_core::scan::ScannedGroup) -> usize {
    g.variables
        .iter()
        .filter_map(|v| v.manifest.as_ref())
        .map(|m| m.present_count())
        .sum::<usize>()
        + g.groups.iter().map(count_chunks).sum::<usize>()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .expect("usage: hdf5_scan FILE [REPEAT] [--json]");
    let repeat: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let bytes = std::fs::read(path).expect("readable file");
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let result = scan(path, &bytes);
        best = best.min(start.elapsed().as_secs_f64());
        last = Some(result);
    }
    let (file, rounds, ranges, fed) = last.expect("one scan");
    let chunks = count_chunks(&file.root);
    if args.iter().any(|a| a == "--json") {
        println!("{}", file.to_json());
    }
    println!(
        "{}: {} chunks in {:.3} s ({:.2} M chunks/s), {} rounds, {} ranges, {} bytes fed",
        path,
        chunks,
        best,
        chunks as f64 / best / 1e6,
        rounds,
        ranges,
        fed
    );
}
