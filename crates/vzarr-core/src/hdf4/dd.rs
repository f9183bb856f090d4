//! The file's table of contents: the magic number and the chain of data-descriptor (DD)
//! blocks. Each DD names one element by tag and reference number and gives its offset and
//! length; everything else in an HDF4 file is found through this table.

use super::by_ref::ByRef;
use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Step, Stop};

pub const MAGIC: [u8; 4] = [0x0e, 0x03, 0x13, 0x01];

/// Tags (hdf/src/htags.h) the scanner reads.
pub const LINKED: u16 = 20;
pub const COMPRESSED: u16 = 40;
pub const CHUNK: u16 = 61;
pub const NT: u16 = 106;
pub const SDD: u16 = 701;
pub const SD: u16 = 702;
pub const NDG: u16 = 720;
pub const VH: u16 = 1962;
pub const VS: u16 = 1963;
pub const VG: u16 = 1965;
const NULL: u16 = 1;
/// Set on the tag of an element whose stored bytes are a special-element header.
const SPECIAL_BIT: u16 = 0x4000;

/// Bytes of a DD block header (count, next block) and of one DD.
const BLOCK_HEADER: u64 = 6;
const DD_BYTES: u64 = 12;
/// More DDs than this are refused (a corrupt count or a chain that never ends).
pub const MAX_DDS: usize = 4_000_000;
/// Read at a DD block outside the held bytes (its header and usually all its DDs).
pub const BLOCK_READ_AHEAD: u64 = 16 << 10;

pub fn is_hdf4(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// One data descriptor. `tag` is the base tag; `special` says the element's bytes are a
/// special-element header (chunked, compressed, linked blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dd {
    pub tag: u16,
    pub reference: u16,
    pub special: bool,
    pub offset: u64,
    pub length: u64,
}

impl Dd {
    /// Elements created without data carry offset and length -1.
    pub fn is_empty(&self) -> bool {
        self.length == 0 || self.length == u64::from(u32::MAX) || self.offset == u64::from(u32::MAX)
    }
}

#[derive(Default)]
pub struct DdTable {
    pub dds: Vec<Dd>,
    /// Per tag that the scanner looks up, each reference's position in `dds`.
    by_tag: Vec<(u16, ByRef<usize>)>,
}

impl DdTable {
    pub fn get(&self, tag: u16, reference: u16) -> Option<&Dd> {
        self.by_tag
            .iter()
            .find(|(t, _)| *t == tag)
            .and_then(|(_, refs)| refs.get(reference))
            .map(|&i| &self.dds[i])
    }

    fn push(&mut self, dd: Dd) {
        let k = match self.by_tag.iter().position(|(t, _)| *t == dd.tag) {
            Some(k) => k,
            None => {
                self.by_tag.push((dd.tag, ByRef::default()));
                self.by_tag.len() - 1
            }
        };
        // A later DD for the same tag/ref replaces an earlier one, as the library's
        // lookup (the last written wins after an element is rewritten).
        match self.by_tag[k].1.get(dd.reference) {
            Some(&i) => self.dds[i] = dd,
            None => {
                self.by_tag[k].1.insert(dd.reference, self.dds.len());
                self.dds.push(dd);
            }
        }
    }
}

/// Walks the DD block chain from `next` as far as the held bytes go.
pub struct DdChain {
    pub table: DdTable,
    next: u64,
    /// DD block offsets read (a chain that comes back to one loops).
    seen: Vec<u64>,
    started: bool,
}

impl DdChain {
    pub fn new() -> DdChain {
        DdChain {
            table: DdTable::default(),
            next: MAGIC.len() as u64,
            seen: Vec::new(),
            started: false,
        }
    }

    /// `Ok(None)` once the chain is read; else the range to read next.
    pub fn walk(&mut self, cache: &ByteCache) -> Result<Option<ByteRange>> {
        let size = cache.file_size();
        if !self.started {
            if size < MAGIC.len() as u64 + BLOCK_HEADER {
                return Err(Error::corrupt(format!(
                    "the file is {} bytes long, shorter than an HDF4 header",
                    size
                )));
            }
            match cache.read(0, 4) {
                Ok(m) if m == MAGIC => self.started = true,
                Ok(_) => return Err(Error::corrupt("no HDF4 magic number (0e 03 13 01)")),
                Err(Stop::Need(_)) => return Ok(Some(read_ahead(0, size))),
                Err(Stop::Fail(e)) => return Err(e),
            }
        }
        while self.next != 0 {
            let at = self.next;
            if self.seen.contains(&at) {
                return Err(Error::corrupt(format!(
                    "the DD block chain loops back to offset {}",
                    at
                ))
                .at_offset(at));
            }
            match self.parse_block(cache, at) {
                Ok(next) => {
                    self.seen.push(at);
                    self.next = next;
                }
                Err(Stop::Need(r)) => {
                    let ahead = read_ahead(r.offset, size);
                    let length = ahead.length.max(r.length);
                    return Ok(Some(ByteRange::new(r.offset, length)));
                }
                Err(Stop::Fail(e)) => return Err(e),
            }
        }
        Ok(None)
    }

    fn parse_block(&mut self, cache: &ByteCache, at: u64) -> Step<u64> {
        let head = cache.read(at, BLOCK_HEADER)?;
        let count = u64::from(u16::from_be_bytes([head[0], head[1]]));
        let next = u64::from(u32::from_be_bytes([head[2], head[3], head[4], head[5]]));
        if self.table.dds.len() + count as usize > MAX_DDS {
            return Err(Stop::Fail(Error::limit(format!(
                "the file has more than {} data descriptors",
                MAX_DDS
            ))));
        }
        let body = cache.read(at + BLOCK_HEADER, count * DD_BYTES)?;
        for d in body.chunks_exact(DD_BYTES as usize) {
            let raw_tag = u16::from_be_bytes([d[0], d[1]]);
            if raw_tag == NULL || raw_tag == 0 {
                continue;
            }
            let special = raw_tag & 0x8000 == 0 && raw_tag & SPECIAL_BIT != 0;
            let tag = if special {
                raw_tag & !SPECIAL_BIT
            } else {
                raw_tag
            };
            self.table.push(Dd {
                tag,
                reference: u16::from_be_bytes([d[2], d[3]]),
                special,
                offset: u64::from(u32::from_be_bytes([d[4], d[5], d[6], d[7]])),
                length: u64::from(u32::from_be_bytes([d[8], d[9], d[10], d[11]])),
            });
        }
        Ok(next)
    }
}

/// The first block (at 0 or the first DD block, offset 4) is read with [`super::FIRST_BLOCK`]
/// bytes: objects usually follow the DD blocks.
fn read_ahead(offset: u64, size: u64) -> ByteRange {
    let first = if offset <= MAGIC.len() as u64 {
        super::FIRST_BLOCK
    } else {
        BLOCK_READ_AHEAD
    };
    ByteRange::new(offset, first.min(size.saturating_sub(offset)))
}
