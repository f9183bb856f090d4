//! PNG images as data (GRIB2 template 5.41 stores a field's packed values as one), over
//! the png crate: returns the unfiltered scanlines as stored (no transformations); the
//! caller interprets the samples. Every colour type, bit depth and interlacing.
//!
//! The png crate replaced a hand-written decoder (container walk, inflate, unfiltering): it
//! was faster on both backends in bench/codecs.bench.mjs (docs/benchmarks.md).

use crate::error::{Error, Result};
use std::io::Cursor;

#[derive(Clone, Debug, PartialEq)]
pub struct PngImage {
    pub width: u32,
    pub height: u32,
    pub bit_depth: u8,
    pub color_type: u8,
    /// Samples per pixel (1 grey/palette, 2 grey+alpha, 3 RGB, 4 RGBA).
    pub channels: u8,
    /// Unfiltered scanlines, each `row_bytes()` long, without the filter-type bytes.
    pub data: Vec<u8>,
}

impl PngImage {
    pub fn bits_per_pixel(&self) -> usize {
        usize::from(self.bit_depth) * usize::from(self.channels)
    }

    pub fn row_bytes(&self) -> usize {
        let bits = u64::from(self.width) * self.bits_per_pixel() as u64;
        usize::try_from(bits.div_ceil(8)).unwrap_or(usize::MAX)
    }
}

fn corrupt(error: png::DecodingError) -> Error {
    match error {
        png::DecodingError::LimitsExceeded => {
            Error::limit("PNG: the image is larger than the field it holds")
        }
        png::DecodingError::Parameter(e) => Error::unsupported(format!("PNG: {}", e)),
        other => Error::corrupt(format!("PNG: {}", other)),
    }
}

/// Decodes a PNG; the unfiltered image may not exceed `max_bytes`, and nothing larger is
/// allocated (the decoder's own buffers included).
pub fn decode_png(bytes: &[u8], max_bytes: usize) -> Result<PngImage> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: max_bytes.saturating_mul(2).saturating_add(1 << 16),
        },
    );
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    let (bit_depth, color_type) = (info.bit_depth as u8, info.color_type as u8);
    let channels = info.color_type.samples() as u8;
    let size = reader
        .output_buffer_size()
        .filter(|&n| n <= max_bytes)
        .ok_or_else(|| {
            Error::limit(format!(
                "a {}×{} PNG image is larger than the {} bytes expected",
                width, height, max_bytes
            ))
        })?;
    let mut data = vec![0u8; size];
    let frame = reader.next_frame(&mut data).map_err(corrupt)?;
    data.truncate(frame.buffer_size());
    Ok(PngImage {
        width,
        height,
        bit_depth,
        color_type,
        channels,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn decodes_a_16_bit_greyscale_image_with_filters() {
        // A 5×5 16-bit greyscale ramp (value = 1000·y + 37·x) whose rows use filters
        // None, Sub, Up, Average and Paeth in turn (written by a few lines of Python).
        let png = hex(PNG_16BIT);
        let img = decode_png(&png, 1 << 16).unwrap();
        assert_eq!(
            (img.width, img.height, img.bit_depth, img.channels),
            (5, 5, 16, 1)
        );
        let samples: Vec<u16> = img
            .data
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let expected: Vec<u16> = (0..5)
            .flat_map(|y| (0..5).map(move |x| 1000 * y + 37 * x))
            .collect();
        assert_eq!(samples, expected);
        assert!(decode_png(&png[..png.len() - 20], 1 << 16).is_err());
        assert!(decode_png(&png, 10).is_err());
    }

    const PNG_16BIT: &str = "89504e470d0a1a0a0000000d4948445200000005000000051000000000f894a57a000000364944415478da636060605065f062c86798c2c8fc825195010c99585e30bf600143668e002676e676267626761696170cbc0c2045bc001c680aa943448bed0000000049454e44ae426082";
}
