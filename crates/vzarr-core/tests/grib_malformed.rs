//! Hostile GRIB input: truncations, wrong lengths, a missing "7777", absurd dimensions and
//! random bit flips must end in a tagged error (or a valid scan), never a panic, a hang or
//! an unbounded allocation.

mod grib_common;

use grib_common::*;
use vzarr_core::grib::decode::decode_message;
use vzarr_core::ErrorKind;

const FILES: [&str; 13] = [
    "grouping.grib2",
    "cluster.grib2",
    "reduced_subarea.grib2",
    "aerosol.grib2",
    "simulated_satellite.grib2",
    "second_order.grib1",
    "grib1.grib1",
    "grids.grib2",
    "multifield.grib2",
    "packing_complex_sd2.grib2",
    "packing_ccsds12.grib2",
    "packing_png.grib2",
    "packing_simple_13.grib2",
];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_path(&format!("test/fixtures/grib/{}", name))).unwrap()
}

/// Scans and decodes every chunk; returns the first error, if any.
fn scan_and_decode(bytes: &[u8]) -> Result<(), vzarr_core::Error> {
    let (file, _, _) = scan("x", bytes)?;
    for (_, v) in variables(&file) {
        if let Some(m) = &v.manifest {
            for e in m.iter() {
                if let vzarr_core::ChunkEntry::Ref { offset, length, .. } = e {
                    decode_chunk(v, &bytes[offset as usize..(offset + length) as usize])?;
                }
            }
        }
    }
    Ok(())
}

fn expect_tagged(result: Result<(), vzarr_core::Error>, what: &str) {
    if let Err(e) = result {
        assert!(
            matches!(
                e.kind,
                ErrorKind::CorruptFile
                    | ErrorKind::UnsupportedFeature
                    | ErrorKind::LimitExceeded
                    | ErrorKind::IncompatibleArrays
            ),
            "{}: unexpected error kind {:?}: {}",
            what,
            e.kind,
            e
        );
    }
}

/// Where each message of a well-formed GRIB file ends (lengths from the indicator sections).
fn message_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0;
    while at + 16 <= bytes.len() && &bytes[at..at + 4] == b"GRIB" {
        let length = match bytes[at + 7] {
            1 => {
                (usize::from(bytes[at + 4]) << 16)
                    | (usize::from(bytes[at + 5]) << 8)
                    | usize::from(bytes[at + 6])
            }
            _ => u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()) as usize,
        };
        at += length;
        ends.push(at);
    }
    ends
}

#[test]
fn truncated_files_fail_cleanly() {
    for name in FILES {
        let bytes = fixture(name);
        let step = (bytes.len() / 97).max(1);
        let ends = message_ends(&bytes);
        for cut in (8..bytes.len()).step_by(step) {
            // A few bytes after a whole message are junk too short to start another one.
            if ends.iter().any(|&end| cut >= end && cut < end + 4) {
                continue;
            }
            let result = scan("x", &bytes[..cut]).map(|_| ());
            // A cut inside a message must be reported; the error names the offset.
            let err = result.expect_err(&format!("{} cut at {} scanned", name, cut));
            assert_eq!(
                err.kind,
                ErrorKind::CorruptFile,
                "{} cut at {}: {}",
                name,
                cut,
                err
            );
            assert!(err.offset.is_some(), "{}: {}", name, err);
        }
    }
}

#[test]
fn missing_end_marker_and_wrong_lengths() {
    let bytes = fixture("packing_simple_13.grib2");
    let mut no_end = bytes.clone();
    let end = no_end.len();
    no_end[end - 4..].copy_from_slice(b"7776");
    let err = scan("x", &no_end).unwrap_err();
    assert_eq!(err.kind, ErrorKind::CorruptFile);
    assert!(err.message.contains("7777"), "{}", err);

    // GRIB2 total length (octets 9–16) too long, too short, absurd.
    for length in [bytes.len() as u64 * 10, 20, u64::MAX, 0] {
        let mut b = bytes.clone();
        b[8..16].copy_from_slice(&length.to_be_bytes());
        let err = scan("x", &b).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::CorruptFile,
            "length {}: {}",
            length,
            err
        );
    }
    // A section length pointing past the message.
    let mut b = bytes.clone();
    b[16..20].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
    assert_eq!(scan("x", &b).unwrap_err().kind, ErrorKind::CorruptFile);
    // An unknown edition.
    let mut b = bytes.clone();
    b[7] = 3;
    assert_eq!(
        scan("x", &b).unwrap_err().kind,
        ErrorKind::UnsupportedFeature
    );
}

/// Why the first message of `bytes` is refused: the scan's error, or the reason the message
/// was left out of a file whose other messages are read.
fn refusal(bytes: &[u8]) -> vzarr_core::Error {
    match scan("x", bytes) {
        Err(e) => e,
        Ok((file, _, _)) => {
            let item = file.root.skipped.first().expect("the message is refused");
            assert!(item.name.starts_with("message 1 "), "{}", item.name);
            item.error.clone()
        }
    }
}

#[test]
fn absurd_dimensions_are_refused() {
    let bytes = fixture("packing_simple_13.grib2");
    // Section 3 starts after section 1; set Ni and Nj to 2^31 − 1 and the point count to
    // their (overflowing) product.
    let sec1 = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]) as usize;
    let s3 = 16 + sec1;
    assert_eq!(bytes[s3 + 4], 3);
    let mut b = bytes.clone();
    b[s3 + 30..s3 + 34].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    b[s3 + 34..s3 + 38].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    b[s3 + 6..s3 + 10].copy_from_slice(&0xffff_ffffu32.to_be_bytes());
    let err = refusal(&b);
    assert!(
        matches!(err.kind, ErrorKind::CorruptFile | ErrorKind::LimitExceeded),
        "{}",
        err
    );
    // A consistent but absurd grid: 65536 × 65536 points.
    let mut b = bytes.clone();
    b[s3 + 30..s3 + 34].copy_from_slice(&65536u32.to_be_bytes());
    b[s3 + 34..s3 + 38].copy_from_slice(&65536u32.to_be_bytes());
    b[s3 + 6..s3 + 10].copy_from_slice(&0u32.to_be_bytes());
    let err = refusal(&b);
    assert!(
        matches!(err.kind, ErrorKind::CorruptFile | ErrorKind::LimitExceeded),
        "{}",
        err
    );
    assert!(decode_message(&b).is_err());
}

/// The first message of a GRIB1 file and the offset of its BDS in it.
fn first_grib1_message(bytes: &[u8]) -> (Vec<u8>, usize) {
    let u24 = |at: usize| {
        (usize::from(bytes[at]) << 16)
            | (usize::from(bytes[at + 1]) << 8)
            | usize::from(bytes[at + 2])
    };
    let total = u24(4);
    let pds_flags = bytes[8 + 7];
    let mut at = 8 + u24(8);
    for present in [pds_flags & 0x80 != 0, pds_flags & 0x40 != 0] {
        if present {
            at += u24(at);
        }
    }
    (bytes[..total].to_vec(), at)
}

#[test]
fn second_order_forms_and_headers_are_checked() {
    let (message, bds) = first_grib1_message(&fixture("second_order.grib1"));
    assert!(decode_message(&message).is_ok());
    // Octet 14: the extended flags. ecCodes writes none of these forms; they are refused by name.
    for (flags, name) in [
        (0x10, "grid_second_order_row_by_row"),
        (0x20, "grid_second_order_constant_width"),
        (0x30, "grid_second_order_general_grib1"),
        (0x5e, "matrix of values"),
    ] {
        let mut m = message.clone();
        m[bds + 13] = flags;
        let err = decode_message(&m).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsupportedFeature, "{}", err);
        assert!(err.message.contains(name), "{}", err);
    }
    // More groups than values (octets 17-18 and 21), a group width beyond 63 bits (the
    // width of the widths, octet 22), and a first-value field of 0 bits (octet 26).
    for (at, value, what) in [
        (16, 0xff, "groups"),
        (20, 0x7f, "groups"),
        (21, 0x40, "bits each"),
        (25, 0, "bits"),
    ] {
        let mut m = message.clone();
        m[bds + at] = value;
        let err = decode_message(&m).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::CorruptFile,
            "octet {}: {}",
            at + 1,
            err
        );
        assert!(err.message.contains(what), "octet {}: {}", at + 1, err);
    }
}

/// A small deterministic generator (xorshift) for mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn bit_flips_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for name in FILES {
        let bytes = fixture(name);
        let rounds: usize = std::env::var("GRIB_FUZZ_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(150);
        for round in 0..rounds {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() % b.len() as u64) as usize;
                b[at] ^= 1 << (rng.next() % 8);
            }
            expect_tagged(scan_and_decode(&b), &format!("{} round {}", name, round));
        }
    }
}

#[test]
fn mutated_messages_never_panic_the_codec() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for name in FILES {
        let bytes = fixture(name);
        let (file, _, _) = scan(name, &bytes).unwrap();
        for (_, v) in variables(&file) {
            let m = match &v.manifest {
                Some(m) => m,
                None => continue,
            };
            for e in m.iter() {
                if let vzarr_core::ChunkEntry::Ref { offset, length, .. } = e {
                    let chunk = &bytes[offset as usize..(offset + length) as usize];
                    for _ in 0..30 {
                        let mut c = chunk.to_vec();
                        // Flip bits in the metadata (first 200 bytes) where they matter most.
                        for _ in 0..1 + rng.next() % 4 {
                            let at = (rng.next() % c.len().min(200) as u64) as usize;
                            c[at] ^= 1 << (rng.next() % 8);
                        }
                        let _ = decode_message(&c);
                        let cut = (rng.next() % c.len() as u64) as usize;
                        let _ = decode_message(&c[..cut]);
                    }
                }
            }
        }
    }
}

#[test]
fn junk_between_messages_is_skipped() {
    let bytes = fixture("packing_simple_13.grib2");
    let (clean, _, _) = scan("x", &bytes).unwrap();
    let clean_chunks: usize = variables(&clean)
        .iter()
        .filter_map(|(_, v)| v.manifest.as_ref())
        .map(|m| m.present_count())
        .sum();
    // A WMO bulletin-like header before, padding between and zeros after the messages.
    let mut b = b"TTAA00 ECMF 010000\r\r\n".to_vec();
    b.extend_from_slice(&bytes);
    b.extend_from_slice(&[0u8; 1000]);
    let mut session = vzarr_core::scan::ScanSession::new(
        "x",
        b.len() as u64,
        vzarr_core::scan::Format::Grib,
        Default::default(),
    );
    loop {
        let needs = session.advance().unwrap();
        if needs.is_empty() {
            break;
        }
        for r in needs {
            session.feed(
                r.offset,
                b[r.offset as usize..(r.offset + r.length) as usize].to_vec(),
            );
        }
    }
    let file = session.finish().unwrap();
    let chunks: usize = variables(&file)
        .iter()
        .filter_map(|(_, v)| v.manifest.as_ref())
        .map(|m| m.present_count())
        .sum();
    assert_eq!(chunks, clean_chunks);
}

/// GRIB1 messages over 8 MB encode their length in 120-byte units (ecCodes' rule):
/// the scanner must find the true length and the codec the whole BDS.
#[test]
fn grib1_large_messages() {
    let bytes = fixture("grib1.grib1");
    let small_length = u32::from_be_bytes([0, bytes[4], bytes[5], bytes[6]]) as usize;
    let small = &bytes[..small_length];
    let expected = decode_message(small).unwrap();
    let pds = u32::from_be_bytes([0, small[8], small[9], small[10]]) as usize;
    let gds = u32::from_be_bytes([0, small[8 + pds], small[9 + pds], small[10 + pds]]) as usize;
    let bds_at = 8 + pds + gds;
    let bds_length =
        u32::from_be_bytes([0, small[bds_at], small[bds_at + 1], small[bds_at + 2]]) as usize;
    // Pad the BDS with zeros so that the message is 70 000 units of 120 bytes (8.4 MB).
    let total = 70_000 * 120;
    let mut big = small[..bds_at + bds_length].to_vec();
    big.resize(total - 4, 0);
    big.extend_from_slice(b"7777");
    // Length field: 0x800000 | units; BDS length field: the remainder 120·units − total + 4.
    let units = 70_000u32 | 0x80_0000;
    big[4..7].copy_from_slice(&units.to_be_bytes()[1..]);
    let remainder = 4u32;
    big[bds_at..bds_at + 3].copy_from_slice(&remainder.to_be_bytes()[1..]);
    let mut file = big.clone();
    file.extend_from_slice(small);
    let (scanned, requested, _) = scan("big", &file).unwrap();
    assert!(requested < 100_000, "the scan read {} bytes", requested);
    let mut refs = Vec::new();
    for (_, v) in variables(&scanned) {
        for e in v.manifest.iter().flat_map(|m| m.iter()) {
            if let vzarr_core::ChunkEntry::Ref { offset, length, .. } = e {
                refs.push((offset, length));
            }
        }
    }
    refs.sort();
    assert_eq!(
        refs,
        [(0, total as u64), (total as u64, small_length as u64)]
    );
    assert_eq!(decode_message(&big).unwrap(), expected);
}

#[test]
fn files_without_messages_and_oversized_sections() {
    let junk = vec![7u8; 5000];
    let mut session = vzarr_core::scan::ScanSession::new(
        "junk",
        junk.len() as u64,
        vzarr_core::scan::Format::Grib,
        Default::default(),
    );
    // The scanner's verdict comes from the last advance (the session finishes the scanner
    // there, before loading anything) or, at the latest, from finish.
    let error = loop {
        let needs = match session.advance() {
            Ok(needs) => needs,
            Err(e) => break e,
        };
        if needs.is_empty() {
            break session.finish().unwrap_err();
        }
        for r in needs {
            session.feed(
                r.offset,
                junk[r.offset as usize..(r.offset + r.length) as usize].to_vec(),
            );
        }
    };
    assert_eq!(error.kind, ErrorKind::CorruptFile);
    // A section 5 claiming 64 MB inside a (padded) 64 MB message is refused without
    // being read.
    let bytes = fixture("packing_simple_13.grib2");
    let mut pos = 16;
    while bytes[pos + 4] != 5 {
        pos += u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
            as usize;
    }
    let big = 64u32 << 20;
    let mut b = bytes[..pos].to_vec();
    b.extend_from_slice(&big.to_be_bytes());
    b.push(5);
    b.resize(pos + big as usize + 100, 0);
    b.extend_from_slice(b"7777");
    let total = b.len() as u64;
    b[8..16].copy_from_slice(&total.to_be_bytes());
    let (mut requested, mut session) = (
        0u64,
        vzarr_core::scan::ScanSession::new(
            "big",
            b.len() as u64,
            vzarr_core::scan::Format::Grib,
            Default::default(),
        ),
    );
    let err = loop {
        match session.advance() {
            Err(e) => break e,
            Ok(needs) => {
                assert!(!needs.is_empty());
                for r in needs {
                    requested += r.length;
                    session.feed(
                        r.offset,
                        b[r.offset as usize..(r.offset + r.length) as usize].to_vec(),
                    );
                }
            }
        }
    };
    assert!(
        matches!(err.kind, ErrorKind::LimitExceeded | ErrorKind::CorruptFile),
        "{}",
        err
    );
    assert!(requested < 1 << 20, "{} bytes requested", requested);
}
