//! How one image's chunks are stored: the NumPy dtype and the Zarr codec list.
//!
//! Codecs are named as imagecodecs' numcodecs ids where one exists (what tifffile's
//! `write_fsspec` and virtual-tiff emit), so Python reads the output after
//! `pip install virtual-tiff` (imagecodecs + its numcodecs and zarr v3 registrations):
//! `imagecodecs_lzw`, `imagecodecs_packbits`, `imagecodecs_jpeg`, `imagecodecs_delta`,
//! `imagecodecs_floatpred`, `imagecodecs_packints`; deflate is `numcodecs.zlib`, zstd is
//! Zarr's `zstd`. The internal list is `bytes`, then bytes→bytes steps in encoding order;
//! `ts/src/metadata/zarr-v2.ts` / `zarr-v3.ts` place the predictors where each format wants.

use super::image::Image;
use crate::error::{Error, Result};
use crate::json::Json;

/// The stored form of one image's chunks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Deflate,
    Lzw,
    PackBits,
    Zstd,
    Jpeg,
}

#[derive(Clone, Debug)]
pub struct Encoding {
    pub dtype: String,
    pub codecs: Vec<Json>,
    pub compression: Compression,
    /// The index in `codecs` of the compression step (the one a short strip re-encodes).
    pub compression_step: Option<usize>,
}

fn codec(name: &str, config: Vec<(&str, Json)>) -> Json {
    if config.is_empty() {
        Json::object(vec![("name", Json::from(name))])
    } else {
        Json::object(vec![
            ("name", Json::from(name)),
            ("configuration", Json::object(config)),
        ])
    }
}

fn shape_json(shape: &[u64]) -> Json {
    Json::Array(shape.iter().map(|&d| Json::UInt(d)).collect())
}

/// The NumPy dtype of the samples, without byte order (`u2`, `f4`, `c8`).
fn sample_dtype(image: &Image) -> Result<&'static str> {
    let t = match (image.sample_format, image.bits) {
        (1 | 4, 1) => "u1", // bilevel and masks: unpacked by imagecodecs_packints
        (1 | 4, 8) => "u1",
        (1 | 4, 16) => "u2",
        (1 | 4, 32) => "u4",
        (1 | 4, 64) => "u8",
        (2, 8) => "i1",
        (2, 16) => "i2",
        (2, 32) => "i4",
        (2, 64) => "i8",
        (3, 16) => "f2",
        (3, 32) => "f4",
        (3, 64) => "f8",
        (6, 64) => "c8",
        (6, 128) => "c16",
        (f, b) => {
            return Err(Error::unsupported(format!(
                "{}-bit samples of SampleFormat {} ({}) have no Zarr data type",
                b,
                f,
                match f {
                    1 | 4 => "unsigned integer",
                    2 => "signed integer",
                    3 => "floating point",
                    5 => "complex integer",
                    6 => "complex floating point",
                    _ => "unknown",
                }
            )))
        }
    };
    Ok(t)
}

/// `chunk_shape` is the array's chunk shape (in its dimension order) and `sample_axis_last`
/// says whether samples interleave (chunky, multi-sample: `(y, x, band)`).
pub fn encoding(
    image: &Image,
    big_endian: bool,
    chunk_shape: &[u64],
    sample_axis_last: bool,
) -> Result<Encoding> {
    let base = sample_dtype(image)?;
    let item = base[1..].parse::<u64>().unwrap_or(1);
    let order = if item == 1 && !base.starts_with('c') {
        '|'
    } else if big_endian {
        '>'
    } else {
        '<'
    };
    let mut dtype = format!("{}{}", order, base);
    let mut codecs = Vec::new();
    // The floating-point predictor writes its bytes most significant first whatever the
    // file's byte order; its decoder produces the order its dtype names: little-endian here.
    let bytes_endian = match (image.predictor, order) {
        (3, _) => Some("little"),
        (_, '|') => None,
        (_, '>') => Some("big"),
        _ => Some("little"),
    };
    if image.predictor == 3 {
        dtype = format!("<{}", base);
    }
    codecs.push(match bytes_endian {
        Some(e) => codec("bytes", vec![("endian", Json::from(e))]),
        None => codec("bytes", Vec::new()),
    });
    let axis: i64 = if sample_axis_last { -2 } else { -1 };
    match image.predictor {
        1 => {}
        2 if image.bits >= 8 && !base.starts_with('c') => {
            // Horizontal differencing works on the integers of the samples' bit patterns.
            let int = match base {
                "f2" => "u2",
                "f4" => "u4",
                "f8" => "u8",
                other => other,
            };
            codecs.push(codec(
                "imagecodecs_delta",
                vec![
                    ("axis", Json::Int(axis)),
                    ("dist", Json::UInt(1)),
                    ("shape", shape_json(chunk_shape)),
                    ("dtype", Json::from(format!("{}{}", order, int))),
                ],
            ));
        }
        3 if base.starts_with('f') => {
            codecs.push(codec(
                "imagecodecs_floatpred",
                vec![
                    ("axis", Json::Int(axis)),
                    ("dist", Json::UInt(1)),
                    ("shape", shape_json(chunk_shape)),
                    ("dtype", Json::from(dtype.as_str())),
                ],
            ));
        }
        p => {
            return Err(Error::unsupported(format!(
                "Predictor {} with {}-bit {} samples",
                p, image.bits, base
            )))
        }
    }
    if image.bits == 1 {
        let per_row = chunk_shape.last().copied().unwrap_or(1)
            * if sample_axis_last {
                chunk_shape[chunk_shape.len() - 2]
            } else {
                1
            };
        codecs.push(codec(
            "imagecodecs_packints",
            vec![
                ("dtype", Json::from("|u1")),
                ("bitspersample", Json::UInt(1)),
                ("runlen", Json::UInt(per_row)),
            ],
        ));
    }
    let (compression, step) = match image.compression {
        1 => (Compression::None, None),
        8 | 32946 => (
            Compression::Deflate,
            Some(codec("numcodecs.zlib", vec![("level", Json::UInt(6))])),
        ),
        5 => (Compression::Lzw, Some(codec("imagecodecs_lzw", Vec::new()))),
        32773 => (
            Compression::PackBits,
            Some(codec("imagecodecs_packbits", Vec::new())),
        ),
        50000 => (
            Compression::Zstd,
            Some(codec(
                "zstd",
                vec![("level", Json::UInt(0)), ("checksum", Json::Bool(false))],
            )),
        ),
        7 => (Compression::Jpeg, Some(jpeg_codec(image)?)),
        other => return Err(Error::unsupported(unsupported_compression(other))),
    };
    let compression_step = step.as_ref().map(|_| codecs.len());
    codecs.extend(step);
    Ok(Encoding {
        dtype,
        codecs,
        compression,
        compression_step,
    })
}

fn jpeg_codec(image: &Image) -> Result<Json> {
    if image.bits != 8 || image.predictor != 1 {
        return Err(Error::unsupported(format!(
            "JPEG with {}-bit samples (only 8-bit JPEG is decoded)",
            image.bits
        )));
    }
    if !image.planar && !matches!(image.samples, 1 | 3) {
        return Err(Error::unsupported(format!(
            "JPEG with {} interleaved samples (grey and RGB/YCbCr are decoded)",
            image.samples
        )));
    }
    // As tifffile's jpeg_decode_colorspace: YCbCr is converted to RGB, RGB is taken as is,
    // separate planes decode as grey.
    let (cs_jpeg, cs_data) = match image.photometric {
        _ if image.planar => (Json::Null, Json::UInt(1)),
        Some(6) => (Json::Null, Json::UInt(2)),
        Some(2) => (Json::UInt(2), Json::UInt(2)),
        _ => (Json::Null, Json::Null),
    };
    let tables = match &image.jpeg_tables {
        Some(t) => Json::from(crate::codecs::base64::encode(t)),
        None => Json::Null,
    };
    Ok(codec(
        "imagecodecs_jpeg",
        vec![
            ("tables", tables),
            ("header", Json::Null),
            ("bitspersample", Json::UInt(8)),
            ("colorspace_jpeg", cs_jpeg),
            ("colorspace_data", cs_data),
        ],
    ))
}

fn unsupported_compression(code: u64) -> String {
    let name = match code {
        2 => "CCITT RLE",
        3 => "CCITT Group 3",
        4 => "CCITT Group 4",
        6 => "old-style JPEG",
        34887 => "LERC (no decoder in vzarr; imagecodecs_lerc in Python)",
        34925 => "LZMA",
        50001 => "WebP",
        50002 | 52546 => "JPEG XL",
        33003 | 33004 | 33005 | 34712 => "JPEG 2000",
        34933 => "PNG",
        _ => "unknown",
    };
    format!("TIFF compression {} ({})", code, name)
}
