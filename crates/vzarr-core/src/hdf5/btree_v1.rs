//! Version-1 B-trees ("TREE"): node type 0 indexes a group's symbol table nodes, node type 1
//! indexes the chunks of a dataset (layout v1–v3, and everything netCDF-C writes).
//!
//! Nodes are read one level at a time by the scanner's tasks; this module parses one node.
//! A node's exact size is only known after its 8 + 2·O byte header, so the first request asks
//! for a full node of 2K entries (nodes are allocated at full size) as read-ahead.

use super::io::{Cursor, Source};
use crate::error::Error;
use crate::sansio::{Step, Stop};

pub const GROUP_NODE: u8 = 0;
pub const CHUNK_NODE: u8 = 1;

/// Levels deeper than this come from corrupt or cyclic trees.
pub const MAX_LEVEL: u8 = 64;

pub struct Node<'a> {
    pub level: u8,
    pub entries: usize,
    /// The keys and children, starting right after the header.
    pub body: Cursor<'a>,
}

fn header_len(o: usize) -> u64 {
    8 + 2 * o as u64
}

/// Size of a node with `entries` children: header, then key/child pairs and a final key.
pub fn node_len(o: usize, key_len: usize, entries: usize) -> u64 {
    header_len(o) + (entries as u64) * (key_len + o) as u64 + key_len as u64
}

/// Reads the node at `addr`. `max_entries` (2K) sizes the read-ahead.
pub fn read_node<'a>(
    src: &Source<'a>,
    addr: u64,
    node_type: u8,
    key_len: usize,
    max_entries: usize,
) -> Step<Node<'a>> {
    let o = src.geo.o;
    let head = src.read_ahead(addr, header_len(o), node_len(o, key_len, max_entries))?;
    let mut c = Cursor::new(head, src.geo, addr, "v1 B-tree node");
    c.expect_signature(b"TREE")?;
    let found_type = c.u8()?;
    if found_type != node_type {
        return Err(Stop::Fail(c.error(format!(
            "expected a B-tree node of type {}, found type {}",
            node_type, found_type
        ))));
    }
    let level = c.u8()?;
    if level > MAX_LEVEL {
        return Err(Stop::Fail(
            c.error(format!("node level {} is too deep", level)),
        ));
    }
    let entries = c.u16()? as usize;
    let len = node_len(o, key_len, entries);
    let bytes = src.read(addr, len)?;
    let mut body = Cursor::new(bytes, src.geo, addr, "v1 B-tree node");
    body.seek(header_len(o) as usize)?;
    Ok(Node {
        level,
        entries,
        body,
    })
}

/// Children of a group node: B-tree nodes (level > 0) or symbol table nodes (level 0).
pub fn group_children(node: &mut Node) -> Step<Vec<u64>> {
    let l = node.body.geo().l;
    let mut out = Vec::with_capacity(node.entries);
    for _ in 0..node.entries {
        node.body.skip(l)?;
        out.push(node.body.defined_addr("B-tree child")?);
    }
    Ok(out)
}

/// Bytes of a chunk key: size, filter mask and rank + 1 offsets.
pub fn chunk_key_len(rank: usize) -> usize {
    8 + 8 * (rank + 1)
}

/// One leaf entry of a chunk B-tree.
pub struct ChunkEntry<'k> {
    pub stored_size: u32,
    pub filter_mask: u32,
    /// Element offsets of the chunk's first element, one per dataset dimension.
    pub offsets: &'k [u64],
    pub addr: u64,
}

/// Walks a chunk node: for an internal node, hands child node addresses to `child`; for a
/// leaf, hands every chunk to `chunk`. No allocation per entry.
pub fn for_each_chunk(
    node: &mut Node,
    rank: usize,
    mut child: impl FnMut(u64),
    mut chunk: impl FnMut(&ChunkEntry) -> Result<(), Error>,
) -> Step<()> {
    if rank > 32 {
        return Err(Stop::Fail(node.body.error("chunk rank exceeds 32")));
    }
    let mut offsets = [0u64; 33];
    let leaf = node.level == 0;
    for _ in 0..node.entries {
        let stored_size = node.body.u32()?;
        let filter_mask = node.body.u32()?;
        for slot in offsets.iter_mut().take(rank + 1) {
            *slot = node.body.u64()?;
        }
        let addr = node.body.defined_addr("chunk")?;
        if leaf {
            chunk(&ChunkEntry {
                stored_size,
                filter_mask,
                offsets: &offsets[..rank],
                addr,
            })?;
        } else {
            child(addr);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;
    use crate::sansio::ByteCache;

    fn leaf(rank: usize) -> Vec<u8> {
        let mut b = b"TREE".to_vec();
        b.extend_from_slice(&[CHUNK_NODE, 0, 2, 0]);
        b.extend_from_slice(&[0xFF; 16]);
        for (i, addr) in [(0u64, 1000u64), (10, 2000)] {
            b.extend_from_slice(&40u32.to_le_bytes());
            b.extend_from_slice(&0u32.to_le_bytes());
            b.extend_from_slice(&i.to_le_bytes());
            for _ in 0..rank {
                b.extend_from_slice(&0u64.to_le_bytes());
            }
            b.extend_from_slice(&addr.to_le_bytes());
        }
        b.extend_from_slice(&[0; 24]);
        b
    }

    #[test]
    fn walks_a_chunk_leaf() {
        let cache = ByteCache::from_bytes(leaf(1));
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let src = Source::new(&cache, geo);
        let mut node = read_node(&src, 0, CHUNK_NODE, chunk_key_len(1), 64)
            .ok()
            .unwrap();
        let mut seen = Vec::new();
        for_each_chunk(
            &mut node,
            1,
            |_| {},
            |e| {
                seen.push((e.offsets[0], e.addr, e.stored_size));
                Ok(())
            },
        )
        .ok()
        .unwrap();
        assert_eq!(seen, vec![(0, 1000, 40), (10, 2000, 40)]);
    }
}
