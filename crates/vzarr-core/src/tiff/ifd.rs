//! Image File Directories: the chain of IFDs and their entries, and typed tag values.
//!
//! An entry's value sits inline in the entry when it fits (4 bytes classic, 8 BigTIFF) and
//! elsewhere in the file otherwise. [`Entry::value_at`] is where it sits either way, so a
//! value is one [`ByteCache::read`] — of IFD bytes already held, or of an out-of-line range
//! the scanner asked for.

use super::header::Layout;
use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Step, Stop};

/// More IFDs than this in one file is refused (a corrupt chain, or a file we should not
/// describe one variable per page for).
pub const MAX_IFDS: usize = 65_536;
/// Entries in one IFD; real files have a few dozen.
pub const MAX_ENTRIES: u64 = 4_096;
/// One tag value may not be larger than this (strip/tile offset arrays included: 8 million
/// 8-byte offsets).
pub const MAX_VALUE_BYTES: u64 = 64 << 20;
/// Strip/tile offsets and byte counts of all IFDs together: each becomes a `u64` in memory,
/// and many IFDs may point at the same large array.
pub const MAX_TOTAL_CHUNK_ENTRIES: u64 = 1 << 26;

#[derive(Clone, Debug)]
pub struct Entry {
    pub tag: u16,
    pub typ: u16,
    pub count: u64,
    /// File offset of the value's bytes (inline in the entry, or out of line).
    pub value_at: u64,
    pub byte_len: u64,
}

#[derive(Clone, Debug)]
pub struct Ifd {
    /// File offset of the IFD (for error messages).
    pub offset: u64,
    pub entries: Vec<Entry>,
    /// Offset of the next IFD, 0 at the end of the chain.
    pub next: u64,
}

/// Bytes of one element of a TIFF field type; `None` for types this reader does not know
/// (their entries are ignored, as the specification asks).
pub fn type_size(typ: u16) -> Option<u64> {
    Some(match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 | 16 | 17 | 18 => 8,
        _ => return None,
    })
}

/// The bytes an IFD at `offset` occupies, once its entry count is known.
fn ifd_len(layout: &Layout, count: u64) -> u64 {
    layout.count_size() + count * layout.entry_size() + layout.offset_size()
}

/// Parses the IFD at `offset`; [`Stop::Need`] asks for its bytes.
pub fn parse_ifd(cache: &ByteCache, layout: &Layout, offset: u64) -> Step<Ifd> {
    let size = cache.file_size();
    let count_bytes = cache
        .read(offset, layout.count_size())
        .map_err(|e| at_ifd(e, offset))?;
    let count = if layout.bigtiff {
        layout.u64(count_bytes)
    } else {
        u64::from(layout.u16(count_bytes))
    };
    if count == 0 || count > MAX_ENTRIES {
        return Err(Stop::Fail(
            Error::corrupt(format!(
                "the IFD at offset {} claims {} entries (1..{} accepted)",
                offset, count, MAX_ENTRIES
            ))
            .at_offset(offset),
        ));
    }
    let len = ifd_len(layout, count);
    if offset.saturating_add(len) > size {
        return Err(Stop::Fail(
            Error::corrupt(format!(
                "the IFD at offset {} ({} entries) runs past the end of the file ({} bytes)",
                offset, count, size
            ))
            .at_offset(offset),
        ));
    }
    let bytes = cache.read(offset, len)?;
    let mut entries = Vec::with_capacity(count as usize);
    let inline = layout.offset_size();
    for i in 0..count {
        let at = (layout.count_size() + i * layout.entry_size()) as usize;
        let e = &bytes[at..at + layout.entry_size() as usize];
        let tag = layout.u16(&e[0..2]);
        let typ = layout.u16(&e[2..4]);
        let (n, field) = if layout.bigtiff {
            (layout.u64(&e[4..12]), &e[12..20])
        } else {
            (u64::from(layout.u32(&e[4..8])), &e[8..12])
        };
        let Some(unit) = type_size(typ) else { continue };
        let byte_len = n
            .checked_mul(unit)
            .filter(|&b| b <= MAX_VALUE_BYTES)
            .ok_or_else(|| {
                Stop::Fail(
                    Error::limit(format!(
                        "tag {} of the IFD at offset {} claims {} values of {} bytes",
                        tag, offset, n, unit
                    ))
                    .at_offset(offset),
                )
            })?;
        let value_at = if byte_len <= inline {
            offset + at as u64 + if layout.bigtiff { 12 } else { 8 }
        } else {
            layout.offset(field)
        };
        entries.push(Entry {
            tag,
            typ,
            count: n,
            value_at,
            byte_len,
        });
    }
    let next = layout.offset(&bytes[(len - inline) as usize..len as usize]);
    Ok(Ifd {
        offset,
        entries,
        next,
    })
}

/// A needed IFD range is widened: IFDs of files written with their IFDs together (COGs) are
/// then read in one piece.
fn at_ifd(stop: Stop, offset: u64) -> Stop {
    match stop {
        Stop::Fail(e) => Stop::Fail(
            Error::corrupt(format!(
                "the IFD offset {} lies outside the file ({})",
                offset, e.message
            ))
            .at_offset(offset),
        ),
        need => need,
    }
}

impl Ifd {
    pub fn get(&self, tag: u16) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// The out-of-line ranges of `tags` not held yet, checked against the file size.
    pub fn missing_values(&self, cache: &ByteCache, tags: &[u16]) -> Result<Vec<ByteRange>> {
        let mut out = Vec::new();
        for e in self.entries.iter().filter(|e| tags.contains(&e.tag)) {
            match cache.read(e.value_at, e.byte_len) {
                Ok(_) => {}
                Err(Stop::Need(r)) => out.push(r),
                Err(Stop::Fail(err)) => {
                    return Err(Error::corrupt(format!(
                        "tag {} of the IFD at offset {}: {}",
                        e.tag, self.offset, err.message
                    ))
                    .at_offset(e.value_at))
                }
            }
        }
        Ok(out)
    }
}

/// Reads tag values once every needed byte is held.
pub struct Values<'a> {
    pub cache: &'a ByteCache,
    pub layout: Layout,
    pub ifd: &'a Ifd,
}

impl<'a> Values<'a> {
    fn bytes(&self, e: &Entry) -> Result<&'a [u8]> {
        match self.cache.read(e.value_at, e.byte_len) {
            Ok(b) => Ok(b),
            Err(Stop::Fail(err)) => Err(err),
            Err(Stop::Need(_)) => Err(Error::invalid(format!(
                "tag {} was not read before it was decoded",
                e.tag
            ))),
        }
    }

    /// Unsigned integers (BYTE, SHORT, LONG, LONG8, IFD types; signed ones if not negative).
    pub fn uints(&self, tag: u16) -> Result<Option<Vec<u64>>> {
        let Some(e) = self.ifd.get(tag) else {
            return Ok(None);
        };
        let b = self.bytes(e)?;
        let l = &self.layout;
        let n = e.count as usize;
        let v: Vec<u64> = match e.typ {
            1 | 7 => b.iter().map(|&x| u64::from(x)).collect(),
            3 => (0..n).map(|i| u64::from(l.u16(&b[2 * i..]))).collect(),
            4 | 13 => (0..n).map(|i| u64::from(l.u32(&b[4 * i..]))).collect(),
            16 | 18 => (0..n).map(|i| l.u64(&b[8 * i..])).collect(),
            8 => (0..n)
                .map(|i| l.u16(&b[2 * i..]) as i16 as i64 as u64)
                .collect(),
            9 => (0..n)
                .map(|i| l.u32(&b[4 * i..]) as i32 as i64 as u64)
                .collect(),
            _ => {
                return Err(Error::corrupt(format!(
                    "tag {} has field type {}, where an integer is expected",
                    tag, e.typ
                )))
            }
        };
        Ok(Some(v))
    }

    /// One unsigned integer (the first value), or `default` when the tag is absent.
    pub fn uint(&self, tag: u16, default: Option<u64>) -> Result<Option<u64>> {
        Ok(match self.uints(tag)? {
            Some(v) => match v.first() {
                Some(&x) => Some(x),
                None => default,
            },
            None => default,
        })
    }

    /// Floating-point values (DOUBLE, FLOAT, RATIONAL and integers converted).
    pub fn floats(&self, tag: u16) -> Result<Option<Vec<f64>>> {
        let Some(e) = self.ifd.get(tag) else {
            return Ok(None);
        };
        let b = self.bytes(e)?;
        let l = &self.layout;
        let n = e.count as usize;
        Ok(Some(match e.typ {
            12 => (0..n).map(|i| f64::from_bits(l.u64(&b[8 * i..]))).collect(),
            11 => (0..n)
                .map(|i| f64::from(f32::from_bits(l.u32(&b[4 * i..]))))
                .collect(),
            5 => (0..n)
                .map(|i| f64::from(l.u32(&b[8 * i..])) / f64::from(l.u32(&b[8 * i + 4..])))
                .collect(),
            _ => match self.uints(tag)? {
                Some(v) => v.into_iter().map(|x| x as f64).collect(),
                None => Vec::new(),
            },
        }))
    }

    /// An ASCII value without its trailing NULs (several NUL-separated strings stay joined).
    pub fn ascii(&self, tag: u16) -> Result<Option<String>> {
        let Some(e) = self.ifd.get(tag) else {
            return Ok(None);
        };
        let b = self.bytes(e)?;
        let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
        Ok(Some(String::from_utf8_lossy(&b[..end]).into_owned()))
    }

    /// Raw bytes (UNDEFINED or BYTE values, e.g. JPEGTables).
    pub fn raw(&self, tag: u16) -> Result<Option<&'a [u8]>> {
        match self.ifd.get(tag) {
            Some(e) => self.bytes(e).map(Some),
            None => Ok(None),
        }
    }
}
