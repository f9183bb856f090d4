//! Decoding one GRIB field to float64 values: the `vzarr.grib` codec.
//!
//! The input is the chunk the scanner referenced: a whole message, or — for a field that
//! is not the last of a multi-field GRIB2 message — the message cut right after that
//! field's section 7. Either way the codec decodes the **last** field present, using the
//! most recent sections 3, 5 and 6 before it. The output has one value per grid point,
//! in row-major (j, i) order as described in [`layout`]; points masked by a bitmap and
//! missing values of complex packing are NaN.

mod bits;
mod ccsds;
mod complex;

pub use complex::ECCODES_MISSING_VALUE;
mod grib1;
mod grib2;
mod layout;
mod png;
pub(crate) mod run_length;
mod second_order;
mod simple;
pub(crate) mod spectral;

use crate::error::{Error, Result};

/// Offset, length and sample count of the last field's JPEG 2000 codestream, or `None`
/// when the field is not JPEG 2000 packed (GRIB1 never is).
pub fn jpeg2000_codestream(message: &[u8]) -> Result<Option<(u64, u64, u64)>> {
    if message.len() >= 8 && &message[..4] == b"GRIB" && message[7] == 2 {
        grib2::jpeg2000_codestream(message)
    } else {
        Ok(None)
    }
}

/// Decodes a JPEG 2000 packed field from host-decoded codestream samples.
pub fn decode_message_with_samples(message: &[u8], samples: &[u32]) -> Result<Vec<f64>> {
    if message.len() < 8 || &message[..4] != b"GRIB" || message[7] != 2 {
        return Err(Error::invalid(
            "JPEG 2000 samples only apply to GRIB2 messages",
        ));
    }
    grib2::decode_with_samples(message, Some(samples))
}

/// Decodes the last field of `message` to one value per grid point.
pub fn decode_message(message: &[u8]) -> Result<Vec<f64>> {
    if message.len() < 8 || &message[..4] != b"GRIB" {
        return Err(Error::corrupt("a GRIB chunk must start with \"GRIB\""));
    }
    match message[7] {
        1 => grib1::decode(message),
        2 => grib2::decode(message),
        e => Err(Error::unsupported(format!(
            "GRIB edition {} is not supported",
            e
        ))),
    }
}
