//! Fill value messages, old (0x04) and new (0x05, versions 1–3).

use super::io::Cursor;
use crate::error::Result;

/// What unwritten elements of a dataset read as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FillValue {
    /// The library default: all bytes zero.
    Default,
    /// Explicitly undefined: the library returns whatever is in memory.
    Undefined,
    /// A value of the dataset's datatype, as stored bytes.
    Value(Vec<u8>),
}

/// The size field value HDF5 writes for an undefined fill value ((size_t)-1 truncated).
const UNDEFINED_SIZE: u32 = u32::MAX;

fn value(c: &mut Cursor) -> Result<FillValue> {
    let size = c.u32()?;
    if size == UNDEFINED_SIZE {
        return Ok(FillValue::Undefined);
    }
    if size == 0 {
        return Ok(FillValue::Default);
    }
    Ok(FillValue::Value(c.bytes(size as usize)?.to_vec()))
}

/// The old-style message: a size and the value.
pub fn parse_old(c: &mut Cursor) -> Result<FillValue> {
    value(c)
}

/// A fill value message: the value, and whether HDF5 was told never to write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FillMessage {
    pub value: FillValue,
    /// Fill time "never" (`H5D_FILL_TIME_NEVER`, what netCDF-C's `NC_NOFILL` sets): parts
    /// of a chunk no write covered then hold whatever was in the writer's memory, not the
    /// fill value.
    pub never_written: bool,
}

/// Fill time code (2 bits) meaning "never".
const FILL_TIME_NEVER: u8 = 1;

pub fn parse(c: &mut Cursor) -> Result<FillMessage> {
    let version = c.u8()?;
    let message = |value, fill_time: u8| FillMessage {
        value,
        never_written: fill_time == FILL_TIME_NEVER,
    };
    match version {
        1 | 2 => {
            let _alloc_time = c.u8()?;
            let fill_time = c.u8()?;
            // As `H5O__fill_new_decode`: without the "defined" flag there is no size field
            // and the fill value is undefined (size -1); a size of 0 is the default value.
            if c.u8()? == 0 {
                return Ok(message(FillValue::Undefined, fill_time));
            }
            Ok(message(value(c)?, fill_time))
        }
        3 => {
            let flags = c.u8()?;
            let fill_time = (flags >> 2) & 0x03;
            if flags & 0x10 != 0 {
                return Ok(message(FillValue::Undefined, fill_time));
            }
            if flags & 0x20 != 0 {
                return Ok(message(value(c)?, fill_time));
            }
            Ok(message(FillValue::Default, fill_time))
        }
        v => Err(c.error(format!("fill value message version {} is not supported", v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;

    fn run(bytes: &[u8]) -> FillValue {
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        parse(&mut Cursor::new(bytes, geo, 0, "t")).unwrap().value
    }

    #[test]
    fn reads_each_version() {
        assert_eq!(
            run(&[3, 0x20, 2, 0, 0, 0, 7, 0]),
            FillValue::Value(vec![7, 0])
        );
        assert_eq!(run(&[3, 0x10]), FillValue::Undefined);
        assert_eq!(run(&[3, 0x02]), FillValue::Default);
        assert_eq!(run(&[2, 1, 1, 0]), FillValue::Undefined);
        assert_eq!(run(&[2, 1, 1, 1, 0, 0, 0, 0]), FillValue::Default);
        assert_eq!(run(&[2, 1, 1, 1, 1, 0, 0, 0, 9]), FillValue::Value(vec![9]));
        assert_eq!(run(&[1, 1, 1, 0]), FillValue::Undefined);
    }

    #[test]
    fn tells_when_fill_values_are_never_written() {
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let never = |bytes: &[u8]| {
            parse(&mut Cursor::new(bytes, geo, 0, "t"))
                .unwrap()
                .never_written
        };
        assert!(never(&[3, 0x04 | 0x02]));
        assert!(!never(&[3, 0x08 | 0x02]));
        assert!(!never(&[3, 0x20, 2, 0, 0, 0, 7, 0]));
        assert!(never(&[2, 1, 1, 0]));
        assert!(!never(&[2, 1, 2, 1, 0, 0, 0, 0]));
    }

    #[test]
    fn reads_the_old_message() {
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let bytes = [4u8, 0, 0, 0, 0, 0, 0xC0, 0x7F];
        let v = parse_old(&mut Cursor::new(&bytes, geo, 0, "t")).unwrap();
        assert_eq!(v, FillValue::Value(vec![0, 0, 0xC0, 0x7F]));
        let empty = [0u8, 0, 0, 0];
        let v = parse_old(&mut Cursor::new(&empty, geo, 0, "t")).unwrap();
        assert_eq!(v, FillValue::Default);
    }
}
