//! Chunk decoders against HDF5's own filters: test/fixtures/gen_codecs.py stored, per case,
//! a raw chunk read with h5py `read_direct_chunk` and the values h5py decoded from it.
//! Decoding the raw chunk through the case's codecs must give those bytes exactly.

mod common;

use common::{base64_decode, fixture};
use vzarr_core::codecs::szip::{decode_szip, SzipParams};
use vzarr_core::codecs::{decode, supported, DecodeContext};
use vzarr_core::json::Json;
use vzarr_core::ErrorKind;

struct Case {
    name: String,
    ctx: DecodeContext,
    codecs: Vec<Json>,
    raw: Vec<u8>,
    expected: Vec<u8>,
    /// For an edge chunk, the corner inside the dataset (what `expected` holds).
    valid_shape: Option<Vec<u64>>,
}

fn cases(group: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(fixture(&format!("codecs/{}.json", group))).unwrap();
    let doc = Json::parse(&text).unwrap();
    doc.get("cases")
        .and_then(Json::as_array)
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c.get("name").and_then(Json::as_str).unwrap().to_string(),
            ctx: DecodeContext {
                dtype: c.get("dtype").and_then(Json::as_str).unwrap().to_string(),
                chunk_shape: c
                    .get("chunk_shape")
                    .and_then(Json::as_array)
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .collect(),
            },
            codecs: c.get("codecs").and_then(Json::as_array).unwrap().to_vec(),
            raw: base64_decode(c.get("raw").and_then(Json::as_str).unwrap()),
            expected: base64_decode(c.get("expected").and_then(Json::as_str).unwrap()),
            valid_shape: c
                .get("valid_shape")
                .and_then(Json::as_array)
                .map(|a| a.iter().map(|x| x.as_u64().unwrap()).collect()),
        })
        .collect()
}

/// Decodes through the codecs, last-applied first.
fn decode_chain(case: &Case, raw: &[u8]) -> vzarr_core::Result<Vec<u8>> {
    let mut data = raw.to_vec();
    for codec in case.codecs.iter().rev() {
        data = decode(codec, &data, &case.ctx)?;
    }
    Ok(data)
}

/// The elements of a whole decoded chunk that lie in the dataset (all of them but for an
/// edge chunk), in C order.
fn inside(case: &Case, decoded: &[u8]) -> Vec<u8> {
    let valid = match &case.valid_shape {
        Some(v) => v,
        None => return decoded.to_vec(),
    };
    let size = case.ctx.item_size().unwrap();
    let shape = &case.ctx.chunk_shape;
    let mut out = Vec::new();
    for (k, element) in decoded.chunks_exact(size).enumerate() {
        let coords = vzarr_core::manifest::unravel(k as u64, shape);
        if coords.iter().zip(valid).all(|(c, v)| c < v) {
            out.extend_from_slice(element);
        }
    }
    out
}

fn check_group(group: &str, min_cases: usize) {
    let all = cases(group);
    assert!(all.len() >= min_cases);
    for case in &all {
        for codec in &case.codecs {
            let name = codec.get("name").and_then(Json::as_str).unwrap();
            assert!(
                supported().contains(&name),
                "{}: {} not listed",
                case.name,
                name
            );
        }
        if case.name.contains("zstd") {
            let e = decode_chain(case, &case.raw).unwrap_err();
            assert_eq!(e.kind, ErrorKind::UnsupportedFeature, "{}", case.name);
            continue;
        }
        let out = decode_chain(case, &case.raw).unwrap_or_else(|e| panic!("{}: {}", case.name, e));
        assert_eq!(
            out.len(),
            case.ctx.chunk_bytes().unwrap(),
            "{}: a whole chunk",
            case.name
        );
        assert!(
            inside(case, &out) == case.expected,
            "{}: decoded bytes differ",
            case.name
        );
    }
}

#[test]
fn shuffle_matches_hdf5() {
    check_group("shuffle", 5);
}

#[test]
fn fletcher32_matches_hdf5() {
    check_group("fletcher32", 4);
}

#[test]
fn lzf_matches_h5py() {
    check_group("lzf", 5);
}

#[test]
fn hdf5_lz4_matches_the_plugin() {
    check_group("lz4", 6);
}

#[test]
fn bitshuffle_matches_the_plugin() {
    check_group("bitshuffle", 9);
}

#[test]
fn scaleoffset_matches_hdf5() {
    check_group("scaleoffset", 9);
}

#[test]
fn nbit_matches_hdf5() {
    check_group("nbit", 6);
}

/// Every truncation and a bit flip in every byte of every case: a result no longer than
/// the chunk, or a tagged error — never a panic.
#[test]
fn damaged_chunks_fail_cleanly() {
    for group in [
        "shuffle",
        "fletcher32",
        "lzf",
        "lz4",
        "bitshuffle",
        "scaleoffset",
        "nbit",
    ] {
        for case in cases(group) {
            let chunk_bytes = case.ctx.chunk_bytes().unwrap();
            let mut detected = 0;
            let step = (case.raw.len() / 200).max(1);
            let mut damaged_inputs: Vec<Vec<u8>> = (0..case.raw.len())
                .step_by(step)
                .map(|n| case.raw[..n].to_vec())
                .collect();
            for at in (0..case.raw.len()).step_by(step) {
                for bit in [0u8, 5, 7] {
                    let mut d = case.raw.clone();
                    d[at] ^= 1 << bit;
                    damaged_inputs.push(d);
                }
            }
            for d in &damaged_inputs {
                match decode_chain(&case, d) {
                    Ok(out) => assert!(out.len() <= chunk_bytes.max(d.len()), "{}", case.name),
                    Err(e) => {
                        detected += 1;
                        assert!(
                            matches!(
                                e.kind,
                                ErrorKind::CorruptFile
                                    | ErrorKind::LimitExceeded
                                    | ErrorKind::UnsupportedFeature
                            ),
                            "{}: {}",
                            case.name,
                            e
                        );
                    }
                }
            }
            let compressed = case.codecs.iter().any(|c| {
                let n = c.get("name").and_then(Json::as_str).unwrap();
                n != "numcodecs.shuffle"
                    && !(n == "vzarr.bitshuffle"
                        && c.get("configuration").and_then(|x| x.get("compression"))
                            == Some(&Json::from("none")))
            });
            if compressed {
                assert!(detected > 0, "{}: no damage detected", case.name);
            }
        }
    }
}

/// The szip wrapper on real HDF5 szip chunks, with the entropy decoder replaced by one
/// that checks the AEC parameters libaec would receive and returns the AEC output that
/// corresponds to h5py's values (byte planes for 32/64-bit pixels, padded scanlines).
#[test]
fn szip_wrapper_prepares_libaec_parameters() {
    for case in cases("szip") {
        let config = case.codecs[0].get("configuration").unwrap().clone();
        let p = SzipParams::from_config(&config).unwrap();
        let word = (p.bits_per_pixel / 8) as usize;
        let wide = p.bits_per_pixel == 32 || p.bits_per_pixel == 64;
        let sample_bytes = if wide {
            1
        } else {
            p.bits_per_pixel.div_ceil(8) as usize
        };
        let expected = case.expected.clone();
        let announced = u32::from_le_bytes([case.raw[0], case.raw[1], case.raw[2], case.raw[3]]);
        assert_eq!(
            announced as usize,
            expected.len(),
            "{}: size prefix",
            case.name
        );
        let aec = |stream: &[u8], bits: u32, block: u32, rsi: u32, flags: u32, len: usize| {
            assert_eq!(stream, &case.raw[4..], "{}", case.name);
            assert_eq!(bits, if wide { 8 } else { p.bits_per_pixel });
            assert_eq!(block, p.pixels_per_block);
            assert_eq!(rsi, p.pixels_per_scanline.div_ceil(block));
            let msb = p.options_mask & 16 != 0;
            let nn = p.options_mask & 32 != 0;
            assert_eq!(flags, (msb as u32) * 4 + (nn as u32) * 8, "{}", case.name);
            // What the compressor saw: byte planes, then scanlines padded to whole blocks.
            let mut planes = expected.clone();
            if wide {
                let words = expected.len() / word;
                for i in 0..words {
                    for j in 0..word {
                        planes[j * words + i] = expected[i * word + j];
                    }
                }
            }
            let line = p.pixels_per_scanline as usize * sample_bytes;
            let padded_line = (rsi * block) as usize * sample_bytes;
            let mut out = Vec::new();
            if padded_line == line {
                out = planes;
            } else {
                for l in planes.chunks(line) {
                    out.extend_from_slice(l);
                    out.resize(out.len() + padded_line - l.len(), 0);
                }
            }
            assert_eq!(out.len(), len, "{}: buffer size", case.name);
            Ok(out)
        };
        let out = decode_szip(&case.raw, &config, &case.ctx, aec).unwrap();
        assert!(out == case.expected, "{}", case.name);
    }
}

/// The whole szip path: HDF5 framing + the core's AEC decoder, byte for byte what h5py
/// (libaec) decoded.
#[test]
fn szip_decodes_real_chunks() {
    let all = cases("szip");
    assert!(!all.is_empty());
    for case in &all {
        let out = decode_chain(case, &case.raw).unwrap_or_else(|e| panic!("{}: {}", case.name, e));
        assert!(out == case.expected, "{}: decoded bytes differ", case.name);
    }
}

#[test]
fn deflate_and_gzip_match_hdf5_and_numcodecs() {
    check_group("deflate", 7);
}

#[test]
fn lzw_matches_imagecodecs() {
    check_group("lzw", 5);
}
