//! One image as a Zarr array: dimension names, shape, chunk grid, codecs and the chunk
//! manifest from its strip or tile offsets.
//!
//! Dimension order (docs/formats/tiff.md): `(y, x)` for one sample per pixel; `(band, y, x)`
//! chunked `(1, ...)` when samples are stored in planes of their own (PlanarConfiguration 2),
//! as rioxarray shows bands; `(y, x, band)` when samples interleave (chunky), as tifffile
//! shows them — a `(band, y, x)` view of interleaved chunks needs a transpose that Zarr v2 /
//! kerchunk readers cannot express.

use super::encoding::{encoding, Compression, Encoding};
use super::image::Image;
use super::short_strip::{self, Plan};
use crate::error::{Error, Result};
use crate::manifest::{ChunkManifest, MISSING};
use crate::sansio::{ByteCache, ByteRange, Stop};

#[derive(Clone, Debug)]
pub struct ArrayPlan {
    pub dims: Vec<&'static str>,
    pub shape: Vec<u64>,
    pub chunks: Vec<u64>,
    pub grid: Vec<u64>,
    pub enc: Encoding,
    pub short: Option<ShortStrip>,
}

/// The short last strip of every plane (see `short_strip.rs`).
#[derive(Clone, Debug)]
pub struct ShortStrip {
    /// Chunk indices (in the manifest) of the last strip of each plane.
    pub chunks: Vec<usize>,
    pub short_bytes: u64,
    pub full_bytes: u64,
    /// Inline the padded strips (else lengthen the references to `full_bytes`).
    pub inline: bool,
}

pub fn plan_array(image: &Image, big_endian: bool, file_size: u64) -> Result<ArrayPlan> {
    let (gy, gx) = image.grid();
    let (h, w, s) = (image.height, image.width, image.samples);
    let (ch, cw) = (image.chunk_h, image.chunk_w);
    let (dims, shape, chunks, grid, sample_axis_last) = if s == 1 {
        (
            vec!["y", "x"],
            vec![h, w],
            vec![ch, cw],
            vec![gy, gx],
            false,
        )
    } else if image.planar {
        (
            vec!["band", "y", "x"],
            vec![s, h, w],
            vec![1, ch, cw],
            vec![s, gy, gx],
            false,
        )
    } else {
        (
            vec!["y", "x", "band"],
            vec![h, w, s],
            vec![ch, cw, s],
            vec![gy, gx, 1],
            true,
        )
    };
    let enc = encoding(image, big_endian, &chunks, sample_axis_last)?;
    if image.bits < 8 && !matches!(image.compression, 1 | 8 | 32946 | 50000) {
        return Err(Error::unsupported(format!(
            "{}-bit samples with TIFF compression {} (packed samples are read uncompressed, \
             deflate- or zstd-compressed)",
            image.bits, image.compression
        )));
    }
    let short = match image.short_last_rows() {
        None => None,
        Some(rows) => {
            let per_row_samples = cw * if sample_axis_last { s } else { 1 };
            let row_bytes = (per_row_samples * image.bits).div_ceil(8);
            let full_bytes = short_strip::row_and_chunk_bytes(row_bytes, ch)?;
            let short_bytes = row_bytes * rows;
            let planes = image.planes();
            let chunks: Vec<usize> = (0..planes)
                .map(|p| (p * gy * gx + (gy - 1) * gx) as usize)
                .collect();
            let mut inline = false;
            for &c in &chunks {
                match short_strip::plan(&enc, image.offsets[c], full_bytes, file_size)? {
                    Plan::Lengthen => {}
                    Plan::Inline => inline = true,
                }
            }
            Some(ShortStrip {
                chunks,
                short_bytes,
                full_bytes,
                inline,
            })
        }
    };
    Ok(ArrayPlan {
        dims,
        shape,
        chunks,
        grid,
        enc,
        short,
    })
}

/// The stored bytes of short strips that must be read to inline them.
pub fn short_strip_needs(image: &Image, plan: &ArrayPlan, cache: &ByteCache) -> Vec<ByteRange> {
    let mut out = Vec::new();
    if let Some(s) = plan.short.as_ref().filter(|s| s.inline) {
        for &c in &s.chunks {
            if let Err(Stop::Need(r)) = cache.read(image.offsets[c], image.byte_counts[c]) {
                out.push(r);
            }
        }
    }
    out
}

/// The chunk manifest: one reference per strip or tile, missing where a writer left the
/// chunk out (offset or byte count 0: GDAL's sparse files), short strips padded.
pub fn manifest(
    image: &Image,
    plan: &ArrayPlan,
    url: &str,
    cache: &ByteCache,
) -> Result<ChunkManifest> {
    let n: u64 = plan.grid.iter().product();
    let n = n as usize;
    let mut ids = vec![0u32; n];
    let mut offsets = image.offsets[..n].to_vec();
    let mut lengths = image.byte_counts[..n].to_vec();
    for i in 0..n {
        if offsets[i] == 0 || lengths[i] == 0 {
            ids[i] = MISSING;
            offsets[i] = 0;
            lengths[i] = 0;
        }
    }
    // Uncompressed chunks stored with padding (byte counts larger than a chunk) point at one
    // chunk's bytes: Zarr readers refuse a raw chunk of the wrong size.
    if plan.enc.compression == Compression::None {
        let interleaved = if plan.dims.last() == Some(&"band") {
            image.samples
        } else {
            1
        };
        let row_bytes = (image.chunk_w * interleaved * image.bits).div_ceil(8);
        let chunk_bytes = row_bytes * image.chunk_h;
        for l in lengths.iter_mut() {
            *l = (*l).min(chunk_bytes);
        }
    }
    let mut inlined = Vec::new();
    if let Some(s) = &plan.short {
        for &c in &s.chunks {
            if ids[c] == MISSING {
                continue;
            }
            if !s.inline {
                lengths[c] = s.full_bytes;
                continue;
            }
            let stored = match cache.read(offsets[c], lengths[c]) {
                Ok(b) => b,
                Err(Stop::Fail(e)) => return Err(e),
                Err(Stop::Need(_)) => {
                    return Err(Error::invalid(
                        "the last strip was not read before it was padded",
                    ))
                }
            };
            inlined.push((
                c,
                short_strip::padded(&plan.enc, stored, s.short_bytes, s.full_bytes)?,
            ));
        }
    }
    let mut m = ChunkManifest::from_single_path_columns(&plan.grid, url, ids, offsets, lengths)?;
    for (c, bytes) in inlined {
        m.set_inlined(c, bytes)?;
    }
    Ok(m)
}
