//! Version-2 B-trees ("BTHD" header, "BTIN" internal and "BTLF" leaf nodes). They index dense
//! links (record type 5), dense attributes (type 8) and the chunks of datasets with two or
//! more unlimited dimensions (types 10 and 11). Internal nodes hold records too.

use super::checksum;
use super::io::{bytes_needed, le_uint, Cursor, Source};
use crate::error::Error;
use crate::sansio::{Step, Stop};

/// Trees deeper than this come from corrupt headers.
const MAX_DEPTH: u16 = 32;
/// Nodes larger than this come from corrupt headers (HDF5 uses 512 B to a few KiB).
const MAX_NODE_SIZE: u32 = 16 << 20;
/// Signature, version, type and checksum of every node.
const NODE_OVERHEAD: u64 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub record_type: u8,
    pub node_size: u32,
    pub record_size: usize,
    pub depth: u16,
    /// The root node, `None` for an empty tree.
    pub root: Option<NodeRef>,
    /// Per depth: the most records a node can hold and the widths of the child pointer
    /// fields of nodes one level up.
    max_records: Vec<u64>,
    count_width: Vec<usize>,
    total_width: Vec<usize>,
}

/// A node to read: where it is, how many records it holds and its depth (0 = leaf).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeRef {
    pub addr: u64,
    pub records: u64,
    pub depth: u16,
}

pub fn read_header(src: &Source, addr: u64, expected_type: &[u8]) -> Step<Header> {
    let geo = src.geo;
    let len = 22 + geo.o as u64 + geo.l as u64;
    let bytes = src.read(addr, len)?;
    let mut c = Cursor::new(bytes, geo, addr, "v2 B-tree header");
    c.expect_signature(b"BTHD")?;
    checksum::verify(bytes, "v2 B-tree header", geo.base.wrapping_add(addr))?;
    let version = c.u8()?;
    if version != 0 {
        return Err(Stop::Fail(
            c.error(format!("v2 B-tree version {} is not supported", version)),
        ));
    }
    let record_type = c.u8()?;
    if !expected_type.contains(&record_type) {
        return Err(Stop::Fail(c.error(format!(
            "expected a v2 B-tree of record type {:?}, found type {}",
            expected_type, record_type
        ))));
    }
    let node_size = c.u32()?;
    let record_size = c.u16()? as usize;
    let depth = c.u16()?;
    let _split = c.u8()?;
    let _merge = c.u8()?;
    let root_addr = c.addr()?;
    let root_records = u64::from(c.u16()?);
    let _total = c.length()?;
    if depth > MAX_DEPTH || node_size > MAX_NODE_SIZE || record_size == 0 {
        return Err(Stop::Fail(c.error(format!(
            "implausible tree: depth {}, node size {}, record size {}",
            depth, node_size, record_size
        ))));
    }
    if u64::from(node_size) < NODE_OVERHEAD + record_size as u64 {
        return Err(Stop::Fail(c.error(format!(
            "node size {} cannot hold a record of {} bytes",
            node_size, record_size
        ))));
    }
    let (max_records, count_width, total_width) = capacities(
        u64::from(node_size),
        record_size as u64,
        depth,
        geo.o as u64,
    );
    let root = match root_addr {
        Some(addr) if root_records > 0 || depth > 0 => Some(NodeRef {
            addr,
            records: root_records,
            depth,
        }),
        _ => None,
    };
    Ok(Header {
        record_type,
        node_size,
        record_size,
        depth,
        root,
        max_records,
        count_width,
        total_width,
    })
}

/// The capacity recurrence of HDF5's `H5B2__hdr_init`: records per node at each depth, and
/// the widths of the "records in child" and "total records below child" pointer fields.
#[allow(clippy::type_complexity)]
fn capacities(node: u64, record: u64, depth: u16, o: u64) -> (Vec<u64>, Vec<usize>, Vec<usize>) {
    let levels = depth as usize + 1;
    let mut max = vec![0u64; levels];
    let mut cumulative = vec![0u64; levels];
    let mut count_width = vec![0usize; levels];
    let mut total_width = vec![0usize; levels];
    max[0] = (node - NODE_OVERHEAD) / record;
    cumulative[0] = max[0];
    count_width[0] = bytes_needed(max[0]);
    for d in 1..levels {
        let pointer =
            o + count_width[d - 1] as u64 + if d > 1 { total_width[d - 1] as u64 } else { 0 };
        max[d] = node.saturating_sub(NODE_OVERHEAD + pointer) / (record + pointer);
        cumulative[d] = (max[d] + 1)
            .saturating_mul(cumulative[d - 1])
            .saturating_add(max[d]);
        count_width[d] = bytes_needed(max[d]);
        total_width[d] = bytes_needed(cumulative[d]);
    }
    // total_width[0] is never used: depth-1 pointers carry no totals.
    (max, count_width, total_width)
}

impl Header {
    fn pointer_len(&self, depth: u16, o: usize) -> usize {
        let d = depth as usize;
        o + self.count_width[d - 1] + if d > 1 { self.total_width[d - 1] } else { 0 }
    }

    /// Bytes of a node holding `records` records at `depth`, checksum included.
    fn node_len(&self, node: &NodeRef, o: usize) -> u64 {
        let records = node.records * self.record_size as u64;
        let pointers = if node.depth > 0 {
            (node.records + 1) * self.pointer_len(node.depth, o) as u64
        } else {
            0
        };
        6 + records + pointers + 4
    }
}

/// Reads a node and hands each record to `record`; child pointers of an internal node go to
/// `children`.
pub fn read_node(
    src: &Source,
    header: &Header,
    node: &NodeRef,
    mut record: impl FnMut(&[u8]) -> Result<(), Error>,
    children: &mut Vec<NodeRef>,
) -> Step<()> {
    let records = read_node_records(src, header, node, children)?;
    for r in records.chunks_exact(header.record_size) {
        record(r)?;
    }
    Ok(())
}

/// Reads a node: returns its records as one run (`node.records` records of
/// `header.record_size` bytes, checksum verified) and adds an internal node's child
/// pointers to `children`. For callers that decode millions of records in a loop of their
/// own (chunk indexes), instead of a call per record.
pub fn read_node_records<'a>(
    src: &Source<'a>,
    header: &Header,
    node: &NodeRef,
    children: &mut Vec<NodeRef>,
) -> Step<&'a [u8]> {
    let o = src.geo.o;
    let capacity = header
        .max_records
        .get(node.depth as usize)
        .copied()
        .unwrap_or(0);
    if node.depth > header.depth || node.records > capacity {
        return Err(Stop::Fail(
            Error::corrupt(format!(
                "v2 B-tree node at depth {} claims {} records (capacity {})",
                node.depth, node.records, capacity
            ))
            .at_offset(src.geo.base.wrapping_add(node.addr)),
        ));
    }
    let len = header.node_len(node, o);
    let bytes = src.read(node.addr, len)?;
    let mut c = Cursor::new(bytes, src.geo, node.addr, "v2 B-tree node");
    let signature = if node.depth == 0 { b"BTLF" } else { b"BTIN" };
    c.expect_signature(signature)?;
    checksum::verify(
        bytes,
        "v2 B-tree node",
        src.geo.base.wrapping_add(node.addr),
    )?;
    let _version = c.u8()?;
    let record_type = c.u8()?;
    if record_type != header.record_type {
        return Err(Stop::Fail(c.error(format!(
            "node record type {} differs from its tree's type {}",
            record_type, header.record_type
        ))));
    }
    let records_len = (node.records as usize)
        .checked_mul(header.record_size)
        .ok_or_else(|| c.error("the node's records overflow"))?;
    let records = c.bytes(records_len)?;
    if node.depth > 0 {
        let d = node.depth as usize;
        let count_width = header.count_width[d - 1];
        let total_width = if d > 1 { header.total_width[d - 1] } else { 0 };
        for _ in 0..=node.records {
            let addr = c.defined_addr("v2 B-tree child")?;
            let records = le_uint(c.bytes(count_width)?);
            c.skip(total_width)?;
            children.push(NodeRef {
                addr,
                records,
                depth: node.depth - 1,
            });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_capacities_like_hdf5() {
        // Node size 512, 16-byte records (link name index), O = 8, depth 2.
        let (max, count, total) = capacities(512, 11, 2, 8);
        assert_eq!(max[0], 45);
        assert_eq!(count[0], 1);
        // Depth 1 pointer: 8 + 1 bytes.
        assert_eq!(max[1], (512 - 10 - 9) / (11 + 9));
        assert_eq!(total[1], bytes_needed((max[1] + 1) * 45 + max[1]));
    }
}
