//! GRIB2 template 5.41: the packed integers are the samples of a PNG image, row by row,
//! each as wide as a pixel (bit depth × channels: 24-bit values are RGB, 32-bit RGBA).

use super::bits::BitReader;
use super::simple::{scale_samples, Scaling};
use crate::codecs::png::decode_png;
use crate::error::{Error, Result};

pub(crate) fn unpack(data: &[u8], bits: u8, count: usize, scaling: Scaling) -> Result<Vec<f64>> {
    if bits == 0 {
        return Ok(vec![scaling.reference; count]);
    }
    // A pixel is at most 64 bits (16-bit RGBA), so the image is at most 8 bytes per value.
    let image = decode_png(data, count.saturating_mul(8).max(64))?;
    let per_row = image.width as usize;
    let available = per_row.saturating_mul(image.height as usize);
    if available < count {
        return Err(Error::corrupt(format!(
            "the PNG image has {} pixels for {} values",
            available, count
        )));
    }
    let width = image.bits_per_pixel() as u32;
    let row_bytes = image.row_bytes();
    let samples = image.data.chunks(row_bytes.max(1)).flat_map(|row| {
        let mut reader = BitReader::new(row);
        (0..per_row).map(move |_| reader.read(width))
    });
    Ok(scale_samples(samples, scaling, count))
}
