//! The `vzarr.grib` codec: one GRIB field (a whole message, or a multi-field message cut
//! after the field) → little-endian float64 values in the variable's chunk order.

use super::DecodeContext;
use crate::error::{Error, Result};
use crate::grib::decode::{decode_message, decode_message_with_samples};

pub(crate) fn decode(input: &[u8], ctx: &DecodeContext) -> Result<Vec<u8>> {
    encode_values(decode_message(input)?, ctx)
}

/// The codec's output for a JPEG 2000 field whose codestream the host decoded.
pub fn decode_with_samples(input: &[u8], samples: &[u32], ctx: &DecodeContext) -> Result<Vec<u8>> {
    encode_values(decode_message_with_samples(input, samples)?, ctx)
}

fn encode_values(values: Vec<f64>, ctx: &DecodeContext) -> Result<Vec<u8>> {
    if !ctx.chunk_shape.is_empty() {
        let expected = ctx.chunk_len()?;
        if expected != values.len() {
            return Err(Error::incompatible(format!(
                "the GRIB field has {} points but the chunk holds {}",
                values.len(),
                expected
            )));
        }
    }
    match ctx.dtype.as_str() {
        "" | "<f8" => {
            let mut out = Vec::with_capacity(values.len() * 8);
            for v in values {
                out.extend_from_slice(&v.to_le_bytes());
            }
            Ok(out)
        }
        "<f4" => {
            let mut out = Vec::with_capacity(values.len() * 4);
            for v in values {
                out.extend_from_slice(&(v as f32).to_le_bytes());
            }
            Ok(out)
        }
        other => Err(Error::invalid(format!(
            "the vzarr.grib codec produces <f8 or <f4 values, not {}",
            other
        ))),
    }
}
