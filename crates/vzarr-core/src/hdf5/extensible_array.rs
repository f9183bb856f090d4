//! Extensible array chunk index ("EAHD" header, "EAIB" index block, "EASB" super blocks,
//! "EADB" data blocks, optional pages): layout v4 datasets with exactly one unlimited
//! dimension.
//!
//! Element i of the array describes linear chunk i. The first `index_elements` live in the
//! index block; the rest are grouped in super blocks s = 0, 1, ... of `2^floor(s/2)` data
//! blocks holding `2^ceil(s/2) · min_elements` entries each. Data blocks of the first
//! `2·log2(min_pointers)` super blocks are listed in the index block itself; later super
//! blocks are separate structures. Only blocks whose first element lies below the number
//! of chunks in the current extent are read.

use super::checksum;
use super::fixed_array::check_entry_size;
use super::io::{log2_floor, Cursor, Source};
use crate::sansio::{Step, Stop};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SuperInfo {
    data_blocks: u64,
    block_elements: u64,
    /// First element (after the index block's) covered by this super block.
    start: u64,
    /// Number of data blocks in all earlier super blocks.
    start_block: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    addr: u64,
    pub filtered: bool,
    pub entry_size: usize,
    index_elements: u64,
    page_elements: u64,
    /// One past the largest index ever set (from the header's statistics).
    pub max_index_set: u64,
    pub index_block: Option<u64>,
    offset_size: usize,
    supers: Vec<SuperInfo>,
    /// Super blocks whose data blocks the index block lists directly.
    direct_supers: usize,
    direct_block_addrs: usize,
    super_addrs: usize,
}

/// A block still to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Super {
        addr: u64,
        index: usize,
    },
    Data {
        addr: u64,
        /// Global element index of the block's first entry.
        first: u64,
        elements: u64,
        /// For a paged block listed in a super block: which of its pages were ever
        /// written (the others are zero bytes). `None` = all pages present.
        pages: Option<Vec<bool>>,
    },
}

pub fn read_header(src: &Source, addr: u64) -> Step<Header> {
    let geo = src.geo;
    let len = 16 + 6 * geo.l as u64 + geo.o as u64;
    let bytes = src.read(addr, len)?;
    let mut c = Cursor::new(bytes, geo, addr, "extensible array header");
    c.expect_signature(b"EAHD")?;
    checksum::verify(
        bytes,
        "extensible array header",
        geo.base.wrapping_add(addr),
    )?;
    let version = c.u8()?;
    if version != 0 {
        return Err(Stop::Fail(c.error(format!(
            "extensible array version {} is not supported",
            version
        ))));
    }
    let client = c.u8()?;
    let entry_size = c.u8()? as usize;
    let max_bits = c.u8()?;
    let index_elements = u64::from(c.u8()?);
    let min_elements = u64::from(c.u8()?);
    let min_pointers = u64::from(c.u8()?);
    let page_bits = c.u8()?;
    c.skip(4 * geo.l)?;
    let max_index_set = c.len_field("max index set")?;
    c.skip(geo.l)?;
    let index_block = c.addr()?;
    let plausible = client <= 1
        && (1..=64).contains(&max_bits)
        && min_elements.is_power_of_two()
        && min_pointers.is_power_of_two()
        && page_bits < 32
        && log2_floor(min_elements) <= u32::from(max_bits);
    if !plausible {
        return Err(Stop::Fail(c.error(format!(
            "implausible parameters: client {}, max bits {}, min elements {}, min pointers {}, \
             page bits {}",
            client, max_bits, min_elements, min_pointers, page_bits
        ))));
    }
    check_entry_size(&c, entry_size, client == 1)?;
    let count = 1 + usize::from(max_bits) - log2_floor(min_elements) as usize;
    let mut supers = Vec::with_capacity(count);
    let (mut start, mut start_block) = (0u64, 0u64);
    for s in 0..count {
        let data_blocks = 1u64 << (s / 2);
        let block_elements = (1u64 << s.div_ceil(2)).saturating_mul(min_elements);
        supers.push(SuperInfo {
            data_blocks,
            block_elements,
            start,
            start_block,
        });
        start = start.saturating_add(data_blocks.saturating_mul(block_elements));
        start_block = start_block.saturating_add(data_blocks);
    }
    let direct_supers = (2 * log2_floor(min_pointers) as usize).min(count);
    Ok(Header {
        addr,
        filtered: client == 1,
        entry_size,
        index_elements,
        page_elements: 1u64 << page_bits,
        max_index_set,
        index_block,
        offset_size: usize::from(max_bits).div_ceil(8),
        supers,
        direct_supers,
        direct_block_addrs: 2 * (min_pointers as usize - 1),
        super_addrs: count - direct_supers,
    })
}

impl Header {
    fn pages_of(&self, elements: u64) -> u64 {
        if elements > self.page_elements {
            elements / self.page_elements
        } else {
            0
        }
    }

    fn data_block(&self, s: usize, j: u64, addr: u64, pages: Option<Vec<bool>>) -> Block {
        let info = self.supers[s];
        Block::Data {
            addr,
            first: self
                .index_elements
                .saturating_add(info.start)
                .saturating_add(j.saturating_mul(info.block_elements)),
            elements: info.block_elements,
            pages,
        }
    }

    /// Global index of the first element of super block `s`.
    fn super_first(&self, s: usize) -> u64 {
        self.index_elements.saturating_add(self.supers[s].start)
    }
}

/// Reads the index block: hands its inline entries to `f` (as one run, see
/// [`read_data_block`]) and returns the blocks to read next (only those starting below
/// `limit`).
pub fn read_index_block(
    src: &Source,
    header: &Header,
    limit: u64,
    mut f: impl FnMut(u64, &[u8]),
) -> Step<Vec<Block>> {
    let addr = match header.index_block {
        Some(a) => a,
        None => return Ok(Vec::new()),
    };
    let geo = src.geo;
    let o = geo.o as u64;
    let esize = header.entry_size as u64;
    let len = 6
        + o
        + header.index_elements * esize
        + (header.direct_block_addrs + header.super_addrs) as u64 * o
        + 4;
    let bytes = src.read(addr, len)?;
    let mut c = Cursor::new(bytes, geo, addr, "extensible array index block");
    c.expect_signature(b"EAIB")?;
    checksum::verify(
        bytes,
        "extensible array index block",
        geo.base.wrapping_add(addr),
    )?;
    c.skip(2)?;
    check_owner(&mut c, header)?;
    let inline_len = header.index_elements.saturating_mul(esize) as usize;
    f(0, c.bytes(inline_len)?);
    let mut blocks = Vec::new();
    let mut s = 0usize;
    let mut j = 0u64;
    for _ in 0..header.direct_block_addrs {
        while s < header.direct_supers && j >= header.supers[s].data_blocks {
            s += 1;
            j = 0;
        }
        let a = c.addr()?;
        if s < header.direct_supers {
            if let Some(a) = a {
                let block = header.data_block(s, j, a, None);
                if let Block::Data { first, .. } = &block {
                    if *first < limit {
                        blocks.push(block);
                    }
                }
            }
        }
        j += 1;
    }
    for k in 0..header.super_addrs {
        let index = header.direct_supers + k;
        let a = c.addr()?;
        if let Some(a) = a {
            if header.super_first(index) < limit {
                blocks.push(Block::Super { addr: a, index });
            }
        }
    }
    Ok(blocks)
}

fn check_owner(c: &mut Cursor, header: &Header) -> Step<()> {
    let owner = c.addr()?;
    if owner != Some(header.addr) {
        return Err(Stop::Fail(c.error(format!(
            "block belongs to array header {:?}, not {:#x}",
            owner, header.addr
        ))));
    }
    Ok(())
}

/// Reads super block `index` and returns its data blocks that start below `limit`.
pub fn read_super_block(
    src: &Source,
    header: &Header,
    addr: u64,
    index: usize,
    limit: u64,
) -> Step<Vec<Block>> {
    let info = header.supers[index];
    let geo = src.geo;
    let o = geo.o as u64;
    let pages = header.pages_of(info.block_elements);
    let bitmap_per_block = pages.div_ceil(8);
    let bitmap_len = if pages > 0 {
        info.data_blocks.saturating_mul(bitmap_per_block)
    } else {
        0
    };
    let len = info
        .data_blocks
        .saturating_mul(o)
        .saturating_add(6 + o + header.offset_size as u64 + 4)
        .saturating_add(bitmap_len);
    let bytes = src.read(addr, len)?;
    let mut c = Cursor::new(bytes, geo, addr, "extensible array super block");
    c.expect_signature(b"EASB")?;
    checksum::verify(
        bytes,
        "extensible array super block",
        geo.base.wrapping_add(addr),
    )?;
    c.skip(2)?;
    check_owner(&mut c, header)?;
    c.skip(header.offset_size)?;
    let bitmap = c.bytes(bitmap_len as usize)?;
    let mut blocks = Vec::new();
    for j in 0..info.data_blocks {
        let a = c.addr()?;
        let a = match a {
            Some(a) => a,
            None => continue,
        };
        let page_bits = if pages > 0 {
            // One MSB-first bit array across the super block: bit j * pages + p.
            let bits = (0..pages)
                .map(|p| {
                    let bit = j * pages + p;
                    let byte = bitmap.get((bit / 8) as usize).copied().unwrap_or(0);
                    byte & (0x80 >> (bit % 8)) != 0
                })
                .collect();
            Some(bits)
        } else {
            None
        };
        let block = header.data_block(index, j, a, page_bits);
        if let Block::Data { first, .. } = &block {
            if *first < limit {
                blocks.push(block);
            }
        }
    }
    Ok(blocks)
}

/// Reads a data block and hands each run of entries (the whole block, or each present page)
/// to `f` with the global element index of its first entry; see the fixed array's
/// `read_data_block` for why runs.
pub fn read_data_block(
    src: &Source,
    header: &Header,
    addr: u64,
    first: u64,
    elements: u64,
    page_bits: Option<&[bool]>,
    mut f: impl FnMut(u64, &[u8]),
) -> Step<()> {
    let geo = src.geo;
    let esize = header.entry_size as u64;
    let prefix = 6 + geo.o as u64 + header.offset_size as u64;
    let pages = header.pages_of(elements);
    let total = if pages > 0 {
        pages
            .saturating_mul(header.page_elements * esize + 4)
            .saturating_add(prefix + 4)
    } else {
        elements.saturating_mul(esize).saturating_add(prefix + 4)
    };
    let bytes = src.read(addr, total)?;
    let mut c = Cursor::new(bytes, geo, addr, "extensible array data block");
    c.expect_signature(b"EADB")?;
    c.skip(2)?;
    check_owner(&mut c, header)?;
    let position = geo.base.wrapping_add(addr);
    if pages == 0 {
        checksum::verify(bytes, "extensible array data block", position)?;
        f(
            first,
            &bytes[prefix as usize..(prefix + elements * esize) as usize],
        );
        return Ok(());
    }
    checksum::verify(
        &bytes[..prefix as usize + 4],
        "extensible array data block",
        position,
    )?;
    let page_len = (header.page_elements * esize) as usize;
    let mut at = prefix as usize + 4;
    for p in 0..pages {
        let present = match page_bits {
            None => true,
            Some(bits) => bits.get(p as usize).copied().unwrap_or(false),
        };
        let page = &bytes[at..at + page_len + 4];
        if present {
            checksum::verify(page, "extensible array page", position + at as u64)?;
            f(first + p * header.page_elements, &page[..page_len]);
        }
        at += page_len + 4;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(min_elements: u64, min_pointers: u64, max_bits: usize) -> Header {
        let count = 1 + max_bits - log2_floor(min_elements) as usize;
        let mut supers = Vec::new();
        let (mut start, mut start_block) = (0, 0);
        for s in 0..count {
            let data_blocks = 1u64 << (s / 2);
            let block_elements = (1u64 << s.div_ceil(2)) * min_elements;
            supers.push(SuperInfo {
                data_blocks,
                block_elements,
                start,
                start_block,
            });
            start += data_blocks * block_elements;
            start_block += data_blocks;
        }
        let direct_supers = 2 * log2_floor(min_pointers) as usize;
        Header {
            addr: 0,
            filtered: false,
            entry_size: 8,
            index_elements: 4,
            page_elements: 1024,
            max_index_set: 0,
            index_block: None,
            offset_size: 4,
            supers,
            direct_supers,
            direct_block_addrs: 2 * (min_pointers as usize - 1),
            super_addrs: count - direct_supers,
        }
    }

    #[test]
    fn lays_out_super_blocks_like_hdf5() {
        // HDF5 defaults: 16 min elements, 4 min pointers, 32 bits.
        let h = header(16, 4, 32);
        assert_eq!(h.supers.len(), 29);
        let sizes: Vec<(u64, u64)> = h.supers[..5]
            .iter()
            .map(|s| (s.data_blocks, s.block_elements))
            .collect();
        assert_eq!(sizes, vec![(1, 16), (1, 32), (2, 32), (2, 64), (4, 64)]);
        // The index block lists the data blocks of super blocks 0..4: 1 + 1 + 2 + 2 = 6.
        assert_eq!(h.direct_supers, 4);
        assert_eq!(h.direct_block_addrs, 6);
        assert_eq!(h.super_first(4), 4 + 16 + 32 + 64 + 128);
        match h.data_block(3, 1, 99, None) {
            Block::Data {
                first, elements, ..
            } => {
                assert_eq!((first, elements), (4 + 16 + 32 + 64 + 64, 64))
            }
            _ => unreachable!(),
        }
    }
}
