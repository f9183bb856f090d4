//! Damaged TIFF files: truncations at every length, bit flips over the header and IFDs, IFD
//! loops and absurd counts end in tagged errors (or a result whose chunks fail to decode
//! cleanly), never a panic, a hang or an unbounded allocation.

mod common;
mod tiff_common;

use common::{fixture, scan_bytes};
use vzarr_core::scan::Format;
use vzarr_core::ErrorKind;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("tiff/{}", name))).unwrap()
}

fn first_ifd(b: &[u8]) -> usize {
    u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize
}

/// Scans, and reads every variable that scanned, through the core's codecs.
fn exercise(bytes: &[u8]) -> Result<(), ErrorKind> {
    let run = scan_bytes(bytes, Format::Tiff);
    let file = run.result.map_err(|e| e.kind)?;
    fn walk(g: &vzarr_core::scan::ScannedGroup, bytes: &[u8]) {
        for v in &g.variables {
            if v.manifest.is_some() && tiff_common::core_decodes(v) {
                let _ = tiff_common::read_values(bytes, v);
            }
        }
        for s in &g.groups {
            walk(s, bytes);
        }
    }
    walk(&file.root, bytes);
    Ok(())
}

#[test]
fn truncations_fail_cleanly() {
    for name in [
        "cog_u8_mask.tif",
        "strip_u16_lzw_be.tif",
        "bigtiff_u32_be_lzw.tif",
        "geo_jpeg_ycbcr.tif",
    ] {
        let good = read(name);
        let mut failures = 0;
        for len in (0..good.len()).step_by(97).chain([8, 15, 16, 17]) {
            if let Err(kind) = exercise(&good[..len.min(good.len())]) {
                assert!(
                    matches!(
                        kind,
                        ErrorKind::CorruptFile
                            | ErrorKind::UnsupportedFeature
                            | ErrorKind::LimitExceeded
                    ),
                    "{} truncated to {}: {:?}",
                    name,
                    len,
                    kind
                );
                failures += 1;
            }
        }
        assert!(failures > 0, "{}: no truncation failed", name);
    }
}

#[test]
fn bit_flips_fail_cleanly() {
    for name in [
        "geo_u16_deflate_nodata.tif",
        "planar_strips_lzw_short.tif",
        "jpeg_rgb_tiles.tif",
    ] {
        let good = read(name);
        let ifd = first_ifd(&good);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bad = good.clone();
            // Mostly the header and the first IFD (the structure), sometimes anywhere.
            let span = if state.is_multiple_of(4) {
                bad.len()
            } else {
                (ifd + 400).min(bad.len())
            };
            let at = (state >> 8) as usize % span;
            bad[at] ^= 1 << ((state >> 40) % 8);
            let _ = exercise(&bad);
        }
    }
}

#[test]
fn ifd_loops_are_refused() {
    let mut b = read("strip_u8_none.tif");
    let ifd = first_ifd(&b);
    let n = u16::from_le_bytes(b[ifd..ifd + 2].try_into().unwrap()) as usize;
    let next = ifd + 2 + 12 * n;
    b[next..next + 4].copy_from_slice(&(ifd as u32).to_le_bytes());
    let err = scan_bytes(&b, Format::Tiff).result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::CorruptFile);
    assert!(err.message.contains("loops"), "{}", err.message);
}

#[test]
fn absurd_counts_are_refused_without_allocating() {
    let good = read("strip_u8_none.tif");
    let ifd = first_ifd(&good);
    // The entry count itself.
    let mut b = good.clone();
    b[ifd..ifd + 2].copy_from_slice(&60000u16.to_le_bytes());
    assert!(scan_bytes(&b, Format::Tiff).result.is_err());
    // Every entry's value count set to 2^32 - 1 in turn.
    let n = u16::from_le_bytes(good[ifd..ifd + 2].try_into().unwrap()) as usize;
    for k in 0..n {
        let mut b = good.clone();
        let at = ifd + 2 + 12 * k + 4;
        b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let run = scan_bytes(&b, Format::Tiff);
        assert!(
            run.bytes_requested() < 64 << 20,
            "entry {} made the scan read {} bytes",
            k,
            run.bytes_requested()
        );
        if let Err(e) = run.result {
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::CorruptFile
                        | ErrorKind::LimitExceeded
                        | ErrorKind::UnsupportedFeature
                ),
                "{:?}",
                e
            );
        }
    }
    // Image sizes of 2^32 - 1.
    let mut b = good.clone();
    for k in 0..n {
        let at = ifd + 2 + 12 * k;
        let tag = u16::from_le_bytes(b[at..at + 2].try_into().unwrap());
        if tag == 256 || tag == 257 {
            b[at + 2..at + 4].copy_from_slice(&4u16.to_le_bytes());
            b[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        }
    }
    assert!(scan_bytes(&b, Format::Tiff).result.is_err());
}

#[test]
fn a_cog_is_read_in_one_round() {
    let b = read("cog_u8_mask.tif");
    let run = scan_bytes(&b, Format::Tiff);
    assert!(run.result.is_ok());
    // The first 64 KiB hold the header, every IFD and every tag value.
    assert_eq!(run.requests.len(), 1, "{:?}", run.requests);
}

/// Sets the value of `tag` (a SHORT) in the first IFD of a little-endian classic TIFF.
fn set_short(b: &mut [u8], tag: u16, value: u16) {
    let ifd = first_ifd(b);
    let n = u16::from_le_bytes(b[ifd..ifd + 2].try_into().unwrap()) as usize;
    for k in 0..n {
        let at = ifd + 2 + 12 * k;
        if u16::from_le_bytes(b[at..at + 2].try_into().unwrap()) == tag {
            b[at + 8..at + 10].copy_from_slice(&value.to_le_bytes());
            return;
        }
    }
    panic!("no tag {}", tag);
}

#[test]
fn codecs_without_a_decoder_are_named() {
    for (code, name) in [
        (34887u16, "LERC"),
        (50001, "WebP"),
        (34925, "LZMA"),
        (4, "CCITT"),
    ] {
        let mut b = read("strip_u8_none.tif");
        set_short(&mut b, 259, code);
        let file = scan_bytes(&b, Format::Tiff).result.unwrap();
        let why = &file
            .root
            .skipped
            .iter()
            .find(|s| s.name == "band_data")
            .unwrap()
            .error;
        assert_eq!(why.kind, ErrorKind::UnsupportedFeature);
        assert!(why.message.contains(name), "{}: {}", code, why.message);
    }
}

#[test]
fn many_ifds_sharing_one_large_offset_array_are_refused() {
    // 2,000 classic IFDs, each claiming the same 40,000 strips (one 160 KB array of offsets
    // and one of byte counts): 160 million entries together, refused before any is decoded.
    let strips = 40_000u32;
    let arrays_at = 8u32;
    let array_bytes = 4 * strips;
    let ifds_at = arrays_at + 2 * array_bytes;
    let n_ifds = 2_000u32;
    let entries: [(u16, u16, u32, u32); 6] = [
        (256, 4, 1, 16),
        (257, 4, 1, strips),
        (258, 3, 1, 8),
        (273, 4, strips, arrays_at),
        (278, 4, 1, 1),
        (279, 4, strips, arrays_at + array_bytes),
    ];
    let ifd_len = 2 + 12 * entries.len() as u32 + 4;
    let mut b = Vec::new();
    b.extend_from_slice(b"II*\0");
    b.extend_from_slice(&ifds_at.to_le_bytes());
    for i in 0..strips {
        b.extend_from_slice(&(ifds_at + i % 16).to_le_bytes());
    }
    b.extend(std::iter::repeat_n([1u8, 0, 0, 0], strips as usize).flatten());
    for k in 0..n_ifds {
        b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, typ, count, value) in entries {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&typ.to_le_bytes());
            b.extend_from_slice(&count.to_le_bytes());
            b.extend_from_slice(&value.to_le_bytes());
        }
        let next = if k + 1 < n_ifds {
            ifds_at + (k + 1) * ifd_len
        } else {
            0
        };
        b.extend_from_slice(&next.to_le_bytes());
    }
    let err = scan_bytes(&b, Format::Tiff).result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded, "{}", err.message);
}
