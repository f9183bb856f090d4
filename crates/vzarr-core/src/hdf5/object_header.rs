//! Object headers (version 1 and version 2 "OHDR") with their continuation blocks, and the
//! resolution of shared (committed) messages.
//!
//! Parsing is restartable: [`read_object_header`] asks for one missing block at a time and is
//! simply called again once the host fed it. Messages are copied out, so a parsed header does
//! not borrow the cache.

use super::checksum;
use super::io::{Cursor, Source};
use crate::error::Error;
use crate::sansio::{Step, Stop};

/// Message type ids (HDF5 format spec, section IV.A.2).
pub mod kind {
    pub const DATASPACE: u16 = 0x01;
    pub const LINK_INFO: u16 = 0x02;
    pub const DATATYPE: u16 = 0x03;
    pub const FILL_VALUE_OLD: u16 = 0x04;
    pub const FILL_VALUE: u16 = 0x05;
    pub const LINK: u16 = 0x06;
    pub const EXTERNAL_FILES: u16 = 0x07;
    pub const LAYOUT: u16 = 0x08;
    pub const GROUP_INFO: u16 = 0x0A;
    pub const FILTER_PIPELINE: u16 = 0x0B;
    pub const ATTRIBUTE: u16 = 0x0C;
    pub const CONTINUATION: u16 = 0x10;
    pub const SYMBOL_TABLE: u16 = 0x11;
    pub const ATTRIBUTE_INFO: u16 = 0x15;
}

/// Flag bit: the message body is a shared-message record, not the message itself.
pub const FLAG_SHARED: u8 = 0x02;

/// Bytes asked for when an object header's size is not known yet.
const READ_AHEAD: u64 = 1024;
/// A single header block larger than this comes from a corrupt length field.
const MAX_BLOCK: u64 = 16 << 20;
/// Continuation blocks per header; real files use a handful.
const MAX_BLOCKS: usize = 4096;
/// Messages per header.
const MAX_MESSAGES: usize = 1 << 17;

#[derive(Clone, Debug)]
pub struct Message {
    pub kind: u16,
    pub flags: u8,
    pub data: Vec<u8>,
    /// HDF5 address of the message body (for error offsets).
    pub addr: u64,
    /// Position among the header's messages (attribute order when no creation order is kept).
    pub index: usize,
    /// Creation order, when the header tracks it (v2 with flag bit 2).
    pub creation_order: Option<u16>,
}

impl Message {
    pub fn is_shared(&self) -> bool {
        self.flags & FLAG_SHARED != 0
    }

    pub fn cursor<'a>(&'a self, src: &Source, what: &'static str) -> Cursor<'a> {
        Cursor::new(&self.data, src.geo, self.addr, what)
    }
}

#[derive(Clone, Debug)]
pub struct ObjectHeader {
    pub messages: Vec<Message>,
}

impl ObjectHeader {
    pub fn find(&self, kind: u16) -> Option<&Message> {
        self.messages.iter().find(|m| m.kind == kind)
    }

    pub fn all(&self, kind: u16) -> impl Iterator<Item = &Message> + '_ {
        self.messages.iter().filter(move |m| m.kind == kind)
    }

    pub fn has(&self, kind: u16) -> bool {
        self.find(kind).is_some()
    }
}

fn corrupt(addr: u64, src: &Source, message: String) -> Stop {
    Stop::Fail(Error::corrupt(message).at_offset(src.geo.base.wrapping_add(addr)))
}

/// Reads the object header at `addr`, following continuation blocks.
pub fn read_object_header(src: &Source, addr: u64) -> Step<ObjectHeader> {
    let first = src.read_ahead(addr, 1, READ_AHEAD)?;
    match first[0] {
        1 => read_v1(src, addr),
        b'O' => read_v2(src, addr),
        other => Err(corrupt(
            addr,
            src,
            format!(
                "no object header at address {:#x} (first byte {:#04x})",
                addr, other
            ),
        )),
    }
}

/// A block of messages still to parse: its address and length.
struct Block {
    addr: u64,
    len: u64,
}

fn check_block(src: &Source, block: &Block, seen: &mut Vec<u64>) -> Step<()> {
    if block.len > MAX_BLOCK {
        return Err(corrupt(
            block.addr,
            src,
            format!(
                "an object header block claims {} bytes (limit {})",
                block.len, MAX_BLOCK
            ),
        ));
    }
    if seen.contains(&block.addr) {
        return Err(corrupt(
            block.addr,
            src,
            "an object header continuation points back at an earlier block".to_string(),
        ));
    }
    if seen.len() >= MAX_BLOCKS {
        return Err(corrupt(
            block.addr,
            src,
            format!("an object header has more than {} blocks", MAX_BLOCKS),
        ));
    }
    seen.push(block.addr);
    Ok(())
}

fn continuation(m: &Message, src: &Source) -> Step<Block> {
    let mut c = m.cursor(src, "continuation message");
    let addr = c.defined_addr("continuation block")?;
    let len = c.len_field("continuation length")?;
    Ok(Block { addr, len })
}

fn read_v1(src: &Source, addr: u64) -> Step<ObjectHeader> {
    let prefix = src.read_ahead(addr, 16, READ_AHEAD)?;
    let mut c = Cursor::new(prefix, src.geo, addr, "object header (v1)");
    c.skip(2)?;
    let declared = c.u16()? as usize;
    let _refcount = c.u32()?;
    let size = u64::from(c.u32()?);
    let mut blocks = vec![Block {
        addr: addr.saturating_add(16),
        len: size,
    }];
    let mut seen = Vec::new();
    let mut messages = Vec::new();
    while let Some(block) = blocks.pop() {
        check_block(src, &block, &mut seen)?;
        let bytes = src.read(block.addr, block.len)?;
        let mut c = Cursor::new(bytes, src.geo, block.addr, "object header (v1)");
        while c.remaining() >= 8 && messages.len() < declared.max(1) {
            let kind = c.u16()?;
            let size = c.u16()? as usize;
            let flags = c.u8()?;
            c.skip(3)?;
            let at = c.addr_here();
            let data = c.bytes(size)?;
            let m = Message {
                kind,
                flags,
                data: data.to_vec(),
                addr: at,
                index: messages.len(),
                creation_order: None,
            };
            if kind == kind::CONTINUATION {
                blocks.insert(0, continuation(&m, src)?);
            }
            messages.push(m);
            if messages.len() > MAX_MESSAGES {
                return Err(corrupt(addr, src, "too many header messages".into()));
            }
        }
    }
    Ok(ObjectHeader { messages })
}

fn read_v2(src: &Source, addr: u64) -> Step<ObjectHeader> {
    // Longest prefix: signature 4, version, flags, times 16, phase change 4, size 8.
    let head = src.read_ahead(addr, 6, READ_AHEAD)?;
    let mut c = Cursor::new(head, src.geo, addr, "object header (v2)");
    c.expect_signature(b"OHDR")?;
    let version = c.u8()?;
    if version != 2 {
        return Err(corrupt(
            addr,
            src,
            format!("object header version {} is not supported", version),
        ));
    }
    let flags = c.u8()?;
    let size_width = 1usize << (flags & 3);
    let prefix_len = 6
        + if flags & 0x20 != 0 { 16 } else { 0 }
        + if flags & 0x10 != 0 { 4 } else { 0 }
        + size_width;
    let head = src.read(addr, prefix_len as u64)?;
    let mut c = Cursor::new(head, src.geo, addr, "object header (v2)");
    c.seek(prefix_len - size_width)?;
    let chunk0 = c.uint(size_width)?;
    let tracks_order = flags & 0x04 != 0;
    let first = Block {
        addr: addr.saturating_add(prefix_len as u64),
        len: chunk0,
    };
    let mut seen = Vec::new();
    let mut messages = Vec::new();
    let mut blocks = vec![(first, true)];
    while let Some((block, is_first)) = blocks.pop() {
        check_block(src, &block, &mut seen)?;
        let (body_addr, body_len) = if is_first {
            // The checksum covers the prefix and chunk #0 and follows it.
            let whole_len = (prefix_len as u64)
                .saturating_add(block.len)
                .saturating_add(4);
            let whole = src.read(addr, whole_len)?;
            checksum::verify(whole, "object header", src.geo.base.wrapping_add(addr))?;
            (block.addr, block.len)
        } else {
            // OCHK blocks: signature, messages, checksum; the length counts all three.
            if block.len < 8 {
                return Err(corrupt(
                    block.addr,
                    src,
                    "an object header continuation block is too short".into(),
                ));
            }
            let whole = src.read(block.addr, block.len)?;
            let mut c = Cursor::new(whole, src.geo, block.addr, "continuation block");
            c.expect_signature(b"OCHK")?;
            checksum::verify(whole, "continuation block", src.geo.base + block.addr)?;
            (block.addr + 4, block.len - 8)
        };
        let bytes = src.read(body_addr, body_len)?;
        let mut c = Cursor::new(bytes, src.geo, body_addr, "object header (v2)");
        let header_len = if tracks_order { 6 } else { 4 };
        // A gap shorter than a message header may end the block.
        while c.remaining() >= header_len {
            let kind = u16::from(c.u8()?);
            let size = c.u16()? as usize;
            let mflags = c.u8()?;
            let creation_order = if tracks_order { Some(c.u16()?) } else { None };
            let at = c.addr_here();
            let data = c.bytes(size)?;
            let m = Message {
                kind,
                flags: mflags,
                data: data.to_vec(),
                addr: at,
                index: messages.len(),
                creation_order,
            };
            if kind == kind::CONTINUATION {
                blocks.insert(0, (continuation(&m, src)?, false));
            }
            messages.push(m);
            if messages.len() > MAX_MESSAGES {
                return Err(corrupt(addr, src, "too many header messages".into()));
            }
        }
    }
    Ok(ObjectHeader { messages })
}

/// Where a shared message's real content lives.
pub enum SharedTarget {
    /// In the object header at this address (a committed datatype, usually).
    ObjectHeader(u64),
    /// In the file's shared-message heap (SOHM), which this scanner does not read.
    SharedHeap,
}

/// Decodes a shared-message record.
pub fn shared_target(m: &Message, src: &Source) -> Step<SharedTarget> {
    let mut c = m.cursor(src, "shared message");
    let version = c.u8()?;
    let kind = c.u8()?;
    match version {
        1 => {
            c.skip(6)?;
            Ok(SharedTarget::ObjectHeader(
                c.defined_addr("shared message")?,
            ))
        }
        2 => Ok(SharedTarget::ObjectHeader(
            c.defined_addr("shared message")?,
        )),
        3 if kind == 1 => Ok(SharedTarget::SharedHeap),
        3 => Ok(SharedTarget::ObjectHeader(
            c.defined_addr("shared message")?,
        )),
        v => Err(Stop::Fail(
            c.error(format!("shared message version {} is not supported", v)),
        )),
    }
}

/// The real message behind `m`: `m` itself when not shared, else the message of the same
/// type in the object header it points at (one level; committed types are not nested).
pub fn resolve_shared(m: &Message, src: &Source) -> Step<Message> {
    if !m.is_shared() {
        return Ok(m.clone());
    }
    match shared_target(m, src)? {
        SharedTarget::SharedHeap => Err(Stop::Fail(
            Error::unsupported(
                "the file stores this message in the shared object header message heap (SOHM), \
                 which is not supported",
            )
            .at_offset(src.geo.base.wrapping_add(m.addr)),
        )),
        SharedTarget::ObjectHeader(addr) => {
            let header = read_object_header(src, addr)?;
            match header.find(m.kind) {
                Some(found) if !found.is_shared() => Ok(found.clone()),
                Some(_) => Err(corrupt(
                    addr,
                    src,
                    "a shared message points at another shared message".into(),
                )),
                None => Err(corrupt(
                    addr,
                    src,
                    format!(
                        "the object header a shared message points to has no message of type {:#x}",
                        m.kind
                    ),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;
    use crate::sansio::ByteCache;

    /// A v1 header whose continuation message points back at its own first block.
    fn looping_header() -> Vec<u8> {
        let mut b = vec![1u8, 0, 2, 0, 1, 0, 0, 0];
        b.extend_from_slice(&24u32.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        // Continuation message: type 0x10, 16 bytes, flags 0, reserved.
        b.extend_from_slice(&[0x10, 0, 16, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&16u64.to_le_bytes());
        b.extend_from_slice(&24u64.to_le_bytes());
        b.resize(64, 0);
        b
    }

    #[test]
    fn refuses_a_continuation_cycle() {
        let cache = ByteCache::from_bytes(looping_header());
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let src = Source::new(&cache, geo);
        match read_object_header(&src, 0) {
            Err(Stop::Fail(e)) => {
                assert_eq!(e.kind, crate::ErrorKind::CorruptFile);
                assert!(e.message.contains("points back"), "{}", e);
            }
            other => panic!(
                "expected a failure, got {:?}",
                other.map(|h| h.messages.len())
            ),
        }
    }
}
