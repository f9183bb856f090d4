//! Chunk codecs decoded in the core, so the Node addon and the wasm module share one
//! implementation of the hot paths (HDF5 filters, GRIB unpacking).
//!
//! A codec is named and configured exactly as in the Zarr v3 `codecs` list the scanners
//! emit (`{"name": ..., "configuration": {...}}`). The TypeScript codec registry forwards the
//! codecs it does not implement itself to [`decode`].
//!
//! Every decoder bounds what it allocates: by the chunk's decoded size from the
//! [`DecodeContext`] when the context names a dtype, otherwise by a size read from the
//! stream's own header capped at [`MAX_DECODED_BYTES`].

pub mod base64;
pub mod bits;
pub mod bitshuffle;
pub mod fletcher32;
pub mod hdf5_lz4;
pub mod lz4;
pub mod lz4_small;
pub mod lzf;
pub mod lzw;
pub mod nbit;
pub mod packbits;
pub mod packints;
pub mod predictor;
pub mod rice;
pub mod scaleoffset;
pub mod shuffle;
pub mod szip;

pub mod aec;
pub mod grib;
pub mod inflate;
pub mod png;

use crate::error::{Error, Result};
use crate::json::Json;

/// No decoded chunk may be larger than this, whatever a header claims.
pub const MAX_DECODED_BYTES: usize = 1 << 31;

/// What a decoder may need besides its configuration.
#[derive(Clone, Debug, Default)]
pub struct DecodeContext {
    /// NumPy-style dtype of the array (`<f4`, `>i2`, ...).
    pub dtype: String,
    /// Shape of one chunk, in elements.
    pub chunk_shape: Vec<u64>,
}

impl DecodeContext {
    /// Size in bytes of one element, from the dtype (`<f4` → 4, `|S8` → 8).
    pub fn item_size(&self) -> Result<usize> {
        self.dtype
            .get(2..)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "cannot tell the item size of dtype {:?}",
                    self.dtype
                ))
            })
    }

    /// Refuses a codec whose parameters describe other elements or another chunk length
    /// than this array (HDF5 filters record both); no check without a dtype.
    pub fn check_elements(&self, codec: &str, item_size: usize, nelmts: u64) -> Result<()> {
        if self.dtype.is_empty() {
            return Ok(());
        }
        if self.item_size()? != item_size {
            return Err(Error::corrupt(format!(
                "{}: the codec describes {}-byte elements, the array's dtype is {}",
                codec, item_size, self.dtype
            )));
        }
        let chunk_len = self.chunk_len()? as u64;
        if chunk_len != nelmts {
            return Err(Error::corrupt(format!(
                "{}: the codec describes {} elements per chunk, a chunk holds {}",
                codec, nelmts, chunk_len
            )));
        }
        Ok(())
    }

    /// Number of elements in one chunk.
    pub fn chunk_len(&self) -> Result<usize> {
        let n = crate::manifest::checked_product(&self.chunk_shape)?;
        usize::try_from(n).map_err(|_| Error::limit("chunk too large for this platform"))
    }

    /// Bytes of one decoded chunk (`chunk_len × item_size`), refusing sizes past
    /// [`MAX_DECODED_BYTES`].
    pub fn chunk_bytes(&self) -> Result<usize> {
        let n = self
            .chunk_len()?
            .checked_mul(self.item_size()?)
            .filter(|&n| n <= MAX_DECODED_BYTES)
            .ok_or_else(|| {
                Error::limit(format!(
                    "a chunk of shape {:?} and dtype {} exceeds {} bytes",
                    self.chunk_shape, self.dtype, MAX_DECODED_BYTES
                ))
            })?;
        Ok(n)
    }

    /// The decoded chunk size when the context describes the chunk (a dtype is set).
    pub fn known_chunk_bytes(&self) -> Result<Option<usize>> {
        if self.dtype.is_empty() {
            Ok(None)
        } else {
            self.chunk_bytes().map(Some)
        }
    }
}

/// Decodes one codec step (the inverse of encoding) of `input`.
pub fn decode(codec: &Json, input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    let name = codec
        .get("name")
        .and_then(Json::as_str)
        .ok_or_else(|| Error::invalid(format!("a codec needs a name: {}", codec)))?;
    let empty = Json::Object(Vec::new());
    let config = codec.get("configuration").unwrap_or(&empty);
    match name {
        "numcodecs.zlib" | "zlib" => deflate(input, ctx, inflate::inflate_zlib),
        "numcodecs.gzip" | "gzip" => deflate(input, ctx, inflate::inflate_gzip),
        lzw::CODEC_NAME => lzw::decode(input, ctx),
        packbits::CODEC_NAME => packbits::decode(input, ctx),
        packints::CODEC_NAME => packints::decode(input, config, ctx),
        predictor::DELTA => predictor::decode_delta(input, config, ctx),
        predictor::FLOATPRED => predictor::decode_floatpred(input, config, ctx),
        rice::CODEC_NAME => rice::decode(input, config, ctx),
        "numcodecs.shuffle" => shuffle::decode(input, config, ctx),
        "numcodecs.fletcher32" => fletcher32::decode(input),
        "vzarr.lzf" => lzf::decode(input, ctx),
        "vzarr.hdf5_lz4" => hdf5_lz4::decode(input, ctx),
        "vzarr.bitshuffle" => bitshuffle::decode(input, config, ctx),
        "vzarr.scaleoffset" => scaleoffset::decode(input, config, ctx),
        "vzarr.nbit" => nbit::decode(input, config, ctx),
        "vzarr.szip" => szip::decode_szip(
            input,
            config,
            ctx,
            |stream, bits, block, rsi, flags, len| {
                // The szip framing asks for bytes; the AEC decoder counts samples.
                aec::decode(
                    stream,
                    bits,
                    block,
                    rsi,
                    flags,
                    len / aec::bytes_per_sample(bits, flags),
                )
            },
        ),
        crate::grib::CODEC_NAME => grib::decode(input, ctx),
        _ => Err(Error::unsupported(format!(
            "the core has no decoder for codec {:?}",
            name
        ))),
    }
}

/// Names of the codecs [`decode`] handles, so the TypeScript registry can route them.
pub fn supported() -> Vec<&'static str> {
    vec![
        "numcodecs.zlib",
        "zlib",
        "numcodecs.gzip",
        "gzip",
        lzw::CODEC_NAME,
        packbits::CODEC_NAME,
        packints::CODEC_NAME,
        predictor::DELTA,
        predictor::FLOATPRED,
        rice::CODEC_NAME,
        "numcodecs.shuffle",
        "numcodecs.fletcher32",
        "vzarr.lzf",
        "vzarr.hdf5_lz4",
        "vzarr.bitshuffle",
        "vzarr.szip",
        "vzarr.scaleoffset",
        "vzarr.nbit",
        crate::grib::CODEC_NAME,
    ]
}

/// A zlib or gzip stream (HDF5's deflate filter, numcodecs' zlib and gzip, Zarr v3's), its
/// output bounded by the chunk's decoded size when the context knows it — plus room for a
/// checksum (fletcher32) that an inner step strips.
fn deflate(
    input: &[u8],
    ctx: &DecodeContext,
    inflate: fn(&[u8], usize) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let limit = match ctx.known_chunk_bytes()? {
        Some(n) => n.saturating_add(16).min(MAX_DECODED_BYTES),
        None => MAX_DECODED_BYTES,
    };
    inflate(input, limit)
}

/// An unsigned integer field of a codec configuration; `default` when absent.
pub(crate) fn config_u64(config: &Json, key: &str, default: Option<u64>) -> Result<u64> {
    match config.get(key) {
        Some(v) => v.as_u64().ok_or_else(|| {
            Error::invalid(format!(
                "codec configuration field {:?} must be a non-negative integer, not {}",
                key, v
            ))
        }),
        None => default.ok_or_else(|| {
            Error::invalid(format!("codec configuration needs the field {:?}", key))
        }),
    }
}

/// A big-endian u32 at `at`, or a CorruptFile error naming `what`.
pub(crate) fn be_u32(input: &[u8], at: usize, what: &str) -> Result<u32> {
    input
        .get(at..at.saturating_add(4))
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| Error::corrupt(format!("{}: the stream ends inside a header", what)))
}

/// A big-endian u64 at `at`, or a CorruptFile error naming `what`.
pub(crate) fn be_u64(input: &[u8], at: usize, what: &str) -> Result<u64> {
    let hi = be_u32(input, at, what)?;
    let lo = be_u32(input, at + 4, what)?;
    Ok((u64::from(hi) << 32) | u64::from(lo))
}
