//! Every codec of the core (`api::codec_decode`, what both backends call for `vzarr.*`,
//! zlib/gzip, LZW, PackBits, predictors, shuffle, fletcher32, LZF, LZ4, bitshuffle, szip,
//! scale-offset, n-bit, GRIB) on arbitrary stored bytes. Input: two bytes giving the length of
//! a JSON header `{"codec": {...}, "dtype": "<i2", "chunk_shape": [...]}`, the header, then the
//! stored chunk — so codec configurations are fuzzed too. Seeds: test/fixtures/codecs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vzarr_core::api;
use vzarr_core::json::Json;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let n = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
    let Ok(header) = std::str::from_utf8(&data[2..2 + n]) else {
        return;
    };
    let Ok(json) = Json::parse(header) else {
        return;
    };
    let (Some(codec), Some(dtype), Some(shape)) = (
        json.get("codec"),
        json.get("dtype").and_then(Json::as_str),
        json.get("chunk_shape").and_then(Json::as_array),
    ) else {
        return;
    };
    let shape: Vec<f64> = shape.iter().filter_map(Json::as_f64).collect();
    let _ = api::codec_decode(&codec.to_string(), &data[2 + n..], dtype, &shape);
});
