//! The small descriptive objects: Vgroups (VG), Vdata headers (VH), number types (NT),
//! scientific data dimension records (SDD) and numeric data groups (NDG). All fields are
//! big-endian (HDF4 spec, chapter 6 and hdf/src/vgp.c, vio.c).

use super::dd::Dd;
use super::reader::{be16, be32, truncated};
use crate::error::{Error, Result};

/// A Vgroup: its members by tag/ref, name and class.
#[derive(Clone, Debug)]
pub struct Vgroup {
    pub reference: u16,
    pub members: Vec<(u16, u16)>,
    pub name: String,
    pub class: String,
}

/// One field of a Vdata: number type and count per record.
#[derive(Clone, Debug)]
pub struct Field {
    pub number_type: u16,
    pub order: u16,
}

/// A Vdata header: records, fields, name and class.
#[derive(Clone, Debug)]
pub struct Vdata {
    pub records: u32,
    pub record_size: u16,
    pub fields: Vec<Field>,
    pub name: String,
    pub class: String,
}

/// A scientific data dimension record: shape and the number type's reference.
#[derive(Clone, Debug)]
pub struct Dimensions {
    pub shape: Vec<u64>,
    pub number_type_ref: u16,
}

struct Cursor<'b> {
    b: &'b [u8],
    at: usize,
    dd: Dd,
}

impl Cursor<'_> {
    fn u16(&mut self) -> Result<u16> {
        let v = be16(self.b, self.at, &self.dd)?;
        self.at += 2;
        Ok(v)
    }
    fn u32(&mut self) -> Result<u32> {
        let v = be32(self.b, self.at, &self.dd)?;
        self.at += 4;
        Ok(v)
    }
    fn text(&mut self, n: usize) -> Result<String> {
        let s = self
            .b
            .get(self.at..self.at + n)
            .ok_or_else(|| truncated(&self.dd))?;
        self.at += n;
        Ok(text(s))
    }
    /// A u16 length then that many bytes.
    fn counted_text(&mut self) -> Result<String> {
        let n = self.u16()? as usize;
        self.text(n)
    }
}

/// Bytes as text, up to the first NUL (names are NUL-padded; non-UTF-8 bytes are Latin-1).
pub fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    match std::str::from_utf8(&b[..end]) {
        Ok(s) => s.to_string(),
        Err(_) => b[..end].iter().map(|&c| c as char).collect(),
    }
}

pub fn parse_vgroup(dd: &Dd, b: &[u8]) -> Result<Vgroup> {
    let mut c = Cursor { b, at: 0, dd: *dd };
    let n = c.u16()? as usize;
    if 2 + 4 * n > b.len() {
        return Err(truncated(dd));
    }
    let tags: Vec<u16> = (0..n).map(|_| c.u16()).collect::<Result<_>>()?;
    let refs: Vec<u16> = (0..n).map(|_| c.u16()).collect::<Result<_>>()?;
    let name = c.counted_text()?;
    let class = c.counted_text()?;
    Ok(Vgroup {
        reference: dd.reference,
        members: tags.into_iter().zip(refs).collect(),
        name,
        class,
    })
}

pub fn parse_vdata(dd: &Dd, b: &[u8]) -> Result<Vdata> {
    let mut c = Cursor { b, at: 0, dd: *dd };
    let _interlace = c.u16()?;
    let records = c.u32()?;
    let record_size = c.u16()?;
    let n = c.u16()? as usize;
    if 10 + 8 * n > b.len() {
        return Err(truncated(dd));
    }
    let types: Vec<u16> = (0..n).map(|_| c.u16()).collect::<Result<_>>()?;
    // Sizes and in-memory offsets (2 x n u16) are not needed.
    c.at += 4 * n;
    let orders: Vec<u16> = (0..n).map(|_| c.u16()).collect::<Result<_>>()?;
    let mut fields = Vec::with_capacity(n);
    for i in 0..n {
        let _name = c.counted_text()?;
        fields.push(Field {
            number_type: types[i],
            order: orders[i],
        });
    }
    let name = c.counted_text()?;
    let class = c.counted_text()?;
    Ok(Vdata {
        records,
        record_size,
        fields,
        name,
        class,
    })
}

pub fn parse_sdd(dd: &Dd, b: &[u8]) -> Result<Dimensions> {
    let mut c = Cursor { b, at: 0, dd: *dd };
    let rank = c.u16()? as usize;
    if rank > 32 {
        return Err(Error::corrupt(format!(
            "a data set of rank {} (at most 32)",
            rank
        )));
    }
    let shape = (0..rank)
        .map(|_| c.u32().map(u64::from))
        .collect::<Result<Vec<_>>>()?;
    let _nt_tag = c.u16()?;
    let number_type_ref = c.u16()?;
    Ok(Dimensions {
        shape,
        number_type_ref,
    })
}

pub fn parse_ndg(dd: &Dd, b: &[u8]) -> Result<Vec<(u16, u16)>> {
    let mut c = Cursor { b, at: 0, dd: *dd };
    (0..b.len() / 4).map(|_| Ok((c.u16()?, c.u16()?))).collect()
}

/// An HDF4 number type (hdf/src/hntdefs.h): the base type and its byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberType {
    pub base: u8,
    pub little_endian: bool,
}

/// `DFNT_LITEND`: the type's bytes are little-endian (Vdata field types).
const LITEND: u16 = 0x4000;
/// NT class bytes for little-endian ("Intel byte order" integers, "PC" floats).
const CLASS_LITTLE: u8 = 4;

impl NumberType {
    /// An NT element: version, type, width in bits, class.
    pub fn from_nt(dd: &Dd, b: &[u8]) -> Result<NumberType> {
        if b.len() < 4 {
            return Err(truncated(dd));
        }
        let t = NumberType {
            base: b[1],
            little_endian: b[3] == CLASS_LITTLE && !matches!(b[1], 3 | 4),
        };
        t.numpy()?;
        Ok(t)
    }

    /// A Vdata field's 16-bit number type.
    pub fn from_code(code: u16) -> Result<NumberType> {
        let t = NumberType {
            base: (code & 0xff) as u8,
            little_endian: code & LITEND != 0,
        };
        t.numpy()?;
        Ok(t)
    }

    /// Bytes per value.
    pub fn size(&self) -> usize {
        match self.base {
            3 | 4 | 20 | 21 => 1,
            22 | 23 => 2,
            5 | 24 | 25 => 4,
            _ => 8,
        }
    }

    /// NumPy dtype with byte order (`>f4`, `<i2`, `|u1`, `|S1` for characters).
    pub fn numpy(&self) -> Result<String> {
        let base = match self.base {
            3 | 21 => "u1",
            4 => "S1",
            20 => "i1",
            22 => "i2",
            23 => "u2",
            24 => "i4",
            25 => "u4",
            26 => "i8",
            27 => "u8",
            5 => "f4",
            6 => "f8",
            other => {
                return Err(Error::unsupported(format!(
                    "HDF4 number type {} ({})",
                    other,
                    match other {
                        7 => "128-bit float",
                        28 | 29 => "128-bit integer",
                        _ => "unknown",
                    }
                )))
            }
        };
        let order = if self.size() == 1 {
            '|'
        } else if self.little_endian {
            '<'
        } else {
            '>'
        };
        Ok(format!("{}{}", order, base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dd(len: usize) -> Dd {
        Dd {
            tag: 0,
            reference: 1,
            special: false,
            offset: 0,
            length: len as u64,
        }
    }

    #[test]
    fn number_types_and_byte_orders() {
        // NT elements: version, type, bits, class (1 big-endian, 4 little-endian).
        let f4 = NumberType::from_nt(&dd(4), &[1, 5, 32, 1]).unwrap();
        assert_eq!(f4.numpy().unwrap(), ">f4");
        let i2 = NumberType::from_nt(&dd(4), &[1, 22, 16, 4]).unwrap();
        assert_eq!(i2.numpy().unwrap(), "<i2");
        assert_eq!(
            NumberType::from_code(0x4000 | 25).unwrap().numpy().unwrap(),
            "<u4"
        );
        assert_eq!(NumberType::from_code(4).unwrap().numpy().unwrap(), "|S1");
        let err = NumberType::from_nt(&dd(4), &[1, 7, 128, 1]).unwrap_err();
        assert!(err.message.contains("128-bit float"), "{}", err.message);
    }

    #[test]
    fn a_truncated_vgroup_is_corrupt() {
        // Two members announced, one given.
        let b = [0, 2, 0x07, 0xad, 0, 1];
        let err = parse_vgroup(&dd(b.len()), &b).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::CorruptFile);
    }

    #[test]
    fn a_vgroup_parses() {
        let mut b = vec![0, 1, 0x02, 0xd0, 0, 7, 0, 4];
        b.extend_from_slice(b"temp");
        b.extend_from_slice(&[0, 6]);
        b.extend_from_slice(b"Var0.0");
        let g = parse_vgroup(&dd(b.len()), &b).unwrap();
        assert_eq!(g.members, vec![(720, 7)]);
        assert_eq!((g.name.as_str(), g.class.as_str()), ("temp", "Var0.0"));
    }
}
