//! Typed values as JSON: attributes (one-field Vdata of class `Attr0.0`) and fill values.

use super::objects::{text, NumberType, Vdata};
use crate::error::{Error, Result};
use crate::json::Json;

/// Class of the Vdata that hold the SD interface's attributes.
pub const ATTRIBUTE_CLASS: &str = "Attr0.0";

/// One value of `t` from its bytes.
pub fn scalar(t: NumberType, b: &[u8]) -> Json {
    let mut a = [0u8; 8];
    let n = b.len().min(8);
    a[..n].copy_from_slice(&b[..n]);
    if !t.little_endian && n > 1 {
        a[..n].reverse();
    }
    let u = u64::from_le_bytes(a);
    match t.base {
        3 | 4 | 21 | 23 | 25 | 27 => Json::UInt(u),
        20 => Json::Int(i64::from(u as u8 as i8)),
        22 => Json::Int(i64::from(u as u16 as i16)),
        24 => Json::Int(i64::from(u as u32 as i32)),
        26 => Json::Int(u as i64),
        5 => Json::float(f64::from(f32::from_bits(u as u32))),
        _ => Json::float(f64::from_bits(u)),
    }
}

/// An attribute's value as pyhdf gives it: text for `char8`, a number for one value,
/// a list for several.
pub fn attribute(vdata: &Vdata, bytes: &[u8]) -> Result<Json> {
    let field = vdata
        .fields
        .first()
        .ok_or_else(|| Error::corrupt(format!("attribute {:?} has no field", vdata.name)))?;
    let t = NumberType::from_code(field.number_type)?;
    let count = field.order as usize * vdata.records as usize;
    let need = count * t.size();
    if bytes.len() < need {
        return Err(Error::corrupt(format!(
            "attribute {:?} holds {} of its {} bytes",
            vdata.name,
            bytes.len(),
            need
        )));
    }
    let bytes = &bytes[..need];
    // pyhdf gives `char8` as text and `uchar8` as numbers.
    if t.base == 4 {
        return Ok(Json::from(text(bytes)));
    }
    let mut values: Vec<Json> = bytes.chunks_exact(t.size()).map(|b| scalar(t, b)).collect();
    Ok(if values.len() == 1 {
        values.remove(0)
    } else {
        Json::Array(values)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf4::objects::Field;

    #[test]
    fn scalars_in_both_byte_orders() {
        let be = NumberType::from_code(22).unwrap();
        assert_eq!(scalar(be, &[0x80, 0x01]), Json::Int(-32767));
        let le = NumberType::from_code(0x4000 | 5).unwrap();
        assert_eq!(scalar(le, &1.5f32.to_le_bytes()), Json::Number(1.5));
        let u8t = NumberType::from_code(21).unwrap();
        assert_eq!(scalar(u8t, &[200]), Json::UInt(200));
    }

    #[test]
    fn attributes_as_pyhdf_gives_them() {
        let vdata = |t: u16, order: u16| Vdata {
            records: 1,
            record_size: 0,
            fields: vec![Field {
                number_type: t,
                order,
            }],
            name: "a".into(),
            class: ATTRIBUTE_CLASS.into(),
        };
        assert_eq!(
            attribute(&vdata(4, 5), b"hello").unwrap(),
            Json::from("hello")
        );
        let two = [0x3f, 0xc0, 0, 0, 0x40, 0x20, 0, 0];
        assert_eq!(
            attribute(&vdata(5, 2), &two).unwrap(),
            Json::Array(vec![Json::Number(1.5), Json::Number(2.5)])
        );
        let err = attribute(&vdata(24, 3), &[0; 8]).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::CorruptFile);
    }
}
