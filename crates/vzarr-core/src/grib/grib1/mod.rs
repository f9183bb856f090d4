//! GRIB1 messages: PDS (product definition), GDS (grid), BMS (bitmap), BDS (binary data).
//!
//! A GRIB1 message holds exactly one field. Its parameter is `(table2Version,
//! indicatorOfParameter)` interpreted through the originating centre's tables, its level a
//! type plus one 16-bit value (or two 8-bit values for layers), its step `P1`/`P2` in a
//! unit, combined according to the time-range indicator.

pub(crate) mod grid;

use crate::error::Error;
use crate::grib::field::{Field, GridTable, ParamNumber};
use crate::grib::message::{read_metadata, ByteSource, MessageLayout, SectionRef};
use crate::grib::octets::Octets;
use crate::grib::params::{self, Key, KeySource};
use crate::grib::time::{duration_seconds, epoch_seconds};
use crate::sansio::Step;

/// Level types whose octets 11 and 12 are two one-octet values (top, bottom of a layer).
const LAYER_TYPES: [u8; 12] = [101, 104, 106, 108, 110, 112, 114, 116, 120, 121, 128, 141];

/// ECMWF local definitions that carry the ensemble member number in octet 50.
const ECMWF_MEMBER_IN_OCTET_50: [u8; 10] = [1, 13, 14, 17, 19, 31, 36, 37, 40, 50];

pub(crate) struct Pds<'a> {
    s: Octets<'a>,
    pub table2_version: u8,
    pub centre: u16,
    pub indicator: u8,
    pub level_type: u8,
    pub level_octets: u16,
    pub unit: u8,
    pub p1: u8,
    pub p2: u8,
    pub time_range: u8,
    pub subcentre: u16,
    pub decimal_scale: i64,
}

impl<'a> Pds<'a> {
    pub fn parse(s: Octets<'a>) -> crate::Result<Pds<'a>> {
        Ok(Pds {
            table2_version: s.u8(4)?,
            centre: u16::from(s.u8(5)?),
            indicator: s.u8(9)?,
            level_type: s.u8(10)?,
            level_octets: s.u16(11)?,
            unit: s.u8(18)?,
            p1: s.u8(19)?,
            p2: s.u8(20)?,
            time_range: s.u8(21)?,
            subcentre: u16::from(s.u8(26)?),
            decimal_scale: s.signed(27, 2)?,
            s,
        })
    }

    fn reference_time(&self, offset: u64) -> crate::Result<i64> {
        let s = &self.s;
        let century = i64::from(s.u8(25)?);
        let year = (century - 1) * 100 + i64::from(s.u8(13)?);
        epoch_seconds(
            year,
            u32::from(s.u8(14)?),
            u32::from(s.u8(15)?),
            u32::from(s.u8(16)?),
            u32::from(s.u8(17)?),
            0,
            offset,
        )
    }

    /// ecCodes' `level`: the top of a layer, or the 16-bit value.
    fn level(&self) -> f64 {
        if LAYER_TYPES.contains(&self.level_type) {
            f64::from(self.level_octets >> 8)
        } else {
            f64::from(self.level_octets)
        }
    }

    /// (stepType, end step in units) from the time-range indicator (GRIB1 table 5, with
    /// ECMWF's extensions as ecCodes' `stepType` concept lists them).
    fn step(&self) -> (&'static str, i64) {
        let p1 = i64::from(self.p1);
        let p2 = i64::from(self.p2);
        match self.time_range {
            0 | 1 => ("instant", p1),
            10 => ("instant", i64::from(self.p1) << 8 | i64::from(self.p2)),
            14 => ("instant", p1),
            2 if self.centre == 98 => ("max", p2),
            2 | 4 => ("accum", p2),
            3 => ("avg", p2),
            5 => ("diff", p2),
            113 => ("avgfc", p1),
            118 => ("max", p2),
            119 => ("min", p2),
            120 => ("rms", p2),
            121 => ("sd", p2),
            122 => ("cov", p2),
            123 => ("avgua", p2),
            124 => ("avgia", p2),
            128 => ("avgas", p2),
            130 => ("avgad", p2),
            133 => ("avgid", p2),
            _ => ("unknown", p1),
        }
    }

    /// The ensemble member of ECMWF local definitions that have one.
    fn member(&self) -> Option<i64> {
        if self.centre != 98 || self.s.len() < 51 {
            return None;
        }
        let definition = self.s.u8(41).ok()?;
        if ECMWF_MEMBER_IN_OCTET_50.contains(&definition) {
            return self.s.u8(50).ok().map(i64::from);
        }
        if definition == 16 {
            return self.s.u16(50).ok().map(i64::from);
        }
        None
    }
}

impl<'a> KeySource for Pds<'a> {
    fn key(&self, key: Key) -> Option<i64> {
        Some(match key {
            Key::IndicatorOfTypeOfLevel => i64::from(self.level_type),
            Key::Level => self.level() as i64,
            _ => return None,
        })
    }
}

/// BDS octet 4: high bits are flags, the low nibble the unused bits at the end.
pub(crate) fn packing_type(bds_flags: u8) -> &'static str {
    match (bds_flags & 0x80 != 0, bds_flags & 0x40 != 0) {
        (false, false) => "grid_simple",
        (false, true) => "grid_second_order",
        (true, false) => "spectral_simple",
        (true, true) => "spectral_complex",
    }
}

fn section(layout: &MessageLayout, number: u8) -> Option<SectionRef> {
    layout.sections.iter().copied().find(|s| s.number == number)
}

/// Reads the single field of a GRIB1 message: the PDS, GDS and BDS header, and the
/// BMS header (its bitmap is only needed to decode).
pub(crate) fn read_field(
    src: &dyn ByteSource,
    layout: &MessageLayout,
    grids: &mut GridTable,
) -> Step<Field> {
    let start = layout.offset;
    let pds_ref = section(layout, 1)
        .ok_or_else(|| Error::corrupt("a GRIB1 message without a PDS").at_offset(start))?;
    let pds = Pds::parse(Octets::new(
        read_metadata(src, &pds_ref)?,
        "GRIB1 PDS",
        pds_ref.offset,
    ))?;
    let gds_ref = section(layout, 2).ok_or_else(|| {
        Error::unsupported(format!(
            "GRIB1 message without a grid description section (predefined grid {}) is not supported",
            pds.s.u8(7).unwrap_or(0)
        ))
        .at_offset(start)
    })?;
    let gds_bytes = read_metadata(src, &gds_ref)?;
    let gds = Octets::new(gds_bytes, "GRIB1 GDS", gds_ref.offset);
    let grid_index = grids.intern(1, &gds_bytes[3.min(gds_bytes.len())..], || {
        grid::parse(&gds, gds_ref.offset)
    })?;
    let bitmap = match section(layout, 3) {
        Some(bms) => {
            let head = Octets::new(
                src.read(bms.offset, 6.min(bms.length))?,
                "GRIB1 BMS",
                bms.offset,
            );
            if head.u16(5)? != 0 {
                return Err(
                    Error::unsupported("GRIB1 predefined bitmaps are not supported")
                        .at_offset(bms.offset)
                        .into(),
                );
            }
            let bits = (bms.length.saturating_sub(6) * 8).saturating_sub(u64::from(head.u8(4)?));
            let points = grids.grids[grid_index].num_points;
            if bits < points {
                return Err(Error::corrupt(format!(
                    "the GRIB1 bitmap has {} bits for {} grid points",
                    bits, points
                ))
                .at_offset(bms.offset)
                .into());
            }
            true
        }
        None => false,
    };
    let bds_ref = section(layout, 4)
        .ok_or_else(|| Error::corrupt("a GRIB1 message without a BDS").at_offset(start))?;
    let bds = Octets::new(
        src.read(bds_ref.offset, 11.min(bds_ref.length))?,
        "GRIB1 BDS",
        bds_ref.offset,
    );
    let packing = packing_type(bds.u8(4)?);
    let offset = pds_ref.offset;
    let (step_type, end) = pds.step();
    let step = duration_seconds(1, pds.unit, end, offset)?;
    let param = params::grib1_param(&pds, pds.centre, pds.table2_version, pds.indicator);
    Ok(Field {
        message_offset: start,
        message_length: layout.length,
        chunk_length: layout.length,
        edition: 1,
        centre: pds.centre,
        subcentre: pds.subcentre,
        reference_time: pds.reference_time(offset)?,
        grid: grid_index,
        param,
        param_number: ParamNumber::Grib1 {
            table: pds.table2_version,
            indicator: pds.indicator,
        },
        level_type: params::grib1_level_type(&pds),
        level: pds.level(),
        step_type,
        step,
        number: pds.member(),
        variant: None,
        packing_type: packing,
        bitmap,
        product_template: None,
    })
}
