//! GRIB2 template 5.42: the packed integers are CCSDS/AEC-compressed (libaec).
//!
//! As ecCodes does, the 3-byte sample layout is switched off (17–24-bit samples come out
//! in 4 bytes); the decoder here returns samples directly, so byte order does not matter.

use super::simple::{scale_samples, Scaling};
use crate::codecs::aec;
use crate::error::{Error, ErrorKind, Result};
use crate::grib::grib2::representation::Ccsds;

pub(crate) fn unpack(
    data: &[u8],
    bits: u8,
    count: usize,
    params: &Ccsds,
    scaling: Scaling,
) -> Result<Vec<f64>> {
    if bits == 0 {
        return Ok(vec![scaling.reference; count]);
    }
    let flags = u32::from(params.flags) & !aec::DATA_3BYTE;
    let samples = aec::decode_samples(
        data,
        u32::from(bits),
        u32::from(params.block_size),
        u32::from(params.rsi),
        flags,
        count,
    )
    .map_err(|e| {
        // Parameters come from the file: a bad one means a corrupt section 5.
        if e.kind == ErrorKind::InvalidArgument {
            Error::corrupt(format!(
                "GRIB2 section 5 has invalid CCSDS parameters: {}",
                e.message
            ))
        } else {
            e
        }
    })?;
    Ok(scale_samples(
        samples.into_iter().map(u64::from),
        scaling,
        count,
    ))
}
