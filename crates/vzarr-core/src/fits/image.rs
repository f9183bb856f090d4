//! An uncompressed image (primary or IMAGE extension) as a Zarr array: big-endian samples,
//! NAXISn reversed into C order, stored contiguously after the header.
//!
//! Large images are cut into chunks along the slowest axis — whole slabs of about
//! [`CHUNK_TARGET`] bytes — so that a reader fetches and decodes a part of the image, not
//! all of it; smaller images are one chunk, as kerchunk writes every FITS image.

use super::hdu::{axes, bitpix_dtype, Hdu};
use crate::error::{Error, Result};
use crate::json::Json;

/// Bytes of one chunk that large contiguous images are cut into (whole slabs of the slowest axis).
pub const CHUNK_TARGET: u64 = 16 << 20;

/// An array's layout and where each chunk's bytes are.
#[derive(Clone, Debug)]
pub struct Planned {
    /// C order (slowest first).
    pub shape: Vec<u64>,
    pub chunks: Vec<u64>,
    pub grid: Vec<u64>,
    pub dtype: String,
    pub codecs: Vec<Json>,
    pub offsets: Vec<u64>,
    pub lengths: Vec<u64>,
}

pub fn bytes_codec(big: bool) -> Json {
    Json::object(vec![
        ("name", Json::from("bytes")),
        (
            "configuration",
            Json::object(vec![(
                "endian",
                Json::from(if big { "big" } else { "little" }),
            )]),
        ),
    ])
}

/// Whether an image HDU has values (NAXIS > 0 and no axis of length 0).
pub fn has_data(naxis: &[u64]) -> bool {
    !naxis.is_empty() && naxis.iter().all(|&n| n > 0)
}

pub fn plan(hdu: &Hdu, file_size: u64) -> Result<Planned> {
    let h = &hdu.header;
    if hdu.index > 0 && (h.int("PCOUNT").unwrap_or(0) != 0 || h.int("GCOUNT").unwrap_or(1) != 1) {
        return Err(Error::unsupported(
            "an IMAGE extension with PCOUNT != 0 or GCOUNT != 1",
        ));
    }
    let (item, dtype) = bitpix_dtype(h.int("BITPIX").unwrap_or(0))?;
    let shape: Vec<u64> = axes(h, "")?.into_iter().rev().collect();
    let slab = shape[1..].iter().product::<u64>() * item;
    let n0 = shape[0];
    let mut rows = if slab * n0 <= CHUNK_TARGET {
        n0
    } else {
        (CHUNK_TARGET / slab).clamp(1, n0)
    };
    let grid0 = n0.div_ceil(rows);
    // The last chunk of a grid that does not divide the axis is read whole (its tail lies in
    // the padding or the next HDU, which no reader looks at); where the file ends first, the
    // largest divisor of the axis is used instead.
    if n0 % rows != 0 && hdu.data_start + grid0 * rows * slab > file_size {
        rows = (1..=rows).rev().find(|d| n0 % d == 0).unwrap_or(1);
    }
    let grid0 = n0.div_ceil(rows);
    let chunk_bytes = rows * slab;
    let offsets: Vec<u64> = (0..grid0).map(|i| hdu.data_start + i * chunk_bytes).collect();
    let lengths = vec![chunk_bytes; grid0 as usize];
    let mut chunks = shape.clone();
    chunks[0] = rows;
    let mut grid = vec![1; shape.len()];
    grid[0] = grid0;
    Ok(Planned {
        shape,
        chunks,
        grid,
        dtype: dtype.to_string(),
        codecs: vec![bytes_codec(item > 1)],
        offsets,
        lengths,
    })
}
