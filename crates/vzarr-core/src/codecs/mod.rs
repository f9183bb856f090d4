//! Chunk codecs decoded in the core, so the Node addon and the wasm module share one
//! implementation of the hot paths (HDF5 filters, GRIB unpacking).
//!
//! A codec is named and configured exactly as in the Zarr v3 `codecs` list the scanners
//! emit (`{"name": ..., "configuration": {...}}`). The TypeScript codec registry forwards the
//! codecs it does not implement itself to [`decode`].

pub mod aec;
mod grib;
pub mod inflate;
pub mod png;

use crate::error::{Error, Result};
use crate::json::Json;

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

    /// Number of elements in one chunk.
    pub fn chunk_len(&self) -> Result<usize> {
        let n = crate::manifest::checked_product(&self.chunk_shape)?;
        usize::try_from(n).map_err(|_| Error::limit("chunk too large for this platform"))
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
    let _ = config;
    match name {
        crate::grib::CODEC_NAME => grib::decode(input, ctx),
        _ => Err(Error::unsupported(format!(
            "the core has no decoder for codec {:?}",
            name
        ))),
    }
}

/// Names of the codecs [`decode`] handles, so the TypeScript registry can route them.
pub fn supported() -> Vec<&'static str> {
    vec![crate::grib::CODEC_NAME]
}
