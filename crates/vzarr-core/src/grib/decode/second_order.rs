//! GRIB1 grid-point second-order packing, the "general extended" form (ecCodes'
//! `grid_second_order`, ECMWF's and Météo-France's GRIB1 packing): values are split into
//! groups, each stored as a first-order value plus second-order offsets of the group's own
//! width, optionally after spatial differencing of order 1 to 3.
//!
//! BDS layout after the common header (octets 1-11, octet 11 the width of first-order
//! values): 12-13 N1, 14 extended flags, 15-16 N2, 17-18 number of groups, 19-20 number of
//! second-order values, 21 extra groups (× 65536), 22 width of the group widths, 23 width of
//! the group lengths, 24-25 NL; with differencing, 26 the width of the SPD field and then
//! `order` first values (unsigned) and the bias (sign and magnitude) of that width. Then,
//! each starting on an octet: the group widths, the group lengths, the first-order values,
//! and the second-order values bit-packed group after group. Arithmetic as ecCodes'
//! `data_g1second_order_general_extended_packing`, so values are bit-identical.
//!
//! The other GRIB1 second-order forms (row by row, constant width, the general form with a
//! secondary bitmap) are refused by name.

use super::bits::BitReader;
use super::simple::{check_size, Scaling};
use crate::error::{Error, Result};
use crate::grib::octets::Octets;

/// Octet 14 of a GRIB1 BDS with second-order packing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExtendedFlags(pub u8);

impl ExtendedFlags {
    pub fn boustrophedonic(self) -> bool {
        self.0 & 0x04 != 0
    }

    /// Single datum per point, no secondary bitmap, groups of different widths, general
    /// extended: the one form decoded here.
    fn general_extended(self) -> bool {
        self.0 & 0x78 == 0x18
    }

    fn order_of_spd(self) -> u8 {
        self.0 & 0x03
    }

    /// ecCodes' name for the form these flags select, for what is refused.
    fn packing_name(self) -> &'static str {
        let (matrix, secondary, different, extended) = (
            self.0 & 0x40 != 0,
            self.0 & 0x20 != 0,
            self.0 & 0x10 != 0,
            self.0 & 0x08 != 0,
        );
        match (matrix, secondary, different, extended) {
            (true, ..) => "second-order packing with a matrix of values at each point",
            (false, false, true, false) => "grid_second_order_row_by_row",
            (false, true, false, false) => "grid_second_order_constant_width",
            (false, true, true, false) => "grid_second_order_general_grib1",
            (false, false, true, true) => "grid_second_order",
            _ => "second-order packing with these extended flags",
        }
    }
}

/// The coded values of a general-extended second-order BDS: `count` of them (the grid's
/// points, or the bitmap's present points), in the order they were packed.
pub(crate) fn unpack(bds: &Octets, count: usize, scaling: Scaling) -> Result<Vec<f64>> {
    let flags = ExtendedFlags(bds.u8(14)?);
    if !flags.general_extended() {
        return Err(Error::unsupported(format!(
            "GRIB1 {} (extended flags {:#04x}) is not supported; grid_second_order is",
            flags.packing_name(),
            flags.0
        )));
    }
    let first_width = u32::from(bds.u8(11)?);
    let groups = usize::from(bds.u16(17)?) + 65536 * usize::from(bds.u8(21)?);
    let width_of_widths = u32::from(bds.u8(22)?);
    let width_of_lengths = u32::from(bds.u8(23)?);
    let order = flags.order_of_spd();
    // Every group holds at least one value in practice; the bound keeps a forged group count
    // with zero-width descriptors from allocating far beyond the field.
    if groups > count {
        return Err(Error::corrupt(format!(
            "second-order packing claims {} groups for {} values",
            groups, count
        )));
    }
    for (what, width) in [
        ("first-order values", first_width),
        ("group widths", width_of_widths),
        ("group lengths", width_of_lengths),
    ] {
        if width > 63 {
            return Err(Error::corrupt(format!(
                "second-order packing gives the {} {} bits each",
                what, width
            )));
        }
    }
    // Where the SPD header ends and the group descriptors begin (octet numbers, 1-based).
    let mut octet = 26;
    let mut spd = Vec::new();
    let mut bias = 0i64;
    if order > 0 {
        let width = u32::from(bds.u8(26)?);
        if width == 0 || width > 63 {
            return Err(Error::corrupt(format!(
                "second-order packing stores its first values in {} bits",
                width
            )));
        }
        let bytes = octets_for(u64::from(width) * (u64::from(order) + 1));
        let field = bds.slice(27, bytes)?;
        let mut r = BitReader::new(field);
        spd.extend((0..order).map(|_| r.read(width) as i64));
        let sign = r.read(1);
        let magnitude = r.read(width - 1) as i64;
        bias = if sign == 1 { -magnitude } else { magnitude };
        octet = 27 + bytes;
    }
    let widths = read_array(bds, &mut octet, groups, width_of_widths, "group widths")?;
    let lengths = read_array(bds, &mut octet, groups, width_of_lengths, "group lengths")?;
    let firsts = read_array(bds, &mut octet, groups, first_width, "first-order values")?;
    let coded = lengths
        .iter()
        .try_fold(u64::from(order), |sum, &l| sum.checked_add(l))
        .unwrap_or(u64::MAX);
    if coded != count as u64 {
        return Err(Error::corrupt(format!(
            "second-order packing codes {} values (group lengths plus {} first values) for {} points",
            coded, order, count
        )));
    }
    if let Some(&w) = widths.iter().find(|&&w| w > 63) {
        return Err(Error::corrupt(format!(
            "a second-order group is {} bits wide",
            w
        )));
    }
    let packed_bits = widths
        .iter()
        .zip(&lengths)
        .map(|(&w, &l)| w.saturating_mul(l))
        .fold(0u64, u64::saturating_add);
    let data = bds.rest(octet)?;
    if packed_bits > data.len() as u64 * 8 {
        return Err(Error::corrupt(format!(
            "the second-order values need {} bits, the section holds {}",
            packed_bits,
            data.len() as u64 * 8
        )));
    }
    let mut x = vec![0i64; count];
    let mut n = usize::from(order);
    let mut r = BitReader::new(data);
    for ((&width, &length), &first) in widths.iter().zip(&lengths).zip(&firsts) {
        let first = first as i64;
        for slot in &mut x[n..n + length as usize] {
            *slot = (r.read(width as u32) as i64).wrapping_add(first);
        }
        n += length as usize;
    }
    x[..usize::from(order)].copy_from_slice(&spd);
    undo_differencing(&mut x, order, bias);
    let (s, d) = scaling.factors();
    let reference = scaling.reference;
    Ok(x.iter()
        .map(|&v| ((v as f64) * s + reference) * d)
        .collect())
}

fn octets_for(bits: u64) -> usize {
    bits.div_ceil(8) as usize
}

/// `count` unsigned fields of `width` bits starting at octet `*octet`; moves past them.
fn read_array(
    bds: &Octets,
    octet: &mut usize,
    count: usize,
    width: u32,
    what: &str,
) -> Result<Vec<u64>> {
    let bytes = octets_for(count as u64 * u64::from(width));
    let field = bds.slice(*octet, bytes)?;
    check_size(field, width, count, what)?;
    *octet += bytes;
    let mut r = BitReader::new(field);
    Ok((0..count).map(|_| r.read(width)).collect())
}

/// Integrates differences of order 1-3 in place: `x[..order]` hold the first original
/// values, the rest the differences less `bias`.
fn undo_differencing(x: &mut [i64], order: u8, bias: i64) {
    let n = x.len();
    match order {
        1 if n > 1 => {
            let mut y = x[0];
            for v in &mut x[1..] {
                y = y.wrapping_add(v.wrapping_add(bias));
                *v = y;
            }
        }
        2 if n > 2 => {
            let mut y = x[1].wrapping_sub(x[0]);
            let mut z = x[1];
            for v in &mut x[2..] {
                y = y.wrapping_add(v.wrapping_add(bias));
                z = z.wrapping_add(y);
                *v = z;
            }
        }
        3 if n > 3 => {
            let mut y = x[2].wrapping_sub(x[1]);
            let mut z = y.wrapping_sub(x[1].wrapping_sub(x[0]));
            let mut w = x[2];
            for v in &mut x[3..] {
                z = z.wrapping_add(v.wrapping_add(bias));
                y = y.wrapping_add(z);
                w = w.wrapping_add(y);
                *v = w;
            }
        }
        _ => {}
    }
}

/// Undoes boustrophedonic ordering: every second row (the second, fourth, ...) was packed
/// right to left.
pub(crate) fn unsnake(values: &mut [f64], row: usize) {
    if row == 0 {
        return;
    }
    for r in values.chunks_mut(row).skip(1).step_by(2) {
        r.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_each_order() {
        // Original 5, 7, 10, 14, 19: first differences 2, 3, 4, 5; second 1, 1, 1.
        let mut one = vec![5, 0, 1, 2, 3];
        undo_differencing(&mut one, 1, 2);
        assert_eq!(one, vec![5, 7, 10, 14, 19]);
        let mut two = vec![5, 7, 0, 0, 0];
        undo_differencing(&mut two, 2, 1);
        assert_eq!(two, vec![5, 7, 10, 14, 19]);
        // Third differences of 1, 2, 4, 8, 16, 32: 1, 1, 2 after 1, 2, 4.
        let mut three = vec![1, 2, 4, 0, 0, 1];
        undo_differencing(&mut three, 3, 1);
        assert_eq!(three, vec![1, 2, 4, 8, 15, 27]);
    }

    #[test]
    fn reverses_every_second_row() {
        let mut v: Vec<f64> = (0..9).map(f64::from).collect();
        unsnake(&mut v, 3);
        assert_eq!(v, vec![0.0, 1.0, 2.0, 5.0, 4.0, 3.0, 6.0, 7.0, 8.0]);
    }

    #[test]
    fn names_the_forms_it_refuses() {
        assert_eq!(
            ExtendedFlags(0x10).packing_name(),
            "grid_second_order_row_by_row"
        );
        assert_eq!(
            ExtendedFlags(0x20).packing_name(),
            "grid_second_order_constant_width"
        );
        assert_eq!(
            ExtendedFlags(0x30).packing_name(),
            "grid_second_order_general_grib1"
        );
        assert_eq!(ExtendedFlags(0x1e).packing_name(), "grid_second_order");
        assert!(ExtendedFlags(0x1e).general_extended() && ExtendedFlags(0x18).general_extended());
        assert!(!ExtendedFlags(0x10).general_extended() && !ExtendedFlags(0x58).general_extended());
    }
}
