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
    // largest divisor of the axis down to a sixteenth of the target is used instead, and
    // failing that (a prime length) the image stays one chunk rather than many tiny ones.
    if !n0.is_multiple_of(rows) && hdu.data_start + grid0 * rows * slab > file_size {
        rows = (rows.div_ceil(16)..=rows)
            .rev()
            .find(|d| n0.is_multiple_of(*d))
            .unwrap_or(n0);
    }
    let grid0 = n0.div_ceil(rows);
    let chunk_bytes = rows * slab;
    let offsets: Vec<u64> = (0..grid0)
        .map(|i| hdu.data_start + i * chunk_bytes)
        .collect();
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

#[cfg(test)]
mod tests {
    use super::super::{hdu, header};
    use super::*;
    use crate::sansio::ByteCache;

    /// A primary header for an image of `naxis` (FITS order) and the file size given.
    fn hdu_of(bitpix: i64, naxis: &[u64], file_size: u64) -> Hdu {
        let mut cards = vec![
            "SIMPLE  =                    T".to_string(),
            format!("BITPIX  = {:>20}", bitpix),
            format!("NAXIS   = {:>20}", naxis.len()),
        ];
        for (i, n) in naxis.iter().enumerate() {
            cards.push(format!("NAXIS{:<3}= {:>20}", i + 1, n));
        }
        cards.push("END".to_string());
        let mut bytes: Vec<u8> = cards
            .iter()
            .flat_map(|c| format!("{:<80}", c).into_bytes())
            .collect();
        bytes.resize(2880, b' ');
        let mut cache = ByteCache::new(file_size);
        cache.insert(0, bytes);
        let h = header::read(&cache, 0).unwrap();
        hdu::describe(0, 0, h, file_size).unwrap()
    }

    #[test]
    fn small_images_are_one_chunk() {
        let h = hdu_of(-32, &[100, 80], 2880 + 32_000 + 2880);
        let p = plan(&h, 2880 * 20).unwrap();
        assert_eq!(
            (p.shape.clone(), p.chunks.clone(), p.grid.clone()),
            (vec![80, 100], vec![80, 100], vec![1, 1])
        );
        assert_eq!((p.offsets, p.lengths), (vec![2880], vec![32_000]));
        assert_eq!(p.dtype, ">f4");
    }

    #[test]
    fn large_images_are_cut_along_the_slowest_axis() {
        // 3 planes of 2048 x 2048 float64 (32 MiB each): one plane per chunk.
        let plane = 2048 * 2048 * 8;
        let h = hdu_of(-64, &[2048, 2048, 3], 2880 + 3 * plane);
        let p = plan(&h, 2880 + 3 * plane).unwrap();
        assert_eq!(p.chunks, vec![1, 2048, 2048]);
        assert_eq!(p.offsets, vec![2880, 2880 + plane, 2880 + 2 * plane]);
        // 5000 rows of 4000 int16 (8000 bytes): 2097 rows per 16 MiB chunk; the last chunk
        // is read whole where the file holds its bytes ...
        let row = 8000u64;
        let data = 5000 * row;
        let roomy = 2880 + 3 * 2097 * row;
        let p = plan(&hdu_of(16, &[4000, 5000], roomy), roomy).unwrap();
        assert_eq!((p.chunks[0], p.grid[0]), (2097, 3));
        assert!(p.lengths.iter().all(|&l| l == 2097 * row));
        // ... and where the file ends first, the rows divide the axis (5000 = 2000 x 2.5 → 1250).
        let tight = 2880 + data.div_ceil(2880) * 2880;
        let p = plan(&hdu_of(16, &[4000, 5000], tight), tight).unwrap();
        assert_eq!(5000 % p.chunks[0], 0);
        assert!(p.chunks[0] * row <= CHUNK_TARGET);
        assert_eq!(
            p.offsets.last().unwrap() + p.lengths.last().unwrap(),
            2880 + data
        );
        // A prime length with no room after the data: one chunk, not millions of small ones.
        let n = 20_000_003u64;
        let end = 2880 + n;
        let p = plan(&hdu_of(8, &[n], end), end).unwrap();
        assert_eq!((p.chunks.clone(), p.lengths.clone()), (vec![n], vec![n]));
    }
}
