//! GRIB1 field decoding: grid-point simple packing with an IBM-float reference value,
//! grid-point second-order packing in its general extended form (`second_order.rs`), and
//! spherical harmonics with complex packing. The other second-order forms and simple-packed
//! spherical harmonics are refused with `UnsupportedFeature`.

use super::layout::{expand_bitmap, normalise_scan};
use super::second_order::{self, ExtendedFlags};
use super::simple::{self, Scaling};
use super::spectral::{self, grib1_laplacian, SpectralComplex, SubsetFloat};
use crate::error::{Error, Result};
use crate::grib::grib1::{grid, packing_type, Pds};
use crate::grib::message::{complete, read_indicator, read_layout, SliceSource};
use crate::grib::octets::Octets;

pub(crate) fn decode(message: &[u8]) -> Result<Vec<f64>> {
    let src = SliceSource(message);
    let (edition, length) = complete(read_indicator(&src, 0))?;
    let layout = complete(read_layout(&src, 0, edition, length, false))?;
    let section = |number: u8| -> Option<Octets> {
        layout
            .sections
            .iter()
            .find(|s| s.number == number)
            .map(|s| {
                let bytes = &message[s.offset as usize..(s.offset + s.length) as usize];
                Octets::new(bytes, "GRIB1 section", s.offset)
            })
    };
    let pds =
        Pds::parse(section(1).ok_or_else(|| Error::corrupt("a GRIB1 message without a PDS"))?)?;
    let gds = section(2).ok_or_else(|| {
        Error::unsupported("GRIB1 messages without a grid description section are not supported")
    })?;
    let grid = grid::parse(&gds, 0)?;
    let bds = section(4).ok_or_else(|| Error::corrupt("a GRIB1 message without a BDS"))?;
    let flags = bds.u8(4)?;
    let scaling = Scaling {
        reference: bds.ibm_f32(7)?,
        binary_scale: bds.signed(5, 2)?,
        decimal_scale: pds.decimal_scale,
    };
    let bits = bds.u8(11)?;
    let second_order = flags & 0xc0 == 0x40;
    match flags & 0xc0 {
        0 | 0x40 => {}
        0xc0 => {
            // Octets 12-13 point at the packed part, which follows the subset anyway.
            let params = SpectralComplex {
                laplacian: grib1_laplacian(bds.signed(14, 2)?),
                subset: [bds.u8(16)?, bds.u8(17)?, bds.u8(18)?].map(u32::from),
                subset_float: SubsetFloat::Ibm32,
                gribex_row_scaling: true,
            };
            let count = grid.num_points as usize;
            return spectral::unpack(bds.rest(19)?, bits, count, params, scaling);
        }
        _ => {
            return Err(Error::unsupported(format!(
                "GRIB1 {} packing is not supported",
                packing_type(flags)
            )))
        }
    }
    let points = grid.num_points as usize;
    let unpack = |count: usize| {
        if second_order {
            second_order::unpack(&bds, count, scaling)
        } else {
            simple::unpack(bds.rest(12)?, bits, count, scaling)
        }
    };
    // Boustrophedonic second-order fields were packed with every second row reversed.
    let snake_row = if second_order && ExtendedFlags(bds.u8(14)?).boustrophedonic() {
        match grid.ni_nj {
            Some((ni, _)) => Some(ni as usize),
            None => {
                return Err(Error::unsupported(
                    "GRIB1 boustrophedonic second-order packing on a grid without regular rows is not supported",
                ))
            }
        }
    } else {
        None
    };
    let mut values = match section(3) {
        Some(bms) => {
            if bms.u16(5)? != 0 {
                return Err(Error::unsupported(
                    "GRIB1 predefined bitmaps are not supported",
                ));
            }
            let bitmap = bms.rest(7)?;
            if (bitmap.len() as u64) * 8 < points as u64 {
                return Err(Error::corrupt("the GRIB1 bitmap is shorter than the grid"));
            }
            if snake_row.is_some() {
                // ecCodes reverses rows before or after applying the bitmap depending on
                // who wrote the file (GRIBEX or not); no file to tell them apart is at hand.
                return Err(Error::unsupported(
                    "GRIB1 boustrophedonic second-order packing with a bitmap is not supported",
                ));
            }
            let present = count_present(bitmap, points);
            let packed = unpack(present)?;
            expand_bitmap(&packed, bitmap, points)?
        }
        None => unpack(points)?,
    };
    if let Some(row) = snake_row {
        second_order::unsnake(&mut values, row);
    }
    Ok(match grid.ni_nj {
        Some((ni, nj)) => normalise_scan(values, ni as usize, nj as usize, grid.scan),
        None => values,
    })
}

fn count_present(bitmap: &[u8], points: usize) -> usize {
    let full = bitmap[..points / 8]
        .iter()
        .map(|b| b.count_ones() as usize)
        .sum::<usize>();
    let tail = (0..points % 8)
        .filter(|&k| bitmap[points / 8] & (0x80 >> k) != 0)
        .count();
    full + tail
}
