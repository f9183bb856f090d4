//! netCDF3 external types: sizes, NumPy dtypes, default fill values, and attribute values
//! turned into JSON.

use crate::error::{Error, Result};
use crate::json::Json;

/// The eleven `nc_type` codes of the classic formats (7..=11 only exist in CDF5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NcType {
    Byte,
    Char,
    Short,
    Int,
    Float,
    Double,
    UByte,
    UShort,
    UInt,
    Int64,
    UInt64,
}

impl NcType {
    /// Decodes a type code; the CDF5-only types are refused in CDF1/CDF2 headers, as
    /// netCDF-C refuses them (`NC_EBADTYPE`).
    pub fn from_code(code: u32, cdf5: bool) -> Result<NcType> {
        let t = match code {
            1 => NcType::Byte,
            2 => NcType::Char,
            3 => NcType::Short,
            4 => NcType::Int,
            5 => NcType::Float,
            6 => NcType::Double,
            7 => NcType::UByte,
            8 => NcType::UShort,
            9 => NcType::UInt,
            10 => NcType::Int64,
            11 => NcType::UInt64,
            other => {
                return Err(Error::corrupt(format!(
                    "unknown netCDF type code {}",
                    other
                )))
            }
        };
        if code >= 7 && !cdf5 {
            return Err(Error::corrupt(format!(
                "type code {} ({:?}) only exists in CDF5 (64-bit data) files",
                code, t
            )));
        }
        Ok(t)
    }

    /// Bytes per element in the file.
    pub fn size(self) -> u64 {
        match self {
            NcType::Byte | NcType::Char | NcType::UByte => 1,
            NcType::Short | NcType::UShort => 2,
            NcType::Int | NcType::Float | NcType::UInt => 4,
            NcType::Double | NcType::Int64 | NcType::UInt64 => 8,
        }
    }

    /// NumPy dtype of the stored (big-endian) values. `char` is `|S1`: one byte per element,
    /// the character dimension stays an array axis, as netCDF4-python reads it with
    /// `set_auto_chartostring(False)`.
    pub fn dtype(self) -> &'static str {
        match self {
            NcType::Byte => "|i1",
            NcType::Char => "|S1",
            NcType::Short => ">i2",
            NcType::Int => ">i4",
            NcType::Float => ">f4",
            NcType::Double => ">f8",
            NcType::UByte => "|u1",
            NcType::UShort => ">u2",
            NcType::UInt => ">u4",
            NcType::Int64 => ">i8",
            NcType::UInt64 => ">u8",
        }
    }

    /// Whether netCDF-C pads a variable of this type to 4 bytes (`NC_var_shape`): the
    /// 4- and 8-byte types are always aligned already.
    pub fn pads_to_four(self) -> bool {
        self.size() < 4
    }

    /// netCDF-C's default fill value (`NC_FILL_*`), used when a variable has no
    /// `_FillValue` attribute.
    pub fn default_fill(self) -> Json {
        match self {
            NcType::Byte => Json::Int(-127),
            NcType::Char => Json::Int(0),
            NcType::Short => Json::Int(-32767),
            NcType::Int => Json::Int(-2147483647),
            NcType::Float => Json::float(f64::from(f32::from_bits(0x7CF0_0000))),
            NcType::Double => Json::float(9.969_209_968_386_869e36),
            NcType::UByte => Json::UInt(255),
            NcType::UShort => Json::UInt(65535),
            NcType::UInt => Json::UInt(4_294_967_295),
            NcType::Int64 => Json::Int(-9_223_372_036_854_775_806),
            NcType::UInt64 => Json::UInt(18_446_744_073_709_551_614),
        }
    }

    /// Whether values of this type are floating point.
    pub fn is_float(self) -> bool {
        matches!(self, NcType::Float | NcType::Double)
    }
}

/// The values of one big-endian element of `t` in `bytes` (exactly `t.size()` long).
fn element_json(t: NcType, b: &[u8]) -> Json {
    let mut a8 = [0u8; 8];
    let n = b.len().min(8);
    a8[..n].copy_from_slice(&b[..n]);
    match t {
        NcType::Byte => Json::Int(i64::from(a8[0] as i8)),
        NcType::Char | NcType::UByte => Json::UInt(u64::from(a8[0])),
        NcType::Short => Json::Int(i64::from(i16::from_be_bytes([a8[0], a8[1]]))),
        NcType::UShort => Json::UInt(u64::from(u16::from_be_bytes([a8[0], a8[1]]))),
        NcType::Int => Json::Int(i64::from(i32::from_be_bytes([a8[0], a8[1], a8[2], a8[3]]))),
        NcType::UInt => Json::UInt(u64::from(u32::from_be_bytes([a8[0], a8[1], a8[2], a8[3]]))),
        NcType::Float => Json::float(f64::from(f32::from_be_bytes([a8[0], a8[1], a8[2], a8[3]]))),
        NcType::Double => Json::float(f64::from_be_bytes(a8)),
        NcType::Int64 => Json::Int(i64::from_be_bytes(a8)),
        NcType::UInt64 => Json::UInt(u64::from_be_bytes(a8)),
    }
}

/// An attribute's values as JSON: `char` attributes become one string (trailing NULs
/// stripped, as netCDF4-python does); a single number becomes a scalar and several an
/// array, again as netCDF4-python returns them.
pub fn attribute_json(t: NcType, values: &[u8]) -> Json {
    if t == NcType::Char {
        return Json::String(chars_to_string(values));
    }
    let size = t.size() as usize;
    let items: Vec<Json> = values
        .chunks_exact(size)
        .map(|b| element_json(t, b))
        .collect();
    if items.len() == 1 {
        items.into_iter().next().unwrap_or(Json::Null)
    } else {
        Json::Array(items)
    }
}

/// Text of a `char` attribute. netCDF text is UTF-8 in practice; bytes that are not valid
/// UTF-8 (old Latin-1 files) are mapped one byte to one code point so nothing is lost.
pub fn chars_to_string(bytes: &[u8]) -> String {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == 0 {
        end -= 1;
    }
    let text = &bytes[..end];
    match std::str::from_utf8(text) {
        Ok(s) => s.to_string(),
        Err(_) => text.iter().map(|&b| char::from(b)).collect(),
    }
}

/// The Zarr fill value of a variable of type `t` whose `_FillValue` attribute (if any)
/// holds `fill`: the attribute's first value, else netCDF-C's default fill for the type.
/// A `char` fill is given as the byte's integer value.
pub fn fill_value(t: NcType, fill: Option<(NcType, &[u8])>) -> Json {
    match fill {
        Some((ft, bytes)) if bytes.len() >= ft.size() as usize => {
            let first = element_json(ft, &bytes[..ft.size() as usize]);
            convert_fill(t, first)
        }
        _ => t.default_fill(),
    }
}

/// Keeps a fill value's JSON kind consistent with the variable's type when a file stores
/// `_FillValue` with another type than the variable's (netCDF-C forbids it, others do not).
fn convert_fill(t: NcType, v: Json) -> Json {
    if t.is_float() {
        return match v {
            Json::Int(i) => Json::Number(i as f64),
            Json::UInt(u) => Json::Number(u as f64),
            other => other,
        };
    }
    match v {
        Json::Number(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
            Json::Int(f as i64)
        }
        Json::Number(_) | Json::String(_) => t.default_fill(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_become_scalars_arrays_or_strings() {
        assert_eq!(
            attribute_json(NcType::Short, &[0xff, 0xfe, 0, 3]),
            Json::Array(vec![Json::Int(-2), Json::Int(3)])
        );
        assert_eq!(
            attribute_json(NcType::Float, &0.5f32.to_be_bytes()),
            Json::Number(0.5)
        );
        assert_eq!(
            attribute_json(NcType::Double, &f64::NAN.to_be_bytes()),
            Json::from("NaN")
        );
        assert_eq!(
            attribute_json(NcType::Char, b"degrees\0\0"),
            Json::from("degrees")
        );
        assert_eq!(attribute_json(NcType::Char, b"caf\xe9"), Json::from("café"));
        assert_eq!(
            attribute_json(NcType::UInt64, &u64::MAX.to_be_bytes()),
            Json::UInt(u64::MAX)
        );
        assert_eq!(attribute_json(NcType::Int, &[]), Json::Array(vec![]));
    }

    #[test]
    fn fill_values_follow_the_attribute_or_the_default() {
        assert_eq!(fill_value(NcType::Short, None), Json::Int(-32767));
        assert_eq!(
            fill_value(NcType::Float, None),
            Json::Number(9.969_209_968_386_869e36)
        );
        let nan = f32::NAN.to_be_bytes();
        assert_eq!(
            fill_value(NcType::Float, Some((NcType::Float, &nan))),
            Json::from("NaN")
        );
        assert_eq!(
            fill_value(NcType::Int, Some((NcType::Int, &[0, 0, 0, 7, 0, 0, 0, 8]))),
            Json::Int(7)
        );
        assert_eq!(
            fill_value(
                NcType::Double,
                Some((NcType::Int, &[0xff, 0xff, 0xff, 0xff]))
            ),
            Json::Number(-1.0)
        );
    }

    #[test]
    fn cdf5_types_are_refused_in_classic_files() {
        assert!(NcType::from_code(7, false).is_err());
        assert_eq!(NcType::from_code(7, true).unwrap(), NcType::UByte);
        assert!(NcType::from_code(12, true).is_err());
        assert!(NcType::from_code(0, true).is_err());
    }
}
