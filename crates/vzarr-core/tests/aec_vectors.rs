//! The AEC decoder against libaec: streams encoded by libaec (through ecCodes' bundled
//! copy, `test/fixtures/gen_grib.py`) must decode to libaec's own output, byte for byte,
//! for every combination of sample width, block size, RSI and flags in the set.

mod grib_common;

use grib_common::*;
use vzarr_core::codecs::aec;

#[test]
fn decodes_libaec_streams() {
    let cases = read_json(&repo_path("test/fixtures/aec/cases.json"));
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let name = case.get("name").unwrap().as_str().unwrap();
        let field = |k: &str| case.get(k).unwrap().as_u64().unwrap();
        let input = std::fs::read(repo_path(&format!("test/fixtures/aec/{}.aec", name))).unwrap();
        let expected =
            std::fs::read(repo_path(&format!("test/fixtures/aec/{}.raw", name))).unwrap();
        let out = aec::decode(
            &input,
            field("bits_per_sample") as u32,
            field("block_size") as u32,
            field("rsi") as u32,
            field("flags") as u32,
            field("samples") as usize,
        )
        .unwrap_or_else(|e| panic!("{}: {}", name, e));
        assert_eq!(out.len(), expected.len(), "{}", name);
        assert!(
            out == expected,
            "{}: first difference at byte {:?}",
            name,
            out.iter().zip(&expected).position(|(a, b)| a != b)
        );
        // Truncated input is an error, never a panic or a short answer.
        let cut = &input[..input.len() / 2];
        assert!(
            aec::decode(
                cut,
                field("bits_per_sample") as u32,
                field("block_size") as u32,
                field("rsi") as u32,
                field("flags") as u32,
                field("samples") as usize
            )
            .is_err(),
            "{}",
            name
        );
    }
}
