//! GRIB2 section 6 (bit-map): which grid points have a value.
//!
//! Octet 6 says whether a bitmap follows (one bit per grid point, most significant bit
//! first, 1 = a value is packed in section 7), whether the previous bitmap of the same
//! message applies, or whether every point has a value.

use crate::error::{Error, Result};
use crate::grib::octets::Octets;

/// Section 6's bitmap indicator (code table 6.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BitmapIndicator {
    /// A bitmap follows in this section.
    Present,
    /// Reuse the bitmap most recently defined in this message.
    Previous,
    /// No bitmap: every grid point has a value.
    None,
    /// A bitmap predefined by the centre (1–253): not reproducible without its tables.
    Predefined(u8),
}

pub(crate) fn bitmap_indicator(s: &Octets) -> Result<BitmapIndicator> {
    Ok(match s.u8(6)? {
        0 => BitmapIndicator::Present,
        254 => BitmapIndicator::Previous,
        255 => BitmapIndicator::None,
        n => BitmapIndicator::Predefined(n),
    })
}

/// Checks that a bitmap has a bit for every grid point.
pub(crate) fn check_bitmap_length(section_length: u64, num_points: u64, offset: u64) -> Result<()> {
    let bits = section_length.saturating_sub(6).saturating_mul(8);
    if bits < num_points {
        return Err(Error::corrupt(format!(
            "the bitmap has {} bits for {} grid points",
            bits, num_points
        ))
        .at_offset(offset));
    }
    Ok(())
}
