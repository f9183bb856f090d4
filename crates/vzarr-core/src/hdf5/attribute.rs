//! Attribute messages (0x0C, versions 1–3) and the decoding of their values into JSON.
//!
//! Values become JSON the way netCDF4-python presents them: a scalar or single-element
//! attribute is a scalar, longer ones are arrays (nested for multi-dimensional attributes),
//! strings lose their padding, NaN/Infinity become the strings "NaN"/"Infinity", and an
//! empty (null dataspace) attribute is `""` for strings and `[]` otherwise. A vlen of object
//! references (DIMENSION_LIST) decodes to addresses for the netCDF-4 layer.

use super::dataspace::{self, Dataspace};
use super::datatype::{self, Datatype, StringPad};
use super::element_json::fixed_string;
use super::global_heap::{GlobalHeap, VlenRef};
use super::io::{le_uint, Cursor, Source};
use super::object_header::{self, kind, Message};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::sansio::{ByteRange, Step, Stop};

#[derive(Clone, Debug)]
pub struct RawAttribute {
    pub name: String,
    pub dtype: Datatype,
    pub space: Dataspace,
    pub data: Vec<u8>,
}

/// A decoded attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Json(Json),
    /// One list of object header addresses per element (DIMENSION_LIST).
    References(Vec<Vec<u64>>),
}

fn padded(len: usize, version: u8) -> usize {
    if version == 1 {
        len.div_ceil(8) * 8
    } else {
        len
    }
}

/// Parses an attribute message body. A shared (committed) datatype is resolved through its
/// object header, which may need bytes.
pub fn parse(m: &Message, src: &Source) -> Step<RawAttribute> {
    let mut c = m.cursor(src, "attribute message");
    let version = c.u8()?;
    if !(1..=3).contains(&version) {
        return Err(Stop::Fail(c.error(format!(
            "attribute message version {} is not supported",
            version
        ))));
    }
    let flags = c.u8()?;
    let name_len = c.u16()? as usize;
    let type_len = c.u16()? as usize;
    let space_len = c.u16()? as usize;
    if version == 3 {
        let _encoding = c.u8()?;
    }
    let name_bytes = c.bytes(padded(name_len, version))?;
    let name_bytes = &name_bytes[..name_len.min(name_bytes.len())];
    let end = name_bytes
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(name_bytes.len());
    let name = String::from_utf8_lossy(&name_bytes[..end]).into_owned();
    let type_bytes = c.bytes(padded(type_len, version))?;
    let space_bytes = c.bytes(padded(space_len, version))?;
    let data = c.bytes(c.remaining())?;
    let dtype = if flags & 1 != 0 {
        committed_datatype(type_bytes, m, src)?
    } else {
        datatype::parse(&mut Cursor::new(
            type_bytes,
            src.geo,
            m.addr,
            "attribute datatype",
        ))?
    };
    if flags & 2 != 0 {
        return Err(Stop::Fail(Error::unsupported(format!(
            "attribute {:?} has a shared dataspace, which is not supported",
            name
        ))));
    }
    let space = dataspace::parse(&mut Cursor::new(
        space_bytes,
        src.geo,
        m.addr,
        "attribute dataspace",
    ))?;
    Ok(RawAttribute {
        name,
        dtype,
        space,
        data: data.to_vec(),
    })
}

/// Reads the datatype of a committed type that an attribute refers to.
fn committed_datatype(record: &[u8], m: &Message, src: &Source) -> Step<Datatype> {
    let shared = Message {
        kind: kind::DATATYPE,
        flags: object_header::FLAG_SHARED,
        data: record.to_vec(),
        addr: m.addr,
        index: 0,
        creation_order: None,
    };
    let resolved = object_header::resolve_shared(&shared, src)?;
    Ok(datatype::parse(
        &mut resolved.cursor(src, "committed datatype"),
    )?)
}

/// Decodes an attribute's value. The outer `Step` stops for bytes (global heap collections,
/// all asked for at once); the inner `Result` is an error about this attribute only.
pub fn decode(
    attr: &RawAttribute,
    src: &Source,
    heap: &mut GlobalHeap,
    extra: &mut Vec<ByteRange>,
) -> Step<Result<AttrValue>> {
    let count = match attr.space.element_count() {
        Some(n) => n,
        None => {
            return Ok(Err(Error::corrupt(format!(
                "attribute {:?} has an element count that overflows",
                attr.name
            ))))
        }
    };
    if attr.space == Dataspace::Null {
        let empty = match attr.dtype {
            Datatype::String { .. } | Datatype::VlenString { .. } => Json::from(""),
            _ => Json::Array(Vec::new()),
        };
        return Ok(Ok(AttrValue::Json(empty)));
    }
    let item = match attr.dtype {
        Datatype::VlenString { .. } | Datatype::VlenSequence { .. } => VlenRef::size(src.geo),
        _ => attr.dtype.size(),
    };
    let needed = (count as u128) * (item as u128);
    if needed > attr.data.len() as u128 || item == 0 {
        return Ok(Err(Error::corrupt(format!(
            "attribute {:?} holds {} bytes, fewer than its {} elements of {} bytes",
            attr.name,
            attr.data.len(),
            count,
            item
        ))));
    }
    let elements: Vec<&[u8]> = attr.data.chunks(item).take(count as usize).collect();
    match &attr.dtype {
        Datatype::VlenString { pad } => {
            let refs = match parse_refs(&elements, src) {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            load_collections(&refs, src, heap, extra)?;
            let mut values = Vec::with_capacity(refs.len());
            for r in &refs {
                let bytes = heap.object(src, r)?;
                let len = (r.len as usize).min(bytes.len());
                values.push(Json::String(vlen_string(&bytes[..len], *pad)));
            }
            Ok(Ok(AttrValue::Json(shape_json(values, &attr.space))))
        }
        Datatype::VlenSequence { base } => match **base {
            Datatype::Reference { object: true, .. } => {
                let refs = match parse_refs(&elements, src) {
                    Ok(r) => r,
                    Err(e) => return Ok(Err(e)),
                };
                load_collections(&refs, src, heap, extra)?;
                let o = src.geo.o;
                let mut lists = Vec::with_capacity(refs.len());
                for r in &refs {
                    let bytes = heap.object(src, r)?;
                    let n = (r.len as usize).min(bytes.len() / o);
                    lists.push(bytes.chunks(o).take(n).map(le_uint).collect());
                }
                Ok(Ok(AttrValue::References(lists)))
            }
            _ => Ok(Err(Error::unsupported(format!(
                "attribute {:?} is a variable-length sequence, which is not supported",
                attr.name
            )))),
        },
        dtype => {
            let mut values = Vec::with_capacity(elements.len());
            for e in &elements {
                match dtype.element_json(e) {
                    Some(v) => values.push(v),
                    None => {
                        let reason = match dtype.numpy_dtype() {
                            Err(e) => e.message,
                            Ok(d) => format!("its {} values cannot be decoded", d),
                        };
                        return Ok(Err(Error::unsupported(format!(
                            "attribute {:?}: {}",
                            attr.name, reason
                        ))));
                    }
                }
            }
            Ok(Ok(AttrValue::Json(shape_json(values, &attr.space))))
        }
    }
}

fn parse_refs(elements: &[&[u8]], src: &Source) -> Result<Vec<VlenRef>> {
    elements
        .iter()
        .map(|e| VlenRef::parse(e, src.geo))
        .collect()
}

fn load_collections(
    refs: &[VlenRef],
    src: &Source,
    heap: &mut GlobalHeap,
    extra: &mut Vec<ByteRange>,
) -> Step<()> {
    let mut addrs: Vec<u64> = refs.iter().filter_map(|r| r.collection).collect();
    addrs.sort_unstable();
    addrs.dedup();
    heap.load_all(src, &addrs, extra)
}

/// Text of a vlen string; null-terminated ones stop at the first NUL.
pub fn vlen_string(bytes: &[u8], pad: StringPad) -> String {
    fixed_string(bytes, pad)
}

/// Scalars and single elements stay scalar; otherwise nest by the dataspace's shape.
fn shape_json(mut values: Vec<Json>, space: &Dataspace) -> Json {
    let shape = space.shape();
    if values.len() == 1 {
        return values.pop().unwrap_or(Json::Null);
    }
    // No elements: a zero-length axis (the others may be anything, even huge).
    if values.is_empty() || shape.len() <= 1 {
        return Json::Array(values);
    }
    nest(values, &shape)
}

fn nest(values: Vec<Json>, shape: &[u64]) -> Json {
    if shape.len() <= 1 {
        return Json::Array(values);
    }
    let inner: u64 = shape[1..].iter().product();
    let inner = inner.max(1) as usize;
    let mut out = Vec::with_capacity(shape[0] as usize);
    let mut rest = values.into_iter();
    for _ in 0..shape[0] {
        let part: Vec<Json> = rest.by_ref().take(inner).collect();
        out.push(nest(part, &shape[1..]));
    }
    Json::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_multidimensional_values() {
        let values: Vec<Json> = (0..6u64).map(Json::UInt).collect();
        let space = Dataspace::Simple {
            dims: vec![2, 3],
            max: vec![Some(2), Some(3)],
        };
        assert_eq!(shape_json(values, &space).to_string(), "[[0,1,2],[3,4,5]]");
        let none = Dataspace::Simple {
            dims: vec![1 << 40, 0],
            max: vec![None, None],
        };
        assert_eq!(shape_json(Vec::new(), &none), Json::Array(Vec::new()));
        let one = vec![Json::UInt(7)];
        let space = Dataspace::Simple {
            dims: vec![1],
            max: vec![Some(1)],
        };
        assert_eq!(shape_json(one, &space), Json::UInt(7));
    }
}
