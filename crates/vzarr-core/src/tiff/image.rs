//! One IFD's image: what its baseline and extension tags say about samples, layout and
//! storage, validated against each other and the file size.

use super::ifd::Values;
use crate::error::{Error, Result};

pub const NEW_SUBFILE_TYPE: u16 = 254;
pub const IMAGE_WIDTH: u16 = 256;
pub const IMAGE_LENGTH: u16 = 257;
pub const BITS_PER_SAMPLE: u16 = 258;
pub const COMPRESSION: u16 = 259;
pub const PHOTOMETRIC: u16 = 262;
pub const FILL_ORDER: u16 = 266;
pub const STRIP_OFFSETS: u16 = 273;
pub const SAMPLES_PER_PIXEL: u16 = 277;
pub const ROWS_PER_STRIP: u16 = 278;
pub const STRIP_BYTE_COUNTS: u16 = 279;
pub const PLANAR_CONFIG: u16 = 284;
pub const PREDICTOR: u16 = 317;
pub const TILE_WIDTH: u16 = 322;
pub const TILE_LENGTH: u16 = 323;
pub const TILE_OFFSETS: u16 = 324;
pub const TILE_BYTE_COUNTS: u16 = 325;
pub const EXTRA_SAMPLES: u16 = 338;
pub const SAMPLE_FORMAT: u16 = 339;
pub const JPEG_TABLES: u16 = 347;

/// Every tag whose value the scanner reads (others are never fetched).
pub const TAGS_READ: &[u16] = &[
    NEW_SUBFILE_TYPE,
    IMAGE_WIDTH,
    IMAGE_LENGTH,
    BITS_PER_SAMPLE,
    COMPRESSION,
    PHOTOMETRIC,
    FILL_ORDER,
    STRIP_OFFSETS,
    SAMPLES_PER_PIXEL,
    ROWS_PER_STRIP,
    STRIP_BYTE_COUNTS,
    PLANAR_CONFIG,
    PREDICTOR,
    TILE_WIDTH,
    TILE_LENGTH,
    TILE_OFFSETS,
    TILE_BYTE_COUNTS,
    EXTRA_SAMPLES,
    SAMPLE_FORMAT,
    JPEG_TABLES,
    super::geo::MODEL_PIXEL_SCALE,
    super::geo::MODEL_TIEPOINT,
    super::geo::MODEL_TRANSFORMATION,
    super::geo::GEO_KEY_DIRECTORY,
    super::geo::GEO_DOUBLE_PARAMS,
    super::geo::GEO_ASCII_PARAMS,
    super::gdal::GDAL_METADATA,
    super::gdal::GDAL_NODATA,
];

/// Samples per pixel beyond this are refused (hyperspectral files have a few hundred).
const MAX_SAMPLES: u64 = 65_535;
/// Width or height beyond this is refused (GDAL's own limit is 2^31 - 1).
const MAX_SIDE: u64 = 1 << 31;

#[derive(Clone, Debug)]
pub struct Image {
    pub subfile_type: u64,
    pub width: u64,
    pub height: u64,
    pub samples: u64,
    pub bits: u64,
    pub sample_format: u64,
    pub compression: u64,
    pub photometric: Option<u64>,
    /// PlanarConfiguration 2: each sample in planes of its own.
    pub planar: bool,
    pub predictor: u64,
    pub tiled: bool,
    /// Chunk height and width: the tile, or rows per strip × width.
    pub chunk_h: u64,
    pub chunk_w: u64,
    pub offsets: Vec<u64>,
    pub byte_counts: Vec<u64>,
    pub jpeg_tables: Option<Vec<u8>>,
}

impl Image {
    /// Reduced-resolution version of another image (an overview).
    pub fn is_reduced(&self) -> bool {
        self.subfile_type & 1 != 0
    }

    /// Transparency mask of another image (GDAL's internal masks).
    pub fn is_mask(&self) -> bool {
        self.subfile_type & 4 != 0 || self.photometric == Some(4)
    }

    /// Chunks along y and x.
    pub fn grid(&self) -> (u64, u64) {
        (
            self.height.div_ceil(self.chunk_h),
            self.width.div_ceil(self.chunk_w),
        )
    }

    /// Planes stored apart (PlanarConfiguration 2), else 1.
    pub fn planes(&self) -> u64 {
        if self.planar {
            self.samples
        } else {
            1
        }
    }

    /// Rows of the last strip when it is shorter than the others (striped images only).
    pub fn short_last_rows(&self) -> Option<u64> {
        let rem = self.height % self.chunk_h;
        (!self.tiled && rem != 0).then_some(rem)
    }
}

fn one_value(values: &[u64], tag: &str) -> Result<u64> {
    let first = *values
        .first()
        .ok_or_else(|| Error::corrupt(format!("{} has no value", tag)))?;
    if values.iter().any(|&v| v != first) {
        return Err(Error::unsupported(format!(
            "{} differs between samples ({:?}): a Zarr array has one data type",
            tag, values
        )));
    }
    Ok(first)
}

fn required(v: Option<u64>, what: &str) -> Result<u64> {
    v.ok_or_else(|| Error::corrupt(format!("the IFD has no {} tag", what)))
}

/// Reads the image an IFD describes.
pub fn read_image(v: &Values) -> Result<Image> {
    let width = required(v.uint(IMAGE_WIDTH, None)?, "ImageWidth")?;
    let height = required(v.uint(IMAGE_LENGTH, None)?, "ImageLength")?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(Error::corrupt(format!(
            "image size {} x {} is empty or absurd",
            width, height
        )));
    }
    let samples = v.uint(SAMPLES_PER_PIXEL, Some(1))?.unwrap_or(1);
    if samples == 0 || samples > MAX_SAMPLES {
        return Err(Error::corrupt(format!("{} samples per pixel", samples)));
    }
    let bits = match v.uints(BITS_PER_SAMPLE)? {
        Some(b) => one_value(&b, "BitsPerSample")?,
        None => 1,
    };
    let sample_format = match v.uints(SAMPLE_FORMAT)? {
        Some(f) => one_value(&f, "SampleFormat")?,
        None => 1,
    };
    let compression = v.uint(COMPRESSION, Some(1))?.unwrap_or(1);
    let photometric = v.uint(PHOTOMETRIC, None)?;
    let planar = v.uint(PLANAR_CONFIG, Some(1))?.unwrap_or(1) == 2 && samples > 1;
    let predictor = v.uint(PREDICTOR, Some(1))?.unwrap_or(1);
    if v.uint(FILL_ORDER, Some(1))? == Some(2) {
        return Err(Error::unsupported(
            "FillOrder 2 (bits stored least significant first)",
        ));
    }
    let tile_w = v.uint(TILE_WIDTH, None)?;
    let tile_h = v.uint(TILE_LENGTH, None)?;
    let tiled = tile_w.is_some() || tile_h.is_some();
    let (chunk_h, chunk_w, offsets_tag, counts_tag) = if tiled {
        let (tw, th) = (
            required(tile_w, "TileWidth")?,
            required(tile_h, "TileLength")?,
        );
        if tw == 0 || th == 0 || tw > MAX_SIDE || th > MAX_SIDE {
            return Err(Error::corrupt(format!("tile size {} x {}", th, tw)));
        }
        (th, tw, TILE_OFFSETS, TILE_BYTE_COUNTS)
    } else {
        let rps = v
            .uint(ROWS_PER_STRIP, Some(u64::from(u32::MAX)))?
            .unwrap_or(height);
        if rps == 0 {
            return Err(Error::corrupt("RowsPerStrip is 0"));
        }
        (rps.min(height), width, STRIP_OFFSETS, STRIP_BYTE_COUNTS)
    };
    let offsets = v.uints(offsets_tag)?.ok_or_else(|| {
        Error::unsupported("an image without strip or tile offsets (no data locations)")
    })?;
    let byte_counts = v
        .uints(counts_tag)?
        .ok_or_else(|| Error::unsupported("an image without strip or tile byte counts"))?;
    let jpeg_tables = v.raw(JPEG_TABLES)?.map(<[u8]>::to_vec);
    let image = Image {
        subfile_type: v.uint(NEW_SUBFILE_TYPE, Some(0))?.unwrap_or(0),
        width,
        height,
        samples,
        bits,
        sample_format,
        compression,
        photometric,
        planar,
        predictor,
        tiled,
        chunk_h,
        chunk_w,
        offsets,
        byte_counts,
        jpeg_tables,
    };
    check_chunks(&image, v.cache.file_size())?;
    Ok(image)
}

/// The offsets and byte counts cover every chunk and lie inside the file.
fn check_chunks(image: &Image, file_size: u64) -> Result<()> {
    let (gy, gx) = image.grid();
    let expected = gy
        .checked_mul(gx)
        .and_then(|n| n.checked_mul(image.planes()))
        .ok_or_else(|| Error::limit("the chunk count overflows 64 bits"))?;
    let (o, c) = (image.offsets.len() as u64, image.byte_counts.len() as u64);
    if o < expected || c < expected {
        return Err(Error::corrupt(format!(
            "the image needs {} {}, the file gives {} offsets and {} byte counts",
            expected,
            if image.tiled { "tiles" } else { "strips" },
            o,
            c
        )));
    }
    for (i, (&off, &len)) in image.offsets.iter().zip(&image.byte_counts).enumerate() {
        if i as u64 >= expected {
            break;
        }
        if len != 0 && off.checked_add(len).is_none_or(|end| end > file_size) {
            return Err(Error::corrupt(format!(
                "{} {} (bytes {}..{}) lies beyond the end of the file ({} bytes)",
                if image.tiled { "tile" } else { "strip" },
                i,
                off,
                off.saturating_add(len),
                file_size
            ))
            .at_offset(off));
        }
    }
    Ok(())
}
