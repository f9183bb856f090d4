//! The datatype message (0x03): what one element is, and how it maps to a NumPy-style dtype
//! (its values as JSON, for attributes and fill values: `element_json.rs`).

use super::complex;
use super::io::{le_uint, Cursor};
use crate::error::{Error, Result};

/// Nesting limit for datatypes inside datatypes (hostile files could recurse forever).
const MAX_DEPTH: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringPad {
    NullTerminated,
    NullPadded,
    SpacePadded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Datatype {
    Integer {
        size: usize,
        signed: bool,
        big_endian: bool,
        /// Significant bits and the position of the lowest one: `8 × size` and 0 for plain
        /// integers; fewer bits in the types the n-bit filter packs.
        precision: u32,
        bit_offset: u32,
    },
    Float {
        size: usize,
        big_endian: bool,
    },
    /// Fixed-length string of `size` bytes.
    String {
        size: usize,
        pad: StringPad,
    },
    Bitfield {
        size: usize,
        big_endian: bool,
    },
    Enum {
        base: Box<Datatype>,
        members: Vec<(String, Vec<u8>)>,
    },
    VlenString {
        pad: StringPad,
    },
    VlenSequence {
        base: Box<Datatype>,
    },
    /// A fixed-size array of `base` per element (h5py shows its dims as extra axes).
    Array {
        dims: Vec<u64>,
        base: Box<Datatype>,
        size: usize,
    },
    /// A complex number of two IEEE floats, real part first: h5py's compound `{r, i}` or
    /// HDF5 2.0's complex class. `size` is the whole element (8 or 16 bytes).
    Complex {
        size: usize,
        big_endian: bool,
    },
    /// Object (`object == true`) or region reference.
    Reference {
        size: usize,
        object: bool,
    },
    /// Classes vzarr does not turn into arrays: time, opaque, compounds other than complex
    /// numbers, complex types of other forms.
    Other {
        class: u8,
        size: usize,
    },
}

fn class_name(class: u8) -> &'static str {
    match class {
        0 => "integer",
        1 => "float",
        2 => "time",
        3 => "string",
        4 => "bitfield",
        5 => "opaque",
        6 => "compound",
        7 => "reference",
        8 => "enum",
        9 => "variable-length",
        10 => "array",
        11 => "complex",
        _ => "unknown",
    }
}

fn pad_of(bits: u32) -> StringPad {
    match bits & 0xF {
        0 => StringPad::NullTerminated,
        1 => StringPad::NullPadded,
        _ => StringPad::SpacePadded,
    }
}

pub fn parse(c: &mut Cursor) -> Result<Datatype> {
    parse_nested(c, 0)
}

pub(super) fn parse_nested(c: &mut Cursor, depth: usize) -> Result<Datatype> {
    if depth > MAX_DEPTH {
        return Err(c.error("datatypes are nested too deeply"));
    }
    let class_version = c.u8()?;
    let class = class_version & 0x0F;
    let version = class_version >> 4;
    let bits = le_uint(c.bytes(3)?) as u32;
    let size = c.u32()? as usize;
    match class {
        0 | 4 => {
            let offset = c.u16()?;
            let precision = c.u16()?;
            let big_endian = bits & 1 != 0;
            if !matches!(size, 1 | 2 | 4 | 8) {
                return Err(Error::unsupported(format!(
                    "{}-byte {}s are not supported",
                    size,
                    class_name(class)
                )));
            }
            let full = offset == 0 && usize::from(precision) == 8 * size;
            if class == 0 {
                if precision == 0 || usize::from(offset) + usize::from(precision) > 8 * size {
                    return Err(c.error(format!(
                        "an integer type of {} bits at bit {} does not fit {} bytes",
                        precision, offset, size
                    )));
                }
                Ok(Datatype::Integer {
                    size,
                    signed: bits & 8 != 0,
                    big_endian,
                    precision: u32::from(precision),
                    bit_offset: u32::from(offset),
                })
            } else if full {
                Ok(Datatype::Bitfield { size, big_endian })
            } else {
                Err(Error::unsupported(format!(
                    "a bitfield type with bit offset {} and precision {} in {} bytes is not \
                     supported (only full-width bitfields are)",
                    offset, precision, size
                )))
            }
        }
        1 => parse_float(c, bits, size),
        3 => Ok(Datatype::String {
            size,
            pad: pad_of(bits),
        }),
        5 => {
            let tag_len = (bits & 0xFF) as usize;
            c.skip(tag_len)?;
            Ok(Datatype::Other { class, size })
        }
        7 => Ok(Datatype::Reference {
            size,
            object: version < 4 && bits & 0xF == 0,
        }),
        8 => {
            let base = parse_nested(c, depth + 1)?;
            let base_size = base.size();
            let count = (bits & 0xFFFF) as usize;
            let mut names = Vec::with_capacity(count.min(c.remaining()));
            for _ in 0..count {
                let start = c.pos();
                let name = c.cstring()?;
                names.push(String::from_utf8_lossy(name).into_owned());
                if version < 3 {
                    let used = c.pos() - start;
                    c.skip((8 - used % 8) % 8)?;
                }
            }
            let mut members = Vec::with_capacity(names.len());
            for name in names {
                members.push((name, c.bytes(base_size)?.to_vec()));
            }
            Ok(Datatype::Enum {
                base: Box::new(base),
                members,
            })
        }
        9 => {
            let base = parse_nested(c, depth + 1)?;
            if bits & 0xF == 1 {
                Ok(Datatype::VlenString {
                    pad: pad_of(bits >> 4),
                })
            } else {
                Ok(Datatype::VlenSequence {
                    base: Box::new(base),
                })
            }
        }
        10 => {
            let rank = usize::from(c.u8()?);
            if version < 3 {
                c.skip(3)?;
            }
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(u64::from(c.u32()?));
            }
            if version < 3 {
                // Permutation indices: HDF5 never implemented anything but the identity.
                c.skip(4 * rank)?;
            }
            let base = parse_nested(c, depth + 1)?;
            let elements = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
            if elements.map(|n| n.saturating_mul(base.size() as u64)) != Some(size as u64) {
                return Err(c.error(format!(
                    "an array datatype of {:?} × {} bytes does not make {} bytes",
                    dims,
                    base.size(),
                    size
                )));
            }
            Ok(Datatype::Array {
                dims,
                base: Box::new(base),
                size,
            })
        }
        6 => Ok(complex::from_compound(c, version, bits, size, depth)
            .unwrap_or(Datatype::Other { class, size })),
        11 => complex::from_complex_class(c, bits, size, depth),
        // Time types are recognised but not decoded; their property bytes are not needed
        // because no field follows them where they can occur.
        2 => Ok(Datatype::Other { class, size }),
        other => Err(c.error(format!("unknown datatype class {}", other))),
    }
}

fn parse_float(c: &mut Cursor, bits: u32, size: usize) -> Result<Datatype> {
    let offset = c.u16()?;
    let precision = c.u16()?;
    let exp_loc = c.u8()?;
    let exp_size = c.u8()?;
    let mant_loc = c.u8()?;
    let mant_size = c.u8()?;
    let bias = c.u32()?;
    let order = (bits & 1) | ((bits >> 5) & 2);
    let big_endian = match order {
        0 => false,
        1 => true,
        _ => {
            return Err(Error::unsupported(
                "VAX-ordered floating point numbers are not supported",
            ))
        }
    };
    let sign = (bits >> 8) & 0xFF;
    let ieee = match size {
        2 => (15, 10, 5, 0, 10, 15),
        4 => (31, 23, 8, 0, 23, 127),
        8 => (63, 52, 11, 0, 52, 1023),
        _ => {
            return Err(Error::unsupported(format!(
                "{}-byte floating point numbers are not supported",
                size
            )))
        }
    };
    let found = (
        sign,
        u32::from(exp_loc),
        u32::from(exp_size),
        u32::from(mant_loc),
        u32::from(mant_size),
        bias,
    );
    if offset != 0 || usize::from(precision) != 8 * size || found != ieee {
        return Err(Error::unsupported(format!(
            "a {}-byte float with a non-IEEE layout (sign bit {}, exponent {}@{}, mantissa {}@{}, \
             bias {}) is not supported",
            size, sign, exp_size, exp_loc, mant_size, mant_loc, bias
        )));
    }
    Ok(Datatype::Float { size, big_endian })
}

impl Datatype {
    /// Bytes per element as stored (16 for a vlen with 8-byte addresses).
    pub fn size(&self) -> usize {
        match self {
            Datatype::Integer { size, .. }
            | Datatype::Float { size, .. }
            | Datatype::String { size, .. }
            | Datatype::Bitfield { size, .. }
            | Datatype::Reference { size, .. }
            | Datatype::Array { size, .. }
            | Datatype::Complex { size, .. }
            | Datatype::Other { size, .. } => *size,
            Datatype::Enum { base, .. } => base.size(),
            // Only reachable for nested vlens, where the stored descriptor is 4 + O + 4; the
            // caller takes the outer message's size field instead.
            Datatype::VlenString { .. } | Datatype::VlenSequence { .. } => 16,
        }
    }

    /// False for integers that use only some bits of their bytes (also inside enums and
    /// arrays): their stored bytes are not the values a plain dtype would read.
    pub fn is_full_precision(&self) -> bool {
        match self {
            Datatype::Integer {
                size,
                precision,
                bit_offset,
                ..
            } => *bit_offset == 0 && *precision as usize == 8 * size,
            Datatype::Enum { base, .. } | Datatype::Array { base, .. } => base.is_full_precision(),
            _ => true,
        }
    }

    /// True for h5py's boolean: an enum `{FALSE: 0, TRUE: 1}` over a 1-byte integer.
    pub fn is_bool(&self) -> bool {
        match self {
            Datatype::Enum { base, members } => {
                matches!(**base, Datatype::Integer { size: 1, .. })
                    && members.len() == 2
                    && members[0].0 == "FALSE"
                    && members[0].1 == [0]
                    && members[1].0 == "TRUE"
                    && members[1].1 == [1]
            }
            _ => false,
        }
    }

    /// NumPy-style dtype of the stored bytes, or UnsupportedFeature for types that have no
    /// fixed-size Zarr equivalent.
    pub fn numpy_dtype(&self) -> Result<String> {
        let order = |big: bool, size: usize| {
            if size == 1 {
                "|"
            } else if big {
                ">"
            } else {
                "<"
            }
        };
        match self {
            Datatype::Integer {
                size,
                signed,
                big_endian,
                ..
            } => Ok(format!(
                "{}{}{}",
                order(*big_endian, *size),
                if *signed { 'i' } else { 'u' },
                size
            )),
            Datatype::Bitfield { size, big_endian } => {
                Ok(format!("{}u{}", order(*big_endian, *size), size))
            }
            Datatype::Float { size, big_endian } => {
                Ok(format!("{}f{}", order(*big_endian, *size), size))
            }
            Datatype::Complex { size, big_endian } => {
                Ok(format!("{}c{}", order(*big_endian, *size), size))
            }
            Datatype::String { size, .. } => Ok(format!("|S{}", size)),
            Datatype::Enum { base, .. } => {
                if self.is_bool() {
                    Ok("|b1".to_string())
                } else {
                    base.numpy_dtype()
                }
            }
            Datatype::VlenString { .. } => Err(Error::unsupported(
                "variable-length strings have no fixed-size dtype",
            )),
            Datatype::VlenSequence { .. } => Err(Error::unsupported(
                "variable-length sequences (ragged arrays) are not supported",
            )),
            Datatype::Reference { .. } => Err(Error::unsupported(
                "arrays of HDF5 references are not supported",
            )),
            Datatype::Array { base, .. } => match **base {
                Datatype::Array { .. } => Err(Error::unsupported(
                    "arrays of array datatypes are not supported",
                )),
                _ => base.numpy_dtype(),
            },
            Datatype::Other { class: 6, .. } => Err(Error::unsupported(
                "the HDF5 compound datatype is not supported (only complex numbers are: \
                 members r and i of one 32- or 64-bit float type)",
            )),
            Datatype::Other { class, .. } => Err(Error::unsupported(format!(
                "the HDF5 {} datatype is not supported",
                class_name(*class)
            ))),
        }
    }

    /// The `endian` of the Zarr `bytes` codec; `None` for single-byte types and strings.
    pub fn endian(&self) -> Option<&'static str> {
        match self {
            Datatype::Integer {
                size, big_endian, ..
            }
            | Datatype::Float { size, big_endian }
            | Datatype::Complex { size, big_endian }
            | Datatype::Bitfield { size, big_endian }
                if *size > 1 =>
            {
                Some(if *big_endian { "big" } else { "little" })
            }
            Datatype::Enum { base, .. } | Datatype::Array { base, .. } => base.endian(),
            _ => None,
        }
    }
}

/// Parses a datatype message body on its own (8-byte addresses and lengths), for tests.
#[cfg(test)]
pub(super) fn parse_bytes(b: &[u8]) -> Result<Datatype> {
    let geo = super::io::Geometry {
        base: 0,
        o: 8,
        l: 8,
    };
    parse(&mut Cursor::new(b, geo, 0, "t"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;

    #[test]
    fn parses_numbers() {
        // Big-endian signed 16-bit integer.
        let t = parse_bytes(&[0x10, 0x09, 0, 0, 2, 0, 0, 0, 0, 0, 16, 0]).unwrap();
        assert_eq!(t.numpy_dtype().unwrap(), ">i2");
        assert_eq!(t.endian(), Some("big"));
        assert_eq!(t.element_json(&[0xFF, 0xFE]), Some(Json::Int(-2)));
        // Little-endian f4, sign at bit 31.
        let f4 = [
            0x11, 0x20, 31, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0,
        ];
        let t = parse_bytes(&f4).unwrap();
        assert_eq!(t.numpy_dtype().unwrap(), "<f4");
        assert_eq!(
            t.element_json(&f32::NAN.to_le_bytes()),
            Some(Json::from("NaN"))
        );
        assert_eq!(
            t.element_json(&1.5f32.to_le_bytes()),
            Some(Json::Number(1.5))
        );
    }
}
