//! Reference times and forecast steps.
//!
//! Times become integer seconds since 1970-01-01T00:00:00 (proleptic Gregorian, as GRIB
//! dates are), steps integer seconds; coordinates convert them to CF units at the end.

use crate::error::{Error, Result};

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of a date and time read from a file, after range checks.
pub(crate) fn epoch_seconds(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset: u64,
) -> Result<i64> {
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 24
        || minute > 59
        || second > 60
    {
        return Err(Error::corrupt(format!(
            "invalid date {:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            year, month, day, hour, minute, second
        ))
        .at_offset(offset));
    }
    Ok(days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second))
}

/// Length in seconds of one unit of GRIB2 code table 4.4 (GRIB1 table 4 shares codes
/// 0–2 and 10–13; GRIB1 13 is 15 minutes, 14 30 minutes, 254 seconds). `None` for
/// calendar units (month, year, ...) that have no fixed length.
pub(crate) fn unit_seconds(edition: u8, unit: u8) -> Option<i64> {
    match (edition, unit) {
        (_, 0) => Some(60),
        (_, 1) => Some(3600),
        (_, 2) => Some(86_400),
        (_, 10) => Some(3 * 3600),
        (_, 11) => Some(6 * 3600),
        (_, 12) => Some(12 * 3600),
        (2, 13) => Some(1),
        (1, 13) => Some(15 * 60),
        (1, 14) => Some(30 * 60),
        (1, 254) => Some(1),
        _ => None,
    }
}

/// `value` units of `unit` in seconds; calendar units are refused with a clear error.
pub(crate) fn duration_seconds(edition: u8, unit: u8, value: i64, offset: u64) -> Result<i64> {
    let seconds = unit_seconds(edition, unit).ok_or_else(|| {
        Error::unsupported(format!(
            "time unit {} (a calendar unit such as months or years) cannot be expressed as a step",
            unit
        ))
        .at_offset(offset)
    })?;
    value
        .checked_mul(seconds)
        .ok_or_else(|| Error::corrupt("a forecast step overflows").at_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1900, 1, 1), -25_567);
        assert_eq!(
            epoch_seconds(2017, 1, 1, 12, 0, 0, 0).unwrap(),
            1_483_272_000
        );
        assert!(epoch_seconds(2017, 13, 1, 0, 0, 0, 0).is_err());
    }

    #[test]
    fn step_units() {
        assert_eq!(duration_seconds(2, 1, 6, 0).unwrap(), 21_600);
        assert_eq!(duration_seconds(2, 13, 90, 0).unwrap(), 90);
        assert_eq!(duration_seconds(1, 13, 1, 0).unwrap(), 900);
        assert!(duration_seconds(2, 3, 1, 0).is_err());
    }
}
