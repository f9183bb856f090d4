//! Scanner tests on hand-built headers: layouts netCDF4-python cannot be made to write
//! (streaming, huge record counts, hostile counts) and the request pattern.

use super::*;
use crate::error::ErrorKind;
use crate::sansio::ByteCache;
use crate::scan::{FormatScanner, ScannedFile};

/// Writes netCDF3 headers field by field.
struct HeaderWriter {
    out: Vec<u8>,
    cdf5: bool,
    wide_begin: bool,
}

impl HeaderWriter {
    fn new(version: u8) -> HeaderWriter {
        HeaderWriter {
            out: vec![b'C', b'D', b'F', version],
            cdf5: version == 5,
            wide_begin: version != 1,
        }
    }
    fn word(&mut self, v: u32) -> &mut Self {
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn count(&mut self, v: u64) -> &mut Self {
        if self.cdf5 {
            self.out.extend_from_slice(&v.to_be_bytes());
        } else {
            self.out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        self
    }
    fn begin(&mut self, v: u64) -> &mut Self {
        if self.wide_begin {
            self.out.extend_from_slice(&v.to_be_bytes());
        } else {
            self.out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        self
    }
    fn name(&mut self, s: &str) -> &mut Self {
        self.count(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
        self
    }
    fn absent(&mut self) -> &mut Self {
        self.word(0).count(0)
    }
    fn dims(&mut self, dims: &[(&str, u64)]) -> &mut Self {
        self.word(0x0A).count(dims.len() as u64);
        for (n, l) in dims {
            self.name(n).count(*l);
        }
        self
    }
    /// `(name, dimids, nc_type, begin)`, no attributes.
    fn vars(&mut self, vars: &[(&str, &[u64], u32, u64)]) -> &mut Self {
        self.word(0x0B).count(vars.len() as u64);
        for (n, ids, t, b) in vars {
            self.name(n).count(ids.len() as u64);
            for &id in *ids {
                self.count(id);
            }
            self.absent().word(*t).count(0).begin(*b);
        }
        self
    }
}

/// Runs the scanner over a file of `file_size` bytes whose only known bytes are `head`
/// (the rest reads as zeros if asked for); returns the result and the requests made.
fn scan(head: &[u8], file_size: u64) -> (crate::Result<ScannedFile>, Vec<ByteRange>) {
    let mut cache = ByteCache::new(file_size);
    let mut scanner = Box::new(NetCdf3Scanner::new("f.nc", &ScanOptions::default()).unwrap());
    let mut requests = Vec::new();
    for _ in 0..100 {
        let needs = match scanner.advance(&cache) {
            Ok(n) => n,
            Err(e) => return (Err(e), requests),
        };
        if needs.is_empty() {
            return (scanner.finish(), requests);
        }
        for r in needs {
            requests.push(r);
            let mut bytes = vec![0u8; r.length as usize];
            for (i, b) in bytes.iter_mut().enumerate() {
                if let Some(&h) = head.get(r.offset as usize + i) {
                    *b = h;
                }
            }
            cache.insert(r.offset, bytes);
        }
    }
    panic!("no end");
}

fn kind(r: &crate::Result<ScannedFile>) -> Option<ErrorKind> {
    r.as_ref().err().map(|e| e.kind)
}

#[test]
fn merges_the_records_of_a_single_record_variable_into_complete_chunks() {
    // 1000 records of 8 KiB: 512 fit in 4 MiB; the largest divisor of 1000 below is 500.
    let mut w = HeaderWriter::new(2);
    w.word(1000).dims(&[("t", 0), ("x", 1024)]).absent();
    w.vars(&[("v", &[0, 1], 6, 4096)]);
    let size = 4096 + 1000 * 8192;
    let (r, requests) = scan(&w.out, size);
    let f = r.unwrap();
    let v = &f.root.variables[0];
    assert_eq!(v.shape, [1000, 1024]);
    assert_eq!(v.chunks, [500, 1024]);
    let m = v.manifest.as_ref().unwrap();
    assert_eq!(m.offsets(), [4096, 4096 + 500 * 8192]);
    assert_eq!(m.lengths(), [500 * 8192, 500 * 8192]);
    // Only the header was asked for, never the 8 MB of data.
    assert_eq!(requests, [ByteRange::new(0, FIRST_BLOCK)]);
}

#[test]
fn records_per_chunk_keeps_chunks_complete() {
    assert_eq!(records_per_chunk(7, 6), 7);
    assert_eq!(records_per_chunk(0, 6), 1);
    assert_eq!(records_per_chunk(1000, 8192), 500);
    assert_eq!(records_per_chunk(1009, 8192), 1, "prime: no divisor fits");
    assert_eq!(records_per_chunk(10, MERGE_TARGET_BYTES + 1), 1);
    assert_eq!(records_per_chunk(1 << 40, 1), MERGE_TARGET_BYTES);
    assert_eq!(records_per_chunk(12, MERGE_TARGET_BYTES / 5), 4);
}

#[test]
fn streaming_record_count_comes_from_the_file_size() {
    // Two record variables, i2(t, 3) → 6 bytes padded to 8, and f8(t): recsize 16. The
    // file ends right after the last record's data of the second variable.
    let mut w = HeaderWriter::new(1);
    w.word(0xFFFF_FFFF).dims(&[("t", 0), ("x", 3)]).absent();
    w.vars(&[("a", &[0, 1], 3, 200), ("b", &[0], 6, 208)]);
    let (r, _) = scan(&w.out, 200 + 16 * 9 + 8 + 8);
    let f = r.unwrap();
    assert_eq!(f.root.dims[0], ("t".to_string(), 10));
    assert_eq!(f.root.variables[1].manifest.as_ref().unwrap().len(), 10);
    // One byte short of the last record of `b`: 9 records.
    let (r, _) = scan(&w.out, 200 + 16 * 9 + 8 + 7);
    assert_eq!(r.unwrap().root.dims[0].1, 9);
}

#[test]
fn long_headers_are_read_in_growing_blocks() {
    // 20000 dimensions (~320 KB of header).
    let mut w = HeaderWriter::new(1);
    w.word(0);
    let names: Vec<String> = (0..20000).map(|i| format!("dimension_{:05}", i)).collect();
    let dims: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 2)).collect();
    w.dims(&dims).absent().absent();
    let len = w.out.len() as u64;
    let (r, requests) = scan(&w.out, len + 1000);
    assert_eq!(r.unwrap().root.dims.len(), 20000);
    assert!(requests.len() <= 4, "{:?}", requests);
    let fetched: u64 = requests.iter().map(|r| r.length).sum();
    // A read that straddles two blocks is asked for whole: a few bytes come twice.
    assert!(fetched <= len + 1000 + 64, "{:?}", requests);
}

#[test]
fn hostile_headers_give_tagged_errors() {
    let cases: Vec<(&str, Vec<u8>, u64, ErrorKind)> = vec![
        (
            "bad magic",
            b"CDF\x03\0\0\0\0".to_vec(),
            64,
            ErrorKind::CorruptFile,
        ),
        (
            "truncated",
            b"CDF\x01\0\0".to_vec(),
            6,
            ErrorKind::CorruptFile,
        ),
        {
            let mut w = HeaderWriter::new(5);
            w.count(0).word(0x0A).count(u64::MAX);
            (
                "absurd dim count",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).word(0x0A).count(1).count(0xFFFF_FFF0);
            (
                "absurd name length",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).dims(&[("a", 0), ("b", 0)]).absent().absent();
            (
                "two unlimited dims",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).dims(&[("t", 0), ("x", 2)]).absent();
            w.vars(&[("v", &[1, 0], 4, 200)]);
            (
                "record dim not first",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).dims(&[("x", 2)]).absent();
            w.vars(&[("v", &[7], 4, 200)]);
            (
                "unknown dim id",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).dims(&[("x", 2)]).absent();
            w.vars(&[("v", &[0], 4, 8)]);
            (
                "begin inside the header",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).dims(&[("x", 2)]).absent();
            w.vars(&[("v", &[0], 10, 200)]);
            (
                "CDF5 type in CDF1",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(5);
            w.count(3).dims(&[("t", 0), ("x", 1 << 62)]).absent();
            w.vars(&[("v", &[0, 1, 1], 6, 200)]);
            ("size overflow", w.out.clone(), 4096, ErrorKind::CorruptFile)
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(1_000_000).dims(&[("t", 0)]).absent();
            w.vars(&[("v", &[0], 6, 200)]);
            (
                "records past the end",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0)
                .word(0x0A)
                .count(0)
                .word(0x0C)
                .count(0)
                .word(0x0B)
                .count(1);
            w.name("v").count(5000);
            (
                "too many axes",
                w.out.clone(),
                1 << 20,
                ErrorKind::LimitExceeded,
            )
        },
        {
            let mut w = HeaderWriter::new(1);
            w.word(0).word(0).count(3);
            (
                "absent list with elements",
                w.out.clone(),
                4096,
                ErrorKind::CorruptFile,
            )
        },
    ];
    for (what, head, size, expected) in cases {
        let (r, _) = scan(&head, size);
        assert_eq!(kind(&r), Some(expected), "{}: {:?}", what, r.err());
    }
}

#[test]
fn options_select_and_drop() {
    let mut w = HeaderWriter::new(1);
    w.word(0).dims(&[("x", 2)]).absent();
    w.vars(&[("a", &[0], 4, 180), ("b", &[0], 4, 188)]);
    let options = ScanOptions {
        group: String::new(),
        drop_variables: vec!["/a".to_string()],
        ..Default::default()
    };
    let mut scanner = NetCdf3Scanner::new("f.nc", &options).unwrap();
    let mut cache = ByteCache::new(200);
    let mut head = w.out.clone();
    head.resize(200, 0);
    cache.insert(0, head);
    assert!(scanner.advance(&cache).unwrap().is_empty());
    let f = Box::new(scanner).finish().unwrap();
    let names: Vec<&str> = f.root.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["b"]);
    let options = ScanOptions {
        group: "sub".to_string(),
        drop_variables: Vec::new(),
        ..Default::default()
    };
    let e = NetCdf3Scanner::new("f.nc", &options).err().unwrap();
    assert_eq!(e.kind, ErrorKind::NotFound);
}
