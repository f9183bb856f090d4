//! Which points of a reduced ("quasi-regular") grid's rows a message holds.
//!
//! A reduced grid lists the points of each full row (`pl`). A global field codes them all; a
//! sub-area (an ECMWF/MARS `area=` retrieval) codes, on each row, only the points whose
//! longitude `k × 360 / pl` lies between the first and last longitude of the area. ecCodes
//! counts those points with exact fractions (as ECMWF's MIR does, so the count matches what
//! the producer coded); floating-point division miscounts rows whose end lies on a point.

/// Largest denominator of the fractions ecCodes compares longitudes with (√(2⁶³)).
const MAX_DENOMINATOR: i128 = 3_037_000_499;

/// `x` as the fraction (numerator, denominator) with the smallest denominator (at most
/// [`MAX_DENOMINATOR`]) that continued-fraction expansion reaches: exact for the decimal
/// degrees GRIB stores (millidegrees, microdegrees).
fn fraction(x: f64) -> (i128, i128) {
    let negative = x < 0.0;
    let mut rest = x.abs();
    // Convergents h/k of the continued fraction [a0; a1, a2, ...].
    let (mut h_prev, mut h) = (0i128, 1i128);
    let (mut k_prev, mut k) = (1i128, 0i128);
    for _ in 0..64 {
        if !rest.is_finite() || rest > 1e18 {
            break;
        }
        let a = rest.floor() as i128;
        let (h_next, k_next) = (a * h + h_prev, a * k + k_prev);
        if k_next > MAX_DENOMINATOR {
            break;
        }
        (h_prev, h, k_prev, k) = (h, h_next, k, k_next);
        let frac = rest - rest.floor();
        if frac == 0.0 || h as f64 / k as f64 == x.abs() {
            break;
        }
        rest = 1.0 / frac;
    }
    if k == 0 {
        return (0, 1);
    }
    (if negative { -h } else { h }, k)
}

/// `floor(a / b)` for `b > 0`.
fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

/// The points of a row of `pl` points that lie in `[lon_first, lon_last]` (degrees; the last
/// taken eastwards of the first): how many, and the longitude of the first.
pub(crate) fn row_points(pl: u64, lon_first: f64, lon_last: f64) -> (u64, f64) {
    if pl == 0 || !lon_first.is_finite() || !lon_last.is_finite() {
        return (0, 0.0);
    }
    let mut east = lon_last;
    while east < lon_first {
        east += 360.0;
    }
    let (w_top, w_bottom) = fraction(lon_first);
    let (e_top, e_bottom) = fraction(east);
    let pl = i128::from(pl);
    // Point k lies at k × 360 / pl: the first at or after the west edge, the last at or
    // before the east edge.
    let first = -floor_div(-w_top * pl, 360 * w_bottom);
    let last = floor_div(e_top * pl, 360 * e_bottom);
    if first > last {
        return (0, 0.0);
    }
    let count = (last - first + 1).min(pl);
    // The first longitude as ecCodes computes it: the reduced fraction first × 360 / pl.
    let (top, bottom) = (first * 360, pl);
    let g = gcd(top.abs(), bottom);
    ((count as u64), (top / g) as f64 / (bottom / g) as f64)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// True when `[lon_first, lon_last]` is the whole circle of a reduced grid whose longest row
/// has `max_pl` points, to within `precision` degrees (the unit the file stores angles in):
/// every point of every row is then coded.
pub(crate) fn covers_all_longitudes(
    max_pl: u64,
    lon_first: f64,
    lon_last: f64,
    precision: f64,
) -> bool {
    if max_pl == 0 {
        return false;
    }
    let step = 360.0 / max_pl as f64;
    let mut span = lon_last - lon_first;
    if span < 0.0 {
        span += 360.0;
    }
    (span + step - 360.0).abs() <= precision + 1e-9
}

/// True when every point `pl` lists is coded: always for a reduced lat/lon grid (its rows
/// list the points coded), for a reduced Gaussian grid (whose rows list whole circles) when
/// the area is the whole circle.
pub(crate) fn codes_every_listed_point(
    gaussian: bool,
    pl: &[u64],
    lon_first: f64,
    lon_last: f64,
    precision: f64,
) -> bool {
    let max_pl = pl.iter().copied().max().unwrap_or(0);
    !gaussian || covers_all_longitudes(max_pl, lon_first, lon_last, precision)
}

/// Each row's coded points: (how many, first longitude, spacing in degrees). Whole circles
/// are `360 / pl` apart; a reduced Gaussian sub-area keeps each row's points inside the area;
/// a reduced lat/lon sub-area spreads each row's points evenly from the first longitude to
/// the last.
pub(crate) fn row_spans(
    gaussian: bool,
    pl: &[u64],
    lon_first: f64,
    lon_last: f64,
    precision: f64,
) -> Vec<(u64, f64, f64)> {
    let max_pl = pl.iter().copied().max().unwrap_or(0);
    let whole = covers_all_longitudes(max_pl, lon_first, lon_last, precision);
    let mut east = lon_last;
    while east < lon_first {
        east += 360.0;
    }
    pl.iter()
        .map(|&p| {
            let circle = 360.0 / p.max(1) as f64;
            if whole {
                (p, lon_first, circle)
            } else if gaussian {
                let (n, first) = row_points(p, lon_first, lon_last);
                (n, first, circle)
            } else if p > 1 {
                (p, lon_first, (east - lon_first) / (p - 1) as f64)
            } else {
                (p, lon_first, 0.0)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_decimal_degrees_are_exact() {
        assert_eq!(fraction(36.233), (36233, 1000));
        assert_eq!(fraction(-12.558), (-6279, 500));
        assert_eq!(fraction(0.0), (0, 1));
        assert_eq!(fraction(359.929), (359929, 1000));
    }

    #[test]
    fn counts_the_points_between_the_edges_exactly() {
        // 128 points: one every 2.8125 degrees; 0..=39.375 holds points 0..=14.
        assert_eq!(row_points(128, 0.0, 39.375), (15, 0.0));
        // An edge just past a point excludes it; one on a point includes it.
        assert_eq!(row_points(128, 2.813, 39.375), (13, 5.625));
        assert_eq!(row_points(128, 2.8125, 39.374), (13, 2.8125));
        // Across the meridian: 350 to 10 degrees on a 36-point row (every 10 degrees).
        assert_eq!(row_points(36, 350.0, 10.0), (3, 350.0));
        // A row shorter than the area's width codes every point once.
        assert_eq!(row_points(4, 0.0, 359.0), (4, 0.0));
        assert_eq!(row_points(0, 0.0, 10.0), (0, 0.0));
    }

    #[test]
    fn whole_circles_are_recognised_at_the_file_precision() {
        // N256: 1024 points on the longest row, last longitude 359.6484375 stored as 359.648.
        assert!(covers_all_longitudes(1024, 0.0, 359.648, 1e-3));
        assert!(!covers_all_longitudes(1024, 0.0, 359.0, 1e-3));
        // Starting anywhere: 4 points every 90 degrees from 90 east round to 0.
        assert!(covers_all_longitudes(4, 90.0, 0.0, 1e-3));
    }
}
