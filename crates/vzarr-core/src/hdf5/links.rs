//! Messages that describe group membership and dense storage: link (0x06), link info (0x02),
//! symbol table (0x11) and attribute info (0x15).

use super::io::Cursor;
use crate::error::Result;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// An object header address.
    Hard(u64),
    /// A path inside the same file, absolute or relative to the link's group.
    Soft(String),
    /// A link into another file (not followed).
    External,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub name: String,
    pub creation_order: Option<u64>,
    pub target: LinkTarget,
}

pub fn parse_link(c: &mut Cursor) -> Result<Link> {
    let version = c.u8()?;
    if version != 1 {
        return Err(c.error(format!("link message version {} is not supported", version)));
    }
    let flags = c.u8()?;
    let link_type = if flags & 0x08 != 0 { c.u8()? } else { 0 };
    let creation_order = if flags & 0x04 != 0 {
        Some(c.u64()?)
    } else {
        None
    };
    if flags & 0x10 != 0 {
        let _charset = c.u8()?;
    }
    let name_len = c.uint(1 << (flags & 3))?;
    if name_len == 0 || name_len > c.remaining() as u64 {
        return Err(c.error(format!("link name length {} is invalid", name_len)));
    }
    let name = String::from_utf8_lossy(c.bytes(name_len as usize)?).into_owned();
    let target = match link_type {
        0 => LinkTarget::Hard(c.defined_addr("hard link target")?),
        1 => {
            let len = c.u16()?;
            LinkTarget::Soft(String::from_utf8_lossy(c.bytes(usize::from(len))?).into_owned())
        }
        _ => LinkTarget::External,
    };
    Ok(Link {
        name,
        creation_order,
        target,
    })
}

/// Where a new-style group keeps links that do not fit in its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DenseStorage {
    /// Fractal heap holding the link (or attribute) messages.
    pub heap: u64,
    /// B-tree v2 indexing them by name hash.
    pub name_index: u64,
}

/// Link info: `Some` when the links are stored densely.
pub fn parse_link_info(c: &mut Cursor) -> Result<Option<DenseStorage>> {
    let version = c.u8()?;
    if version != 0 {
        return Err(c.error(format!("link info version {} is not supported", version)));
    }
    let flags = c.u8()?;
    if flags & 1 != 0 {
        let _max_creation_index = c.u64()?;
    }
    dense(c)
}

/// Attribute info: `Some` when attributes are stored densely.
pub fn parse_attribute_info(c: &mut Cursor) -> Result<Option<DenseStorage>> {
    let version = c.u8()?;
    if version != 0 {
        return Err(c.error(format!(
            "attribute info version {} is not supported",
            version
        )));
    }
    let flags = c.u8()?;
    if flags & 1 != 0 {
        let _max_creation_index = c.u16()?;
    }
    dense(c)
}

fn dense(c: &mut Cursor) -> Result<Option<DenseStorage>> {
    let heap = c.addr()?;
    let name_index = c.addr()?;
    match (heap, name_index) {
        (Some(heap), Some(name_index)) => Ok(Some(DenseStorage { heap, name_index })),
        _ => Ok(None),
    }
}

/// Symbol table message: the group's v1 B-tree and local heap.
pub fn parse_symbol_table(c: &mut Cursor) -> Result<(u64, u64)> {
    let btree = c.defined_addr("symbol table B-tree")?;
    let heap = c.defined_addr("symbol table local heap")?;
    Ok((btree, heap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;

    #[test]
    fn parses_hard_and_soft_links() {
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        // Version 1, flags: creation order present, 1-byte name length.
        let mut hard = vec![1u8, 0x04];
        hard.extend_from_slice(&7u64.to_le_bytes());
        hard.push(3);
        hard.extend_from_slice(b"abc");
        hard.extend_from_slice(&0x1234u64.to_le_bytes());
        let link = parse_link(&mut Cursor::new(&hard, geo, 0, "t")).unwrap();
        assert_eq!(link.name, "abc");
        assert_eq!(link.creation_order, Some(7));
        assert_eq!(link.target, LinkTarget::Hard(0x1234));
        let soft = [1u8, 0x08, 1, 1, b'x', 2, 0, b'/', b'y'];
        let link = parse_link(&mut Cursor::new(&soft, geo, 0, "t")).unwrap();
        assert_eq!(link.target, LinkTarget::Soft("/y".to_string()));
    }
}
