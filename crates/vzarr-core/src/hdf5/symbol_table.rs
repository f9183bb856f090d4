//! Old-style groups: a local heap ("HEAP") holding link names and symbol table nodes
//! ("SNOD") listing the members, found through a v1 B-tree of node type 0.

use super::io::{Cursor, Source};
use super::links::LinkTarget;
use crate::error::Error;
use crate::sansio::{Step, Stop};

/// A local heap's data segment larger than this comes from a corrupt size field.
const MAX_HEAP_DATA: u64 = 64 << 20;

/// The data segment of a local heap: where link names are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalHeap {
    pub data_addr: u64,
    pub data_len: u64,
}

pub fn read_local_heap(src: &Source, addr: u64) -> Step<LocalHeap> {
    let geo = src.geo;
    let len = 8 + 2 * geo.l as u64 + geo.o as u64;
    let mut c = src.cursor(addr, len, "local heap")?;
    c.expect_signature(b"HEAP")?;
    let version = c.u8()?;
    if version != 0 {
        return Err(Stop::Fail(
            c.error(format!("local heap version {} is not supported", version)),
        ));
    }
    c.skip(3)?;
    let data_len = c.len_field("local heap size")?;
    let _free_list = c.length()?;
    let data_addr = c.defined_addr("local heap data")?;
    if data_len > MAX_HEAP_DATA {
        return Err(Stop::Fail(c.error(format!(
            "local heap data segment of {} bytes exceeds the limit",
            data_len
        ))));
    }
    Ok(LocalHeap {
        data_addr,
        data_len,
    })
}

/// One member of an old-style group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub target: LinkTarget,
}

/// Bytes of one symbol table entry.
fn entry_len(o: usize) -> usize {
    2 * o + 24
}

/// Reads a symbol table node and resolves its names in `heap`. `max_entries` (2K) sizes the
/// read-ahead.
pub fn read_symbol_node(
    src: &Source,
    addr: u64,
    heap: &LocalHeap,
    max_entries: usize,
) -> Step<Vec<Entry>> {
    let o = src.geo.o;
    let hint = 8 + (max_entries * entry_len(o)) as u64;
    let head = src.read_ahead(addr, 8, hint)?;
    let mut c = Cursor::new(head, src.geo, addr, "symbol table node");
    c.expect_signature(b"SNOD")?;
    let version = c.u8()?;
    if version != 1 {
        return Err(Stop::Fail(c.error(format!(
            "symbol table node version {} is not supported",
            version
        ))));
    }
    c.skip(1)?;
    let count = c.u16()? as usize;
    let mut c = src.cursor(addr, 8 + (count * entry_len(o)) as u64, "symbol table node")?;
    c.seek(8)?;
    let names = src.read(heap.data_addr, heap.data_len)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let name_offset = c.addr()?.unwrap_or(u64::MAX);
        let object = c.addr()?;
        let cache_type = c.u32()?;
        c.skip(4)?;
        // Cache type 2 is a soft link: the scratch pad holds the offset of its target path in
        // the local heap, and the object header address is undefined.
        let link_value = c.u32()?;
        c.skip(12)?;
        let heap_string = |offset: u64| {
            usize::try_from(offset)
                .ok()
                .and_then(|at| names.get(at..))
                .and_then(|rest| rest.iter().position(|&b| b == 0).map(|end| &rest[..end]))
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .ok_or_else(|| {
                    Stop::Fail(
                        Error::corrupt(format!(
                            "a link name offset {} lies outside the local heap of {} bytes",
                            offset, heap.data_len
                        ))
                        .at_offset(src.geo.base.wrapping_add(addr)),
                    )
                })
        };
        let target = match object {
            _ if cache_type == 2 => LinkTarget::Soft(heap_string(u64::from(link_value))?),
            Some(a) => LinkTarget::Hard(a),
            None => continue,
        };
        out.push(Entry {
            name: heap_string(name_offset)?,
            target,
        });
    }
    Ok(out)
}
