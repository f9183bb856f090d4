//! Fixed array chunk index ("FAHD" header, "FADB" data block, optional pages): layout v4
//! datasets whose maximum dimensions are all fixed. Entry i describes chunk i in C order of
//! the max-dims chunk grid.

use super::checksum;
use super::io::{le_uint, Cursor, Geometry, Source};
use crate::error::Result;
use crate::sansio::{Step, Stop};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub filtered: bool,
    pub entry_size: usize,
    pub page_bits: u8,
    pub entries: u64,
    pub data_block: Option<u64>,
}

/// One chunk entry: its address (None when unset), stored size when filtered, filter mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub addr: Option<u64>,
    pub size: Option<u64>,
    pub mask: u32,
}

/// Decodes an array entry: an address, plus (filtered) a size of `entry_size - O - 4` bytes
/// and a filter mask. Address 0 or all-ones means "no chunk" (never-written pages are zero).
// Inlined into the per-entry loops of fixed and extensible array blocks: a call per entry
// costs more than the decoding, above all in wasm's baseline tier.
#[inline(always)]
pub fn decode_entry(bytes: &[u8], geo: Geometry, filtered: bool) -> Entry {
    let o = geo.o;
    let raw = le_uint(&bytes[..o]);
    // All bits set is the undefined address; 0 a chunk never written.
    let undefined = u64::MAX >> (64 - 8 * o as u32);
    let addr = Some(raw).filter(|&a| a != undefined && a != 0);
    if !filtered {
        return Entry {
            addr,
            size: None,
            mask: 0,
        };
    }
    let width = bytes.len() - o - 4;
    let size = le_uint(&bytes[o..o + width]);
    let m = &bytes[o + width..];
    Entry {
        addr,
        size: Some(size),
        mask: u32::from_le_bytes([m[0], m[1], m[2], m[3]]),
    }
}

/// Checks an entry size read from a header against the client (filtered or not).
pub fn check_entry_size(c: &Cursor, entry_size: usize, filtered: bool) -> Result<()> {
    let o = c.geo().o;
    let ok = if filtered {
        entry_size > o + 4 && entry_size <= o + 12
    } else {
        entry_size == o
    };
    if ok {
        Ok(())
    } else {
        Err(c.error(format!(
            "entry size {} is invalid for a {} chunk index",
            entry_size,
            if filtered { "filtered" } else { "unfiltered" }
        )))
    }
}

pub fn read_header(src: &Source, addr: u64) -> Step<Header> {
    let geo = src.geo;
    let len = 12 + geo.l as u64 + geo.o as u64;
    let bytes = src.read(addr, len)?;
    let mut c = Cursor::new(bytes, geo, addr, "fixed array header");
    c.expect_signature(b"FAHD")?;
    checksum::verify(bytes, "fixed array header", geo.base.wrapping_add(addr))?;
    let version = c.u8()?;
    if version != 0 {
        return Err(Stop::Fail(c.error(format!(
            "fixed array version {} is not supported",
            version
        ))));
    }
    let client = c.u8()?;
    let entry_size = c.u8()? as usize;
    let page_bits = c.u8()?;
    let entries = c.len_field("fixed array size")?;
    let data_block = c.addr()?;
    if client > 1 || page_bits > 32 {
        return Err(Stop::Fail(c.error(format!(
            "client {} / page bits {} are invalid",
            client, page_bits
        ))));
    }
    check_entry_size(&c, entry_size, client == 1)?;
    Ok(Header {
        filtered: client == 1,
        entry_size,
        page_bits,
        entries,
        data_block,
    })
}

/// Reads the data block (and its pages) and hands each run of consecutive entries to `f`:
/// the index of the run's first entry and its bytes (whole entries, decoded with
/// [`decode_entry`]). Runs, not single entries, so that the per-entry loop lives in one
/// small function the caller owns, called once per page: wasm engines tier a function up
/// between calls, so a loop over a million entries inside one call would stay in baseline
/// code throughout.
pub fn read_data_block(src: &Source, header: &Header, mut f: impl FnMut(u64, &[u8])) -> Step<()> {
    let addr = match header.data_block {
        Some(a) => a,
        None => return Ok(()),
    };
    let geo = src.geo;
    let esize = header.entry_size as u64;
    let prefix = 6 + geo.o as u64;
    let page_len = 1u64 << header.page_bits;
    let paged = header.entries > page_len;
    // Entry counts come from the file: saturate, so a forged count fails the read (beyond
    // the file or the read limit) instead of overflowing.
    let total = if paged {
        let pages = header.entries / page_len + u64::from(!header.entries.is_multiple_of(page_len));
        let bitmap = pages.div_ceil(8);
        let last = header.entries - (pages - 1) * page_len;
        (pages - 1)
            .saturating_mul(page_len * esize + 4)
            .saturating_add(prefix + bitmap + 4)
            .saturating_add(last * esize + 4)
    } else {
        header
            .entries
            .saturating_mul(esize)
            .saturating_add(prefix + 4)
    };
    let bytes = src.read(addr, total)?;
    let mut c = Cursor::new(bytes, geo, addr, "fixed array data block");
    c.expect_signature(b"FADB")?;
    c.skip(2 + geo.o)?;
    let position = geo.base.wrapping_add(addr);
    if !paged {
        let body_len = (header.entries * esize) as usize;
        let block = bytes
            .get(..prefix as usize + body_len + 4)
            .ok_or_else(|| Stop::Fail(c.error("data block is truncated")))?;
        checksum::verify(block, "fixed array data block", position)?;
        f(0, &bytes[prefix as usize..prefix as usize + body_len]);
        return Ok(());
    }
    let pages = header.entries.div_ceil(page_len);
    let bitmap_len = pages.div_ceil(8) as usize;
    let prefix_block = &bytes[..prefix as usize + bitmap_len + 4];
    checksum::verify(prefix_block, "fixed array data block", position)?;
    let bitmap = &bytes[prefix as usize..prefix as usize + bitmap_len];
    let mut at = prefix_block.len();
    for p in 0..pages {
        let n = if p + 1 == pages {
            header.entries - p * page_len
        } else {
            page_len
        };
        let len = (n * esize) as usize;
        let page = &bytes[at..at + len + 4];
        let initialized = bitmap[(p / 8) as usize] & (0x80 >> (p % 8)) != 0;
        if initialized {
            checksum::verify(page, "fixed array page", position + at as u64)?;
            f(p * page_len, &page[..len]);
        }
        at += len + 4;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_filtered_entries() {
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let mut e = 0x1234u64.to_le_bytes().to_vec();
        e.extend_from_slice(&[0x10, 0x02]); // 2-byte size 0x210
        e.extend_from_slice(&1u32.to_le_bytes());
        let entry = decode_entry(&e, geo, true);
        assert_eq!(entry.addr, Some(0x1234));
        assert_eq!(entry.size, Some(0x210));
        assert_eq!(entry.mask, 1);
        let zero = [0u8; 8];
        assert_eq!(decode_entry(&zero, geo, false).addr, None);
    }
}
