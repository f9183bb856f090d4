//! A small PNG decoder (ISO/IEC 15948): enough for data stored as images, as GRIB2
//! template 5.41 does. Returns the unfiltered scanlines; the caller interprets the
//! samples. Non-interlaced images of every colour type and bit depth are supported.

use super::inflate::inflate_zlib;
use crate::error::{Error, Result};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

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

fn corrupt(message: &str) -> Error {
    Error::corrupt(format!("PNG: {}", message))
}

/// Decodes a PNG; the unfiltered image may not exceed `max_bytes`.
pub fn decode_png(bytes: &[u8], max_bytes: usize) -> Result<PngImage> {
    if bytes.len() < 8 || bytes[..8] != SIGNATURE {
        return Err(corrupt("missing signature"));
    }
    let mut pos = 8;
    let mut header: Option<(u32, u32, u8, u8)> = None;
    let mut compressed: Vec<u8> = Vec::new();
    loop {
        let head = bytes
            .get(pos..pos + 8)
            .ok_or_else(|| corrupt("the file ends before IEND"))?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let data = bytes
            .get(pos + 8..pos + 8 + length)
            .ok_or_else(|| corrupt("a chunk runs past the end of the file"))?;
        pos += 12 + length;
        match &kind {
            b"IHDR" => {
                if data.len() < 13 {
                    return Err(corrupt("IHDR is too short"));
                }
                let width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                let height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                if data[10] != 0 || data[11] != 0 {
                    return Err(corrupt("unknown compression or filter method"));
                }
                if data[12] != 0 {
                    return Err(Error::unsupported("interlaced PNG images"));
                }
                header = Some((width, height, data[8], data[9]));
            }
            b"IDAT" => compressed.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
    }
    let (width, height, bit_depth, color_type) = header.ok_or_else(|| corrupt("no IHDR chunk"))?;
    let channels = match color_type {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return Err(corrupt("unknown colour type")),
    };
    let valid_depth = match color_type {
        0 => matches!(bit_depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(bit_depth, 1 | 2 | 4 | 8),
        _ => matches!(bit_depth, 8 | 16),
    };
    if !valid_depth {
        return Err(corrupt("invalid bit depth for the colour type"));
    }
    let mut image = PngImage {
        width,
        height,
        bit_depth,
        color_type,
        channels,
        data: Vec::new(),
    };
    let row = image.row_bytes();
    let total = (row as u64)
        .saturating_add(1)
        .saturating_mul(u64::from(height));
    if total > max_bytes as u64 + u64::from(height) {
        return Err(Error::limit(format!(
            "a {}×{} PNG image is larger than the {} bytes expected",
            width, height, max_bytes
        )));
    }
    let filtered = inflate_zlib(&compressed, total as usize)?;
    if filtered.len() != total as usize {
        return Err(corrupt("the image data has the wrong size"));
    }
    image.data = unfilter(
        &filtered,
        row,
        height as usize,
        image.bits_per_pixel().div_ceil(8),
    )?;
    Ok(image)
}

/// Reverses the per-scanline filters (None, Sub, Up, Average, Paeth).
fn unfilter(filtered: &[u8], row: usize, height: usize, bpp: usize) -> Result<Vec<u8>> {
    let mut out = vec![0u8; row * height];
    for y in 0..height {
        let line = &filtered[y * (row + 1)..(y + 1) * (row + 1)];
        let (filter, src) = (line[0], &line[1..]);
        let (done, rest) = out.split_at_mut(y * row);
        let prior: &[u8] = if y == 0 { &[] } else { &done[(y - 1) * row..] };
        let cur = &mut rest[..row];
        let up = |i: usize| prior.get(i).copied().unwrap_or(0);
        match filter {
            0 => cur.copy_from_slice(src),
            1 => {
                for i in 0..row {
                    let left = if i >= bpp { cur[i - bpp] } else { 0 };
                    cur[i] = src[i].wrapping_add(left);
                }
            }
            2 => {
                for i in 0..row {
                    cur[i] = src[i].wrapping_add(up(i));
                }
            }
            3 => {
                for i in 0..row {
                    let left = if i >= bpp { cur[i - bpp] } else { 0 };
                    cur[i] = src[i].wrapping_add(((u16::from(left) + u16::from(up(i))) / 2) as u8);
                }
            }
            4 => {
                for i in 0..row {
                    let a = if i >= bpp { cur[i - bpp] } else { 0 };
                    let b = up(i);
                    let c = if i >= bpp { up(i - bpp) } else { 0 };
                    cur[i] = src[i].wrapping_add(paeth(a, b, c));
                }
            }
            _ => return Err(corrupt("unknown filter type")),
        }
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
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
