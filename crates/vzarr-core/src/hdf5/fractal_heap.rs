//! Fractal heaps ("FRHP"): where dense groups keep their link messages and dense attribute
//! storage keeps attribute messages. A heap ID names an object: managed objects live in
//! direct blocks reached through a doubling table of indirect blocks, tiny objects live in the
//! ID itself, huge objects are found through a v2 B-tree (record type 1).
//!
//! Lookups are restartable: each call walks from the header down, stopping for the first
//! block it does not hold; lookups of many IDs of one heap batch level by level.

use super::btree_v2;
use super::checksum;
use super::io::{bytes_needed, le_uint, log2_floor, Cursor, Source};
use crate::error::Error;
use crate::sansio::{Step, Stop};

/// Indirect blocks nest at most this deep (each level at least doubles the block size).
const MAX_NESTING: usize = 64;
/// An object larger than this comes from a corrupt heap ID.
const MAX_OBJECT: u64 = 64 << 20;

#[derive(Clone, Debug)]
pub struct Header {
    addr: u64,
    id_len: usize,
    filtered: bool,
    checksummed_blocks: bool,
    huge_btree: Option<u64>,
    table_width: u64,
    start_block: u64,
    max_direct: u64,
    root: Option<u64>,
    root_rows: u64,
    offset_size: usize,
    length_size: usize,
    max_direct_rows: u64,
}

fn corrupt(src: &Source, addr: u64, msg: String) -> Stop {
    Stop::Fail(Error::corrupt(msg).at_offset(src.geo.base.wrapping_add(addr)))
}

pub fn read_header(src: &Source, addr: u64) -> Step<Header> {
    let geo = src.geo;
    let (o, l) = (geo.o as u64, geo.l as u64);
    let fixed = 26 + 12 * l + 3 * o;
    let head = src.read(addr, fixed)?;
    let mut c = Cursor::new(head, geo, addr, "fractal heap header");
    c.expect_signature(b"FRHP")?;
    let version = c.u8()?;
    if version != 0 {
        return Err(Stop::Fail(c.error(format!(
            "fractal heap version {} is not supported",
            version
        ))));
    }
    let id_len = c.u16()? as usize;
    let filter_len = c.u16()? as u64;
    let flags = c.u8()?;
    let max_managed = u64::from(c.u32()?);
    let _next_huge_id = c.length()?;
    let huge_btree = c.addr()?;
    c.skip(geo.l)?; // free space
    let _free_space_manager = c.addr()?;
    c.skip(8 * geo.l)?; // managed/allocated/iterator/count, huge and tiny sizes and counts
    let table_width = u64::from(c.u16()?);
    let start_block = c.len_field("starting block size")?;
    let max_direct = c.len_field("maximum direct block size")?;
    let max_heap_bits = u32::from(c.u16()?);
    let _start_rows = c.u16()?;
    let root = c.addr()?;
    let root_rows = u64::from(c.u16()?);
    let total = fixed
        + if filter_len > 0 {
            l + 4 + filter_len
        } else {
            0
        };
    let whole = src.read(addr, total)?;
    checksum::verify(whole, "fractal heap header", geo.base.wrapping_add(addr))?;
    let plausible = table_width.is_power_of_two()
        && table_width <= 65536
        && start_block.is_power_of_two()
        && max_direct.is_power_of_two()
        && max_direct >= start_block
        && (1..=64).contains(&max_heap_bits)
        && id_len > 0;
    if !plausible {
        return Err(corrupt(
            src,
            addr,
            format!(
                "fractal heap header is implausible (width {}, start block {}, max direct {}, \
                 heap bits {}, id length {})",
                table_width, start_block, max_direct, max_heap_bits, id_len
            ),
        ));
    }
    let offset_size = max_heap_bits.div_ceil(8) as usize;
    let direct_offset_size = log2_floor(max_direct).div_ceil(8) as usize;
    let length_size = direct_offset_size.min(bytes_needed(max_managed));
    let max_direct_rows = u64::from(log2_floor(max_direct) - log2_floor(start_block)) + 2;
    Ok(Header {
        addr,
        id_len,
        filtered: filter_len > 0,
        checksummed_blocks: flags & 2 != 0,
        huge_btree,
        table_width,
        start_block,
        max_direct,
        root,
        root_rows,
        offset_size,
        length_size,
        max_direct_rows,
    })
}

impl Header {
    /// Size of the blocks in row `r` of a doubling table.
    fn row_block_size(&self, r: u64) -> Option<u64> {
        if r <= 1 {
            Some(self.start_block)
        } else {
            self.start_block.checked_shl((r - 1) as u32)
        }
    }

    /// Entry bytes of one direct child in an indirect block.
    fn direct_entry_len(&self, o: usize, l: usize) -> usize {
        o + if self.filtered { l + 4 } else { 0 }
    }
}

/// What a heap ID designates.
pub enum Object<'a> {
    /// The object's bytes are in the file at this address.
    At { addr: u64, len: u64 },
    /// The object's bytes are the ID's own tail (tiny objects).
    Inline(&'a [u8]),
}

/// Finds the object named by `id`.
pub fn locate<'i>(src: &Source, header: &Header, id: &'i [u8]) -> Step<Object<'i>> {
    let first = *id
        .first()
        .ok_or_else(|| corrupt(src, header.addr, "empty heap ID".into()))?;
    if first >> 6 != 0 {
        return Err(corrupt(
            src,
            header.addr,
            format!("heap ID version {} is not supported", first >> 6),
        ));
    }
    match (first >> 4) & 3 {
        0 => locate_managed(src, header, id),
        1 => locate_huge(src, header, id),
        2 => {
            let (len, start) = if header.id_len > 18 {
                let ext = u64::from(*id.get(1).unwrap_or(&0));
                ((u64::from(first & 0x0F) << 8 | ext) + 1, 2)
            } else {
                (u64::from(first & 0x0F) + 1, 1)
            };
            id.get(start..start + len as usize)
                .map(Object::Inline)
                .ok_or_else(|| corrupt(src, header.addr, "tiny heap object overruns its ID".into()))
        }
        t => Err(corrupt(
            src,
            header.addr,
            format!("unknown heap ID type {}", t),
        )),
    }
}

fn locate_managed<'i>(src: &Source, header: &Header, id: &[u8]) -> Step<Object<'i>> {
    let mut c = Cursor::new(id, src.geo, header.addr, "managed heap ID");
    c.skip(1)?;
    let offset = c.uint(header.offset_size)?;
    let len = c.uint(header.length_size)?;
    if len == 0 || len > MAX_OBJECT || len > header.max_direct {
        return Err(corrupt(
            src,
            header.addr,
            format!("heap object length {} is invalid", len),
        ));
    }
    let (block_addr, block_offset, block_size) = find_direct_block(src, header, offset)?;
    let o = src.geo.o as u64;
    let block_header =
        5 + o + header.offset_size as u64 + if header.checksummed_blocks { 4 } else { 0 };
    let within = offset - block_offset;
    if within < block_header || within.saturating_add(len) > block_size {
        return Err(corrupt(
            src,
            block_addr,
            format!(
                "heap object at offset {} (+{}) does not fit its direct block of {} bytes",
                offset, len, block_size
            ),
        ));
    }
    // Read from the block start so the signature can be checked in the same request.
    let bytes = src.read(block_addr, within + len)?;
    let mut c = Cursor::new(bytes, src.geo, block_addr, "fractal heap direct block");
    c.expect_signature(b"FHDB")?;
    c.skip(1 + src.geo.o)?;
    let stored_offset = c.uint(header.offset_size)?;
    if stored_offset != block_offset {
        return Err(corrupt(
            src,
            block_addr,
            format!(
                "direct block records heap offset {} where {} was expected",
                stored_offset, block_offset
            ),
        ));
    }
    Ok(Object::At {
        addr: block_addr + within,
        len,
    })
}

/// Walks the doubling table to the direct block holding heap offset `offset`: returns its
/// address, its first heap offset and its size.
fn find_direct_block(src: &Source, header: &Header, offset: u64) -> Step<(u64, u64, u64)> {
    let root = header
        .root
        .ok_or_else(|| corrupt(src, header.addr, "the fractal heap is empty".into()))?;
    if header.root_rows == 0 {
        if offset >= header.start_block {
            return Err(corrupt(
                src,
                header.addr,
                format!("heap offset {} lies beyond the root direct block", offset),
            ));
        }
        return Ok((root, 0, header.start_block));
    }
    let geo = src.geo;
    let (o, l) = (geo.o, geo.l);
    let mut block = root;
    let mut rows = header.root_rows;
    let mut block_offset = 0u64;
    for _ in 0..MAX_NESTING {
        let width = header.table_width;
        let direct_rows = rows.min(header.max_direct_rows);
        let indirect_rows = rows - direct_rows;
        let entries_len = direct_rows * width * header.direct_entry_len(o, l) as u64
            + indirect_rows * width * o as u64;
        let len = 5 + o as u64 + header.offset_size as u64 + entries_len + 4;
        if len > 64 << 20 {
            return Err(corrupt(
                src,
                block,
                "indirect block is implausibly large".into(),
            ));
        }
        let bytes = src.read(block, len)?;
        let mut c = Cursor::new(bytes, geo, block, "fractal heap indirect block");
        c.expect_signature(b"FHIB")?;
        checksum::verify(
            bytes,
            "fractal heap indirect block",
            geo.base.wrapping_add(block),
        )?;
        c.skip(1 + o)?;
        let stored_offset = c.uint(header.offset_size)?;
        if stored_offset != block_offset {
            return Err(corrupt(
                src,
                block,
                format!(
                    "indirect block records heap offset {} where {} was expected",
                    stored_offset, block_offset
                ),
            ));
        }
        // Find the row and column covering the offset.
        let rel = offset - block_offset;
        let mut row_start = 0u64;
        let mut found = None;
        for r in 0..rows {
            let size = header
                .row_block_size(r)
                .ok_or_else(|| corrupt(src, block, "block size overflows".into()))?;
            let row_len = size.saturating_mul(width);
            if rel < row_start.saturating_add(row_len) {
                found = Some((r, (rel - row_start) / size, size, row_start));
                break;
            }
            row_start = row_start.saturating_add(row_len);
        }
        let (r, col, size, row_start) = found.ok_or_else(|| {
            corrupt(
                src,
                block,
                format!("heap offset {} lies beyond its indirect block", offset),
            )
        })?;
        let child_offset = block_offset + row_start + col * size;
        let entry = r * width + col;
        if r < header.max_direct_rows {
            c.skip((entry * header.direct_entry_len(o, l) as u64) as usize)?;
            let child = c.addr()?.ok_or_else(|| {
                corrupt(
                    src,
                    block,
                    format!("heap offset {} is in an unallocated block", offset),
                )
            })?;
            return Ok((child, child_offset, size));
        }
        let direct_len = direct_rows * width * header.direct_entry_len(o, l) as u64;
        c.skip((direct_len + (entry - direct_rows * width) * o as u64) as usize)?;
        block = c.addr()?.ok_or_else(|| {
            corrupt(
                src,
                block,
                format!("heap offset {} is in an unallocated block", offset),
            )
        })?;
        // HDF5: an indirect block spanning `size` heap bytes has
        // log2(size) - log2(start block size * table width) + 1 rows.
        let span_rows = log2_floor(size) + 1;
        let base_rows = log2_floor(header.start_block) + log2_floor(header.table_width);
        if span_rows <= base_rows {
            return Err(corrupt(
                src,
                block,
                "a child indirect block has no rows".into(),
            ));
        }
        rows = u64::from(span_rows - base_rows);
        block_offset = child_offset;
    }
    Err(corrupt(
        src,
        header.addr,
        "fractal heap indirect blocks nest too deeply".into(),
    ))
}

/// Huge objects: the ID holds the address and length directly when it is long enough,
/// otherwise a key into the heap's huge-object v2 B-tree (record type 1).
fn locate_huge<'i>(src: &Source, header: &Header, id: &[u8]) -> Step<Object<'i>> {
    if header.filtered {
        return Err(Stop::Fail(Error::unsupported(
            "filtered huge objects in a fractal heap are not supported",
        )));
    }
    let geo = src.geo;
    if header.id_len >= 1 + geo.o + geo.l {
        let mut c = Cursor::new(id, geo, header.addr, "huge heap ID");
        c.skip(1)?;
        let addr = c.defined_addr("huge object")?;
        let len = c.len_field("huge object length")?;
        return Ok(Object::At { addr, len });
    }
    let key_len = (header.id_len - 1).min(8);
    let key = le_uint(id.get(1..1 + key_len).unwrap_or(&[]));
    let tree = header.huge_btree.ok_or_else(|| {
        corrupt(
            src,
            header.addr,
            "huge object without a huge-object index".into(),
        )
    })?;
    let bt = btree_v2::read_header(src, tree, &[1])?;
    let mut pending: Vec<btree_v2::NodeRef> = bt.root.into_iter().collect();
    let mut visited = 0usize;
    while let Some(node) = pending.pop() {
        visited += 1;
        if visited > 1 << 16 {
            return Err(corrupt(src, tree, "huge-object index is too large".into()));
        }
        let mut hit = None;
        btree_v2::read_node(
            src,
            &bt,
            &node,
            |rec| {
                let mut c = Cursor::new(rec, geo, tree, "huge object record");
                let addr = c.addr()?;
                let len = c.len_field("huge object length")?;
                let rest = c.remaining();
                let rec_key = c.uint(rest.min(8))?;
                if rec_key == key {
                    hit = addr.map(|a| (a, len));
                }
                Ok(())
            },
            &mut pending,
        )?;
        if let Some((addr, len)) = hit {
            return Ok(Object::At { addr, len });
        }
    }
    Err(corrupt(
        src,
        tree,
        format!("huge heap object {} is not in its index", key),
    ))
}

/// The bytes of the object named by `id` (copied: the ID may be inline).
pub fn read_object(src: &Source, header: &Header, id: &[u8]) -> Step<Vec<u8>> {
    match locate(src, header, id)? {
        Object::Inline(bytes) => Ok(bytes.to_vec()),
        Object::At { addr, len } => {
            if len > MAX_OBJECT {
                return Err(corrupt(
                    src,
                    addr,
                    format!("heap object of {} bytes is too large", len),
                ));
            }
            Ok(src.read(addr, len)?.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::checksum::lookup3;
    use crate::hdf5::io::Geometry;
    use crate::sansio::ByteCache;

    fn put(file: &mut [u8], at: usize, bytes: &[u8]) {
        file[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn with_checksum(mut block: Vec<u8>) -> Vec<u8> {
        let sum = lookup3(&block);
        block.extend_from_slice(&sum.to_le_bytes());
        block
    }

    /// A tiny heap (width 2, 64-byte start blocks, 128-byte direct blocks, 16-bit offsets)
    /// whose root indirect block has 4 rows; row 3 holds child indirect blocks of 2 rows.
    /// The object "hello" lives at heap offset 916, in the direct block at heap offset 896
    /// reached through the child indirect block covering [768, 1024).
    fn heap_file() -> Vec<u8> {
        let none = [0xFFu8; 8];
        let mut file = vec![0u8; 700];
        let mut h = b"FRHP\x00".to_vec();
        h.extend_from_slice(&7u16.to_le_bytes()); // heap ID length
        h.extend_from_slice(&0u16.to_le_bytes()); // no I/O filters
        h.push(0); // flags: direct blocks without checksums
        h.extend_from_slice(&128u32.to_le_bytes()); // max managed object size
        h.extend_from_slice(&[0; 8]); // next huge ID
        h.extend_from_slice(&none); // huge object B-tree
        h.extend_from_slice(&[0; 8]); // free space
        h.extend_from_slice(&none); // free space manager
        h.extend_from_slice(&[0; 64]); // 8 statistics
        h.extend_from_slice(&2u16.to_le_bytes()); // table width
        h.extend_from_slice(&64u64.to_le_bytes()); // starting block size
        h.extend_from_slice(&128u64.to_le_bytes()); // max direct block size
        h.extend_from_slice(&16u16.to_le_bytes()); // max heap size (bits)
        h.extend_from_slice(&1u16.to_le_bytes()); // starting rows
        h.extend_from_slice(&200u64.to_le_bytes()); // root block
        h.extend_from_slice(&4u16.to_le_bytes()); // rows in the root indirect block
        put(&mut file, 0, &with_checksum(h));
        // Root indirect block: 3 direct rows (6 entries) then 1 indirect row (2 entries).
        let mut root = b"FHIB\x00".to_vec();
        root.extend_from_slice(&0u64.to_le_bytes());
        root.extend_from_slice(&0u16.to_le_bytes());
        for _ in 0..6 {
            root.extend_from_slice(&none);
        }
        root.extend_from_slice(&none);
        root.extend_from_slice(&400u64.to_le_bytes());
        put(&mut file, 200, &with_checksum(root));
        // Child indirect block at heap offset 768: 2 rows of 2 direct blocks of 64 bytes.
        let mut child = b"FHIB\x00".to_vec();
        child.extend_from_slice(&0u64.to_le_bytes());
        child.extend_from_slice(&768u16.to_le_bytes());
        for entry in 0..4 {
            if entry == 2 {
                child.extend_from_slice(&600u64.to_le_bytes());
            } else {
                child.extend_from_slice(&none);
            }
        }
        put(&mut file, 400, &with_checksum(child));
        // Direct block at heap offset 896.
        let mut direct = b"FHDB\x00".to_vec();
        direct.extend_from_slice(&0u64.to_le_bytes());
        direct.extend_from_slice(&896u16.to_le_bytes());
        put(&mut file, 600, &direct);
        put(&mut file, 620, b"hello");
        file
    }

    #[test]
    fn resolves_objects_through_nested_indirect_blocks() {
        let cache = ByteCache::from_bytes(heap_file());
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let src = Source::new(&cache, geo);
        let header = read_header(&src, 0).ok().unwrap();
        // Managed ID: type 0, 2-byte offset 916, 1-byte length 5.
        let id = [0u8, 0x94, 0x03, 5, 0, 0, 0];
        assert_eq!(read_object(&src, &header, &id).ok().unwrap(), b"hello");
        // Offsets in unallocated blocks are corrupt, not a panic.
        let id = [0u8, 0x10, 0x00, 5, 0, 0, 0];
        assert!(matches!(
            read_object(&src, &header, &id),
            Err(Stop::Fail(_))
        ));
        // Tiny objects live in the ID itself.
        let tiny = [0x20u8 | 2, b'a', b'b', b'c', 0, 0, 0];
        assert_eq!(read_object(&src, &header, &tiny).ok().unwrap(), b"abc");
    }
}
