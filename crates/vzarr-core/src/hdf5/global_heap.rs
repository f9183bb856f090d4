//! Global heap collections ("GCOL"): where variable-length data (vlen strings, the object
//! reference lists of DIMENSION_LIST) live. Collections are parsed once and cached, since
//! thousands of strings usually share one collection.

use super::io::{Cursor, Geometry, Source};
use crate::error::Error;
use crate::sansio::{ByteRange, Step, Stop};
use std::collections::HashMap;

/// Collections are at least 4096 bytes; ask for that much before the size is known.
const READ_AHEAD: u64 = 4096;
/// A collection larger than this comes from a corrupt size field.
const MAX_COLLECTION: u64 = 256 << 20;

/// A reference to one variable-length value: its element count and where it lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlenRef {
    pub len: u32,
    /// Collection address; `None` for a NULL (empty) value.
    pub collection: Option<u64>,
    pub index: u32,
}

impl VlenRef {
    /// Decodes the `4 + O + 4`-byte descriptor stored in datasets and attributes.
    pub fn parse(bytes: &[u8], geo: Geometry) -> Result<VlenRef, Error> {
        let mut c = Cursor::new(bytes, geo, 0, "variable-length descriptor");
        let len = c.u32()?;
        let collection = c.addr()?.filter(|&a| a != 0);
        let index = c.u32()?;
        Ok(VlenRef {
            len,
            collection,
            index,
        })
    }

    /// Stored size of one descriptor.
    pub fn size(geo: Geometry) -> usize {
        8 + geo.o
    }
}

struct Collection {
    bytes: Vec<u8>,
    /// Object index → (start, length) in `bytes`.
    objects: HashMap<u32, (usize, usize)>,
}

/// The collections read so far.
#[derive(Default)]
pub struct GlobalHeap {
    collections: HashMap<u64, Collection>,
}

impl GlobalHeap {
    pub fn new() -> GlobalHeap {
        GlobalHeap::default()
    }

    /// Loads every collection in `addrs` that is not cached yet. Missing bytes for all of them
    /// are asked for at once: the first as the returned [`Stop::Need`], the rest in `extra`.
    pub fn load_all(
        &mut self,
        src: &Source,
        addrs: &[u64],
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let mut first = None;
        for &addr in addrs {
            if self.collections.contains_key(&addr) {
                continue;
            }
            match read_collection(src, addr) {
                Ok(c) => {
                    self.collections.insert(addr, c);
                }
                Err(Stop::Need(r)) => {
                    if first.is_none() {
                        first = Some(r);
                    } else {
                        extra.push(r);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        match first {
            Some(r) => Err(Stop::Need(r)),
            None => Ok(()),
        }
    }

    /// The bytes of the object `r` refers to (empty for NULL). Its collection must have been
    /// loaded with [`GlobalHeap::load_all`]; otherwise it is loaded here.
    pub fn object(&mut self, src: &Source, r: &VlenRef) -> Step<&[u8]> {
        let addr = match r.collection {
            None => return Ok(&[]),
            Some(a) => a,
        };
        let c = match self.collections.entry(addr) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(read_collection(src, addr)?),
        };
        match c.objects.get(&r.index) {
            Some(&(start, len)) => Ok(&c.bytes[start..start + len]),
            None => Err(Stop::Fail(
                Error::corrupt(format!(
                    "global heap collection at {:#x} has no object {}",
                    addr, r.index
                ))
                .at_offset(src.geo.base.wrapping_add(addr)),
            )),
        }
    }
}

fn read_collection(src: &Source, addr: u64) -> Step<Collection> {
    let geo = src.geo;
    let header_len = 8 + geo.l as u64;
    let head = src.read_ahead(addr, header_len, READ_AHEAD)?;
    let mut c = Cursor::new(head, geo, addr, "global heap collection");
    c.expect_signature(b"GCOL")?;
    let version = c.u8()?;
    if version != 1 {
        return Err(Stop::Fail(c.error(format!(
            "global heap version {} is not supported",
            version
        ))));
    }
    c.skip(3)?;
    let size = c.len_field("collection size")?;
    if size < header_len || size > MAX_COLLECTION {
        return Err(Stop::Fail(
            c.error(format!("collection size {} is out of range", size)),
        ));
    }
    let bytes = src.read(addr, size)?;
    let mut c = Cursor::new(bytes, geo, addr, "global heap collection");
    c.seek(header_len as usize)?;
    let mut objects = HashMap::new();
    let object_header = 8 + geo.l;
    while c.remaining() >= object_header {
        let index = c.u16()?;
        let _refcount = c.u16()?;
        c.skip(4)?;
        let len = c.len_field("object size")?;
        if index == 0 {
            // Free space: the rest of the collection holds no objects.
            break;
        }
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= c.remaining())
            .ok_or_else(|| c.error(format!("object {} of {} bytes overruns", index, len)))?;
        let start = c.pos();
        c.skip(len)?;
        // Object data is padded to a multiple of 8 bytes (the last one may not be).
        let pad = (8 - len % 8) % 8;
        c.skip(pad.min(c.remaining()))?;
        objects.insert(u32::from(index), (start, len));
    }
    Ok(Collection {
        bytes: bytes.to_vec(),
        objects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sansio::ByteCache;

    fn collection() -> Vec<u8> {
        let mut b = b"GCOL\x01\0\0\0".to_vec();
        b.extend_from_slice(&4096u64.to_le_bytes());
        // Object 1: "hello" (padded to 8).
        b.extend_from_slice(&[1, 0, 1, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&5u64.to_le_bytes());
        b.extend_from_slice(b"hello\0\0\0");
        // Free space.
        b.extend_from_slice(&[0; 16]);
        b.resize(4096, 0);
        b
    }

    #[test]
    fn finds_objects() {
        let mut file = vec![0u8; 64];
        file.extend(collection());
        let cache = ByteCache::from_bytes(file);
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let src = Source::new(&cache, geo);
        let mut heap = GlobalHeap::new();
        let r = VlenRef {
            len: 5,
            collection: Some(64),
            index: 1,
        };
        assert_eq!(heap.object(&src, &r).ok().unwrap(), b"hello");
        let missing = VlenRef { index: 2, ..r };
        assert!(matches!(heap.object(&src, &missing), Err(Stop::Fail(_))));
    }
}
