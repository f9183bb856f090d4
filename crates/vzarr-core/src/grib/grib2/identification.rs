//! GRIB2 section 1 (identification): originating centre, table versions, reference time.

use crate::error::Result;
use crate::grib::octets::Octets;
use crate::grib::time::epoch_seconds;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Identification {
    pub centre: u16,
    pub subcentre: u16,
    pub master_tables_version: u8,
    pub local_tables_version: u8,
    /// Reference time in seconds since 1970-01-01.
    pub reference_time: i64,
    /// Code table 1.3 (4 and 5 are TIGGE, whose potential-vorticity levels scale differently).
    pub production_status: u8,
    /// Code table 1.4 (0 analysis, 1 forecast, ..., 255 missing).
    pub type_of_processed_data: u8,
}

pub(crate) fn parse(s: &Octets) -> Result<Identification> {
    let year = i64::from(s.u16(13)?);
    let reference_time = epoch_seconds(
        year,
        u32::from(s.u8(15)?),
        u32::from(s.u8(16)?),
        u32::from(s.u8(17)?),
        u32::from(s.u8(18)?),
        u32::from(s.u8(19)?),
        0,
    )?;
    Ok(Identification {
        centre: s.u16(6)?,
        subcentre: s.u16(8)?,
        master_tables_version: s.u8(10)?,
        local_tables_version: s.u8(11)?,
        reference_time,
        production_status: s.u8(20)?,
        type_of_processed_data: s.u8(21)?,
    })
}
