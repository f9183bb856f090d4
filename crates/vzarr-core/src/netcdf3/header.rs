//! The netCDF3 header grammar (CDF1, CDF2, CDF5), read through the sans-IO byte cache.
//!
//! ```text
//! header   = magic numrecs dim_list gatt_list var_list
//! dim_list = ABSENT | NC_DIMENSION nelems {name dim_length}
//! att_list = ABSENT | NC_ATTRIBUTE nelems {name nc_type nelems values}
//! var_list = ABSENT | NC_VARIABLE nelems {name ndims dimid* att_list nc_type vsize begin}
//! ```
//! Tags and type codes are 4-byte words; counts (nelems, lengths, ndims, dimids, vsize) are
//! 4 bytes in CDF1/CDF2 and 8 in CDF5; `begin` is 4 bytes in CDF1 and 8 in CDF2/CDF5; names
//! and values are padded to 4 bytes. Everything is big-endian.
//!
//! Parsing restarts from byte 0 whenever bytes are missing ([`Stop::Need`]): a header is
//! small, so re-reading it is cheaper than keeping a resumable state machine.

use super::types::NcType;
use crate::error::Error;
use crate::sansio::{ByteCache, Step};

const NC_DIMENSION: u32 = 0x0A;
const NC_VARIABLE: u32 = 0x0B;
const NC_ATTRIBUTE: u32 = 0x0C;

/// netCDF-C's `NC_MAX_VAR_DIMS`: no variable has more axes.
pub const MAX_VAR_DIMS: u64 = 1024;

/// The three on-disk variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// CDF1: 32-bit counts and offsets.
    Classic,
    /// CDF2: 64-bit `begin` offsets.
    Offset64,
    /// CDF5: 64-bit counts too, and the unsigned/64-bit integer types.
    Data64,
}

impl Version {
    fn count_width(self) -> u64 {
        if self == Version::Data64 {
            8
        } else {
            4
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub name: String,
    /// 0 marks the record (unlimited) dimension.
    pub length: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub nc_type: NcType,
    /// The raw big-endian values, without the padding.
    pub values: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: String,
    pub dim_ids: Vec<u64>,
    pub attrs: Vec<Attribute>,
    pub nc_type: NcType,
    /// Offset of the data (of record 0 for a record variable).
    pub begin: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub version: Version,
    /// The raw record count; `None` for a streaming file (all bits set).
    pub numrecs: Option<u64>,
    pub dims: Vec<Dimension>,
    pub attrs: Vec<Attribute>,
    pub vars: Vec<Variable>,
    /// Where the header ends: no variable's data may start before it.
    pub length: u64,
}

/// Reads the whole header, or stops for the bytes it needs next.
pub fn parse(cache: &ByteCache) -> Step<Header> {
    let mut cur = Cursor {
        cache,
        pos: 0,
        version: Version::Classic,
    };
    let magic = cur.take(4)?;
    cur.version = match magic {
        b"CDF\x01" => Version::Classic,
        b"CDF\x02" => Version::Offset64,
        b"CDF\x05" => Version::Data64,
        _ => return Err(Error::corrupt("not a netCDF3 file: bad magic number").at_offset(0))?,
    };
    let raw_numrecs = cur.count()?;
    let streaming = if cur.version == Version::Data64 {
        raw_numrecs == u64::MAX
    } else {
        raw_numrecs == u64::from(u32::MAX)
    };
    let numrecs = if streaming { None } else { Some(raw_numrecs) };

    let dims = cur.list(NC_DIMENSION, 2 * cur.version.count_width(), |c| {
        let name = c.name()?;
        let length = c.count()?;
        Ok(Dimension { name, length })
    })?;
    let attrs = cur.attributes()?;
    let vars = cur.list(NC_VARIABLE, 0, |c| c.variable())?;
    Ok(Header {
        version: cur.version,
        numrecs,
        dims,
        attrs,
        vars,
        length: cur.pos,
    })
}

struct Cursor<'a> {
    cache: &'a ByteCache,
    pos: u64,
    version: Version,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64) -> Step<&'a [u8]> {
        let bytes = self.cache.read(self.pos, n)?;
        self.pos += n;
        Ok(bytes)
    }

    fn skip_padding(&mut self, n: u64) -> Step<()> {
        let pad = (4 - n % 4) % 4;
        if pad > 0 {
            self.take(pad)?;
        }
        Ok(())
    }

    fn u32(&mut self) -> Step<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Step<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A count: 4 bytes, or 8 in CDF5.
    fn count(&mut self) -> Step<u64> {
        if self.version == Version::Data64 {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }

    fn offset(&mut self) -> Step<u64> {
        if self.version == Version::Classic {
            self.u32().map(u64::from)
        } else {
            self.u64()
        }
    }

    /// Refuses a count of `n` items of at least `min_size` bytes each that cannot fit in
    /// the rest of the file, before anything is allocated for it.
    fn check_fits(&self, n: u64, min_size: u64, what: &str) -> Step<()> {
        let rest = self.cache.file_size().saturating_sub(self.pos);
        if n.saturating_mul(min_size.max(1)) > rest {
            return Err(Error::corrupt(format!(
                "the header declares {} {}, more than the {} bytes left in the file can hold",
                n, what, rest
            ))
            .at_offset(self.pos))?;
        }
        Ok(())
    }

    fn name(&mut self) -> Step<String> {
        let at = self.pos;
        let n = self.count()?;
        self.check_fits(n, 1, "name bytes")?;
        let bytes = self.take(n)?;
        self.skip_padding(n)?;
        // netCDF-C handles names as C strings: some writers count a terminating NUL in
        // the length (nctest's `yy`), which is not part of the name.
        let text = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
        String::from_utf8(text.to_vec()).map_err(|_| {
            Error::corrupt("a name in the header is not valid UTF-8")
                .at_offset(at)
                .into()
        })
    }

    /// `ABSENT | tag nelems {item}`. ABSENT is a zero tag followed by a zero count (12
    /// bytes in CDF5); netCDF-C also accepts the expected tag with a zero count.
    fn list<T>(
        &mut self,
        tag: u32,
        min_item_size: u64,
        mut item: impl FnMut(&mut Self) -> Step<T>,
    ) -> Step<Vec<T>> {
        let at = self.pos;
        let found = self.u32()?;
        let n = self.count()?;
        if found == 0 {
            if n != 0 {
                return Err(Error::corrupt(format!(
                    "an absent list (tag 0) declares {} elements",
                    n
                ))
                .at_offset(at))?;
            }
            return Ok(Vec::new());
        }
        if found != tag {
            return Err(Error::corrupt(format!(
                "expected list tag {:#x} or 0, found {:#x}",
                tag, found
            ))
            .at_offset(at))?;
        }
        // Every item has at least a name count and a word or count after it.
        let min = min_item_size.max(self.version.count_width() + 4);
        self.check_fits(n, min, "list elements")?;
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn attributes(&mut self) -> Step<Vec<Attribute>> {
        let min = 2 * self.version.count_width() + 4;
        self.list(NC_ATTRIBUTE, min, |c| {
            let name = c.name()?;
            let type_at = c.pos;
            let nc_type = NcType::from_code(c.u32()?, c.version == Version::Data64)
                .map_err(|e| e.at_offset(type_at))?;
            let n = c.count()?;
            c.check_fits(n, nc_type.size(), "attribute values")?;
            let len = n * nc_type.size();
            let values = c.take(len)?.to_vec();
            c.skip_padding(len)?;
            Ok(Attribute {
                name,
                nc_type,
                values,
            })
        })
    }

    fn variable(&mut self) -> Step<Variable> {
        let name = self.name()?;
        let ndims_at = self.pos;
        let ndims = self.count()?;
        if ndims > MAX_VAR_DIMS {
            return Err(Error::limit(format!(
                "variable {:?} declares {} dimensions, more than netCDF's limit of {}",
                name, ndims, MAX_VAR_DIMS
            ))
            .at_offset(ndims_at))?;
        }
        self.check_fits(ndims, self.version.count_width(), "dimension ids")?;
        let mut dim_ids = Vec::with_capacity(ndims as usize);
        for _ in 0..ndims {
            dim_ids.push(self.count()?);
        }
        let attrs = self.attributes()?;
        let type_at = self.pos;
        let nc_type = NcType::from_code(self.u32()?, self.version == Version::Data64)
            .map_err(|e| e.at_offset(type_at).with_variable(name.clone()))?;
        // vsize is not trusted (it is padded and saturates at 2^32-1): netCDF-C recomputes
        // it from the shape, and so does the layout code.
        let _vsize = self.count()?;
        let begin = self.offset()?;
        Ok(Variable {
            name,
            dim_ids,
            attrs,
            nc_type,
            begin,
        })
    }
}
