//! From packed values to the array the variable's shape describes: bitmap expansion and
//! scanning-mode normalisation.
//!
//! The codec returns values row by row — rows in the file's j direction, points within a
//! row in the file's i direction — which is the order the scanner's latitude/longitude
//! coordinates describe. Two scanning modes store points differently and are undone
//! here: j-consecutive storage (column-major, flag 0x20) is transposed, and
//! boustrophedonic storage (flag 0x10: every other row runs backwards) has its odd rows
//! reversed. The i and j directions themselves are kept as stored; the coordinates say
//! which way they run.

use crate::error::{Error, Result};
use crate::grib::grid::ScanMode;

/// Spreads `packed` values over `points` grid points by a MSB-first bitmap (1 = present);
/// absent points become NaN.
pub(crate) fn expand_bitmap(packed: &[f64], bitmap: &[u8], points: usize) -> Result<Vec<f64>> {
    if bitmap.len() as u64 * 8 < points as u64 {
        return Err(Error::corrupt(format!(
            "the bitmap has {} bits for {} grid points",
            bitmap.len() * 8,
            points
        )));
    }
    let present: usize = bitmap[..points / 8]
        .iter()
        .map(|b| b.count_ones() as usize)
        .sum::<usize>()
        + (0..points % 8)
            .filter(|&k| bitmap[points / 8] & (0x80 >> k) != 0)
            .count();
    if present != packed.len() {
        return Err(Error::corrupt(format!(
            "the bitmap marks {} points present but {} values are packed",
            present,
            packed.len()
        )));
    }
    let mut out = Vec::with_capacity(points);
    let mut next = packed.iter();
    for (i, &byte) in bitmap.iter().enumerate() {
        let base = i * 8;
        if base >= points {
            break;
        }
        let n = (points - base).min(8);
        if byte == 0xff && n == 8 {
            out.extend(next.by_ref().take(8));
            continue;
        }
        for k in 0..n {
            if byte & (0x80 >> k) != 0 {
                out.push(next.next().copied().unwrap_or(f64::NAN));
            } else {
                out.push(f64::NAN);
            }
        }
    }
    Ok(out)
}

/// Puts values stored in `scan` order into row-major (j, i) order.
pub(crate) fn normalise_scan(values: Vec<f64>, ni: usize, nj: usize, scan: ScanMode) -> Vec<f64> {
    if ni == 0 || nj == 0 || values.len() != ni * nj {
        return values;
    }
    let mut values = values;
    if scan.j_consecutive() {
        // Stored as ni columns of nj points; boustrophedon then reverses odd columns.
        if scan.alternate_rows() {
            for column in values.chunks_mut(nj).skip(1).step_by(2) {
                column.reverse();
            }
        }
        let mut out = vec![0.0; ni * nj];
        for (i, column) in values.chunks(nj).enumerate() {
            for (j, &v) in column.iter().enumerate() {
                out[j * ni + i] = v;
            }
        }
        return out;
    }
    if scan.alternate_rows() {
        for row in values.chunks_mut(ni).skip(1).step_by(2) {
            row.reverse();
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_bitmaps() {
        let out = expand_bitmap(&[1.0, 2.0, 3.0], &[0b1010_0000, 0b1000_0000], 9).unwrap();
        assert_eq!(out.len(), 9);
        assert_eq!(out[0], 1.0);
        assert!(out[1].is_nan());
        assert_eq!(out[2], 2.0);
        assert_eq!(out[8], 3.0);
        assert!(expand_bitmap(&[1.0], &[0b1010_0000], 8).is_err());
        assert!(expand_bitmap(&[1.0], &[0xff], 9).is_err());
    }

    #[test]
    fn normalises_scanning_modes() {
        // 3 columns (i) × 2 rows (j).
        let column_major = vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
        assert_eq!(
            normalise_scan(column_major, 3, 2, ScanMode(0x20)),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        let serpentine = vec![1.0, 2.0, 3.0, 6.0, 5.0, 4.0];
        assert_eq!(
            normalise_scan(serpentine, 3, 2, ScanMode(0x10)),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        let plain = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(normalise_scan(plain.clone(), 3, 2, ScanMode(0xc0)), plain);
    }
}
