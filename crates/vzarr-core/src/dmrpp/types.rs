//! DAP4 atomic types: their NumPy dtypes and the text form of their values (attribute
//! `<Value>`s and `fillValue`).

use crate::json::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DapType {
    Int(u8),
    UInt(u8),
    Float(u8),
    /// `Char` is one byte of text (netCDF's `char`).
    Char,
    /// `String` and `URL`: variable length.
    String,
}

impl DapType {
    /// The element names DAP4 gives its atomic types (`Byte` is DAP2's unsigned byte).
    pub fn from_name(name: &[u8]) -> Option<DapType> {
        Some(match name {
            b"Int8" => DapType::Int(1),
            b"Byte" | b"UInt8" | b"UByte" => DapType::UInt(1),
            b"Int16" => DapType::Int(2),
            b"UInt16" => DapType::UInt(2),
            b"Int32" => DapType::Int(4),
            b"UInt32" => DapType::UInt(4),
            b"Int64" => DapType::Int(8),
            b"UInt64" => DapType::UInt(8),
            b"Float32" => DapType::Float(4),
            b"Float64" => DapType::Float(8),
            b"Char" => DapType::Char,
            b"String" | b"URL" | b"Url" => DapType::String,
            _ => return None,
        })
    }

    /// Bytes per element; `None` for variable-length strings.
    pub fn size(self) -> Option<u64> {
        match self {
            DapType::Int(n) | DapType::UInt(n) | DapType::Float(n) => Some(u64::from(n)),
            DapType::Char => Some(1),
            DapType::String => None,
        }
    }

    /// NumPy dtype of stored elements, `big_endian` as the chunks' `byteOrder` says.
    pub fn dtype(self, big_endian: bool) -> Option<String> {
        let order = |n: u8| {
            if n == 1 {
                '|'
            } else if big_endian {
                '>'
            } else {
                '<'
            }
        };
        Some(match self {
            DapType::Int(n) => format!("{}i{}", order(n), n),
            DapType::UInt(n) => format!("{}u{}", order(n), n),
            DapType::Float(n) => format!("{}f{}", order(n), n),
            DapType::Char => "|S1".to_string(),
            DapType::String => return None,
        })
    }

    /// One value from its text, as JSON (floats that JSON cannot hold become "NaN",
    /// "Infinity", "-Infinity"); `None` when the text is not a value of this type.
    /// A Float32 value is rounded to single precision, as the file holds it.
    pub fn value(self, text: &str) -> Option<Json> {
        let t = text.trim();
        match self {
            DapType::Int(n) => {
                let v: i64 = t.parse().ok()?;
                let bits = 8 * u32::from(n);
                (bits == 64 || (v >= -(1i64 << (bits - 1)) && v < (1i64 << (bits - 1))))
                    .then_some(Json::Int(v))
            }
            DapType::UInt(n) => {
                let v: u64 = t.parse().ok()?;
                (n == 8 || v < (1u64 << (8 * u32::from(n)))).then_some(Json::UInt(v))
            }
            DapType::Float(n) => {
                let v = parse_float(t)?;
                Some(Json::float(if n == 4 { f64::from(v as f32) } else { v }))
            }
            DapType::Char | DapType::String => Some(Json::from(text)),
        }
    }
}

/// Floats as Hyrax writes them: C's `%g` forms, `nan`/`NaN`, `inf`, and `*` for NaN.
fn parse_float(t: &str) -> Option<f64> {
    match t.to_ascii_lowercase().as_str() {
        "nan" | "-nan" | "*" => Some(f64::NAN),
        "inf" | "infinity" | "+inf" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_type() {
        assert_eq!(DapType::Int(2).value("-32767"), Some(Json::Int(-32767)));
        assert_eq!(DapType::Int(1).value("200"), None);
        assert_eq!(DapType::UInt(1).value("255"), Some(Json::UInt(255)));
        assert_eq!(DapType::Float(4).value("nan"), Some(Json::from("NaN")));
        assert_eq!(
            DapType::Float(4).value("0.1"),
            Some(Json::Number(f64::from(0.1f32)))
        );
        assert_eq!(
            DapType::from_name(b"Float64").unwrap().dtype(true).unwrap(),
            ">f8"
        );
        assert_eq!(DapType::UInt(1).dtype(true).unwrap(), "|u1");
    }
}
