//! Packed samples of fewer than 8 bits (imagecodecs' `imagecodecs_packints`), as TIFF stores
//! bilevel images and GDAL's 1-bit masks: most significant bit first, every run (row) of
//! `runlen` samples starting on a byte boundary. Decoded to one byte per sample.

use super::{config_u64, DecodeContext};
use crate::error::{Error, Result};
use crate::json::Json;

pub const CODEC_NAME: &str = "imagecodecs_packints";

pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let bits = config_u64(config, "bitspersample", None)? as usize;
    if !matches!(bits, 1 | 2 | 4) {
        return Err(Error::unsupported(format!(
            "{}: {}-bit samples",
            CODEC_NAME, bits
        )));
    }
    if config
        .get("dtype")
        .and_then(Json::as_str)
        .is_some_and(|d| d != "|u1" && d != "u1")
    {
        return Err(Error::unsupported(format!(
            "{}: dtypes other than |u1",
            CODEC_NAME
        )));
    }
    let runlen = config_u64(config, "runlen", Some(0))? as usize;
    let run = if runlen == 0 {
        input.len() * 8 / bits
    } else {
        runlen
    };
    let run_bytes = (run * bits).div_ceil(8);
    if run_bytes == 0 {
        return Err(Error::invalid(format!("{}: empty runs", CODEC_NAME)));
    }
    let runs = match ctx.known_chunk_bytes()? {
        Some(n) => n.div_ceil(run),
        None => input.len() / run_bytes,
    };
    if input.len() < runs * run_bytes {
        return Err(Error::corrupt(format!(
            "{}: {} bytes hold fewer than {} runs of {} samples",
            CODEC_NAME,
            input.len(),
            runs,
            run
        )));
    }
    let mask = (1u8 << bits) - 1;
    let mut out = Vec::with_capacity(runs * run);
    for r in 0..runs {
        let row = &input[r * run_bytes..(r + 1) * run_bytes];
        for i in 0..run {
            let bit = i * bits;
            out.push((row[bit / 8] >> (8 - bits - bit % 8)) & mask);
        }
    }
    if let Some(n) = ctx.known_chunk_bytes()? {
        out.truncate(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_rows_of_bits() {
        let config = Json::object(vec![
            ("dtype", Json::from("|u1")),
            ("bitspersample", Json::UInt(1)),
            ("runlen", Json::UInt(10)),
        ]);
        let ctx = DecodeContext {
            dtype: "|u1".into(),
            chunk_shape: vec![2, 10],
        };
        let out = decode(&[0b1010_0000, 0b1100_0000, 0xff, 0x00], &config, &ctx).unwrap();
        assert_eq!(
            out,
            [1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
        );
        assert!(decode(&[0xff], &config, &ctx).is_err());
    }
}
