//! Reads for one pass over the file's objects: a read of bytes not held yet records the
//! range and yields `None`, so one pass gathers every range its objects need and the
//! scanner asks for them together; the pass is repeated once they are fed (objects that
//! refer to others — a linked-block table, a chunk's compression header — add rounds).

use super::dd::{Dd, DdTable, LINKED};
use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Stop};
use std::borrow::Cow;

/// Special-element types (hdf/src/hdf.h `SPECIAL_*`).
pub const SPECIAL_LINKED: u16 = 1;
pub const SPECIAL_COMP: u16 = 3;
pub const SPECIAL_CHUNKED: u16 = 5;

/// A linked-block element longer than this is not gathered into memory.
const MAX_LINKED_BYTES: u64 = 256 << 20;
/// Linked-block tables followed before the chain is taken for a loop.
const MAX_LINK_TABLES: usize = 1 << 16;

pub struct Reader<'a> {
    pub cache: &'a ByteCache,
    pub dds: &'a DdTable,
    pub needs: Vec<ByteRange>,
}

/// A byte range of the file holding (part of) an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub length: u64,
    /// Bytes the file holds there (a linked block's full size; its last block is clipped to
    /// the element's length in `length`).
    pub stored: u64,
}

impl<'a> Reader<'a> {
    pub fn new(cache: &'a ByteCache, dds: &'a DdTable) -> Reader<'a> {
        Reader {
            cache,
            dds,
            needs: Vec::new(),
        }
    }

    /// `length` bytes at `offset`, or `None` (the range is recorded) when not held.
    pub fn bytes(&mut self, offset: u64, length: u64) -> Result<Option<&'a [u8]>> {
        match self.cache.read(offset, length) {
            Ok(b) => Ok(Some(b)),
            Err(Stop::Need(r)) => {
                self.needs.push(r);
                Ok(None)
            }
            Err(Stop::Fail(e)) => Err(e),
        }
    }

    /// The stored bytes of a DD (for a special element: its header).
    pub fn stored(&mut self, dd: &Dd) -> Result<Option<&'a [u8]>> {
        if dd.is_empty() {
            return Ok(Some(&[]));
        }
        self.bytes(dd.offset, dd.length)
    }

    /// Where an element's bytes lie: one span for a plain element, one per block for a
    /// linked-block element (in order, the last one clipped to the element's length).
    pub fn spans(&mut self, dd: &Dd) -> Result<Option<Vec<Span>>> {
        if !dd.special {
            if dd.is_empty() {
                return Ok(Some(Vec::new()));
            }
            return Ok(Some(vec![Span {
                offset: dd.offset,
                length: dd.length,
                stored: dd.length,
            }]));
        }
        let head = match self.stored(dd)? {
            Some(h) => h,
            None => return Ok(None),
        };
        match be16(head, 0, dd)? {
            SPECIAL_LINKED => self.linked_spans(dd, head),
            other => Err(Error::unsupported(format!(
                "element {}/{} is a special element of type {} ({}) where plain or linked \
                 bytes were expected",
                dd.tag,
                dd.reference,
                other,
                special_name(other)
            ))),
        }
    }

    /// The whole element in memory (attributes, chunk tables).
    pub fn element(&mut self, dd: &Dd) -> Result<Option<Cow<'a, [u8]>>> {
        let spans = match self.spans(dd)? {
            Some(s) => s,
            None => return Ok(None),
        };
        if let [one] = spans[..] {
            return Ok(self.bytes(one.offset, one.length)?.map(Cow::Borrowed));
        }
        let mut out = Vec::new();
        let mut missing = false;
        for s in spans {
            match self.bytes(s.offset, s.length)? {
                Some(b) if !missing => out.extend_from_slice(b),
                Some(_) => {}
                None => missing = true,
            }
        }
        Ok(if missing { None } else { Some(Cow::Owned(out)) })
    }

    /// A linked-block header: u16 type, u32 length, u32 block length, u32 blocks per
    /// table, u16 first table's ref; each table (tag LINKED) is u16 next table's ref and
    /// that many block refs (tag LINKED; 0 ends the list).
    fn linked_spans(&mut self, dd: &Dd, head: &[u8]) -> Result<Option<Vec<Span>>> {
        let total = u64::from(be32(head, 2, dd)?);
        let per_table = be32(head, 10, dd)? as usize;
        let mut table_ref = be16(head, 14, dd)?;
        if total > MAX_LINKED_BYTES {
            return Err(Error::limit(format!(
                "a linked-block element of {} bytes (at most {} are gathered)",
                total, MAX_LINKED_BYTES
            )));
        }
        let mut spans = Vec::new();
        let mut left = total;
        let mut tables = 0usize;
        while table_ref != 0 && left > 0 {
            tables += 1;
            if tables > MAX_LINK_TABLES {
                return Err(Error::corrupt("the linked-block tables form a loop"));
            }
            let tdd = *self.dds.get(LINKED, table_ref).ok_or_else(|| {
                Error::corrupt(format!(
                    "linked-block table {} is not in the file",
                    table_ref
                ))
            })?;
            let table = match self.stored(&tdd)? {
                Some(t) => t,
                None => return Ok(None),
            };
            if table.len() < 2 + 2 * per_table.min(table.len() / 2) {
                return Err(Error::corrupt("a linked-block table is truncated"));
            }
            table_ref = be16(table, 0, &tdd)?;
            for k in 0..per_table.min((table.len() - 2) / 2) {
                let block_ref = be16(table, 2 + 2 * k, &tdd)?;
                if block_ref == 0 || left == 0 {
                    break;
                }
                let bdd = self.dds.get(LINKED, block_ref).ok_or_else(|| {
                    Error::corrupt(format!("linked block {} is not in the file", block_ref))
                })?;
                let length = bdd.length.min(left);
                spans.push(Span {
                    offset: bdd.offset,
                    length,
                    stored: bdd.length,
                });
                left -= length;
            }
        }
        if left > 0 {
            return Err(Error::corrupt(format!(
                "the linked blocks of element {}/{} hold {} of its {} bytes",
                dd.tag,
                dd.reference,
                total - left,
                total
            )));
        }
        Ok(Some(spans))
    }
}

pub fn special_name(kind: u16) -> &'static str {
    match kind {
        SPECIAL_LINKED => "linked blocks",
        2 => "external file",
        SPECIAL_COMP => "compressed",
        4 => "variable-length linked blocks",
        SPECIAL_CHUNKED => "chunked",
        6 => "buffered",
        7 => "compressed raster",
        _ => "unknown",
    }
}

/// Big-endian fields of an element, checked against its length.
pub fn be16(b: &[u8], at: usize, dd: &Dd) -> Result<u16> {
    b.get(at..at + 2)
        .map(|x| u16::from_be_bytes([x[0], x[1]]))
        .ok_or_else(|| truncated(dd))
}

pub fn be32(b: &[u8], at: usize, dd: &Dd) -> Result<u32> {
    b.get(at..at + 4)
        .map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
        .ok_or_else(|| truncated(dd))
}

pub fn truncated(dd: &Dd) -> Error {
    Error::corrupt(format!(
        "element {}/{} ({} bytes) is shorter than its contents",
        dd.tag, dd.reference, dd.length
    ))
    .at_offset(dd.offset)
}
