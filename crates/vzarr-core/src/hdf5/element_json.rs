//! Element values of an HDF5 datatype as JSON: attribute values and fill values, decoded as
//! HDF5 converts them (padding bits, byte order, half floats, string padding).

use super::datatype::{Datatype, StringPad};
use super::io::le_uint;
use crate::json::Json;

impl Datatype {
    /// One element of a plain (fixed-size, non-reference) type as JSON. Floats that JSON
    /// cannot hold become the strings "NaN", "Infinity", "-Infinity".
    pub fn element_json(&self, bytes: &[u8]) -> Option<Json> {
        match self {
            Datatype::Integer {
                size,
                signed,
                big_endian,
                precision,
                bit_offset,
            } if bytes.len() == *size => Some(integer_json(
                ordered_uint(bytes, *big_endian),
                *signed,
                *precision,
                *bit_offset,
            )),
            Datatype::Bitfield { size, big_endian } if bytes.len() == *size => Some(integer_json(
                ordered_uint(bytes, *big_endian),
                false,
                8 * *size as u32,
                0,
            )),
            Datatype::Float { size, big_endian } if bytes.len() == *size => {
                let raw = ordered_uint(bytes, *big_endian);
                let value = match size {
                    2 => half_to_f64(raw as u16),
                    4 => f64::from(f32::from_bits(raw as u32)),
                    _ => f64::from_bits(raw),
                };
                Some(Json::float(value))
            }
            Datatype::Complex { size, big_endian } if bytes.len() == *size => {
                // Zarr writes a complex value as [real, imaginary].
                let part = Datatype::Float {
                    size: size / 2,
                    big_endian: *big_endian,
                };
                let (re, im) = bytes.split_at(size / 2);
                Some(Json::Array(vec![
                    part.element_json(re)?,
                    part.element_json(im)?,
                ]))
            }
            Datatype::String { pad, .. } => Some(Json::String(fixed_string(bytes, *pad))),
            Datatype::Enum { base, .. } => {
                if self.is_bool() {
                    bytes.first().map(|&b| Json::Bool(b != 0))
                } else {
                    base.element_json(bytes)
                }
            }
            _ => None,
        }
    }
}

/// The integer in bits `bit_offset..bit_offset + precision` of `raw`, as HDF5 converts it
/// to a native integer: shifted down, sign-extended from its top bit when signed.
fn integer_json(raw: u64, signed: bool, precision: u32, bit_offset: u32) -> Json {
    let spare = 64 - precision.clamp(1, 64);
    let field = (raw >> bit_offset.min(63)) << spare;
    if signed {
        Json::Int((field as i64) >> spare)
    } else {
        Json::UInt(field >> spare)
    }
}

fn ordered_uint(bytes: &[u8], big_endian: bool) -> u64 {
    if big_endian {
        bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    } else {
        le_uint(bytes)
    }
}

/// IEEE binary16 to f64.
fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1F;
    let mant = f64::from(h & 0x3FF);
    match exp {
        0 => sign * mant * 2f64.powi(-24),
        31 if mant == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        e => sign * (1.0 + mant / 1024.0) * 2f64.powi(i32::from(e) - 15),
    }
}

/// Text of a fixed-length string, with its padding removed as the pad type says.
pub(super) fn fixed_string(bytes: &[u8], pad: StringPad) -> String {
    let text = match pad {
        StringPad::NullTerminated => {
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            &bytes[..end]
        }
        StringPad::NullPadded => {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            &bytes[..end]
        }
        StringPad::SpacePadded => {
            let end = bytes
                .iter()
                .rposition(|&b| b != b' ' && b != 0)
                .map_or(0, |p| p + 1);
            &bytes[..end]
        }
    };
    String::from_utf8_lossy(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::datatype::parse_bytes;

    #[test]
    fn integers_with_padding_bits_read_as_hdf5_converts_them() {
        // Little-endian signed 32-bit integer using 12 bits from bit 4.
        let t = parse_bytes(&[0x10, 0x08, 0, 0, 4, 0, 0, 0, 4, 0, 12, 0]).unwrap();
        assert_eq!(t.numpy_dtype().unwrap(), "<i4");
        assert!(!t.is_full_precision());
        // -1800 in the field, a stray padding bit below it.
        let raw = ((((-1800i32) as u32) & 0xFFF) << 4 | 0b1000).to_le_bytes();
        assert_eq!(t.element_json(&raw), Some(Json::Int(-1800)));
        // Unsigned: zero-extended.
        let t = parse_bytes(&[0x10, 0x00, 0, 0, 4, 0, 0, 0, 4, 0, 12, 0]).unwrap();
        assert_eq!(t.element_json(&raw), Some(Json::UInt(4096 - 1800)));
        // Plain integers stay plain.
        let t = parse_bytes(&[0x10, 0x08, 0, 0, 4, 0, 0, 0, 0, 0, 32, 0]).unwrap();
        assert!(t.is_full_precision());
        assert_eq!(t.element_json(&[0xFF; 4]), Some(Json::Int(-1)));
        // Fields that do not fit, and bitfields with padding, are refused.
        assert!(parse_bytes(&[0x10, 0x08, 0, 0, 2, 0, 0, 0, 8, 0, 12, 0]).is_err());
        assert!(parse_bytes(&[0x10, 0x08, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert_eq!(
            parse_bytes(&[0x14, 0x00, 0, 0, 2, 0, 0, 0, 0, 0, 12, 0])
                .unwrap_err()
                .kind,
            crate::ErrorKind::UnsupportedFeature
        );
    }

    #[test]
    fn strips_string_padding() {
        assert_eq!(fixed_string(b"ab\0cd", StringPad::NullTerminated), "ab");
        assert_eq!(fixed_string(b"ab\0\0", StringPad::NullPadded), "ab");
        assert_eq!(fixed_string(b"ab  ", StringPad::SpacePadded), "ab");
    }

    #[test]
    fn converts_half_floats() {
        assert_eq!(half_to_f64(0x3C00), 1.0);
        assert_eq!(half_to_f64(0xC000), -2.0);
        assert!(half_to_f64(0x7E00).is_nan());
        assert_eq!(half_to_f64(0x0001), 2f64.powi(-24));
    }
}
