//! The data layout message (0x08, versions 1–5): where a dataset's raw data lives.

use super::io::Cursor;
use crate::error::{Error, Result};

/// The layout message allows 32 dimensions plus the element-size dimension.
const MAX_DIMS: usize = 33;

/// Which structure indexes the chunks of a chunked dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkIndex {
    /// Layout v1–v3: a version-1 B-tree (node type 1).
    BtreeV1,
    /// Exactly one chunk; `filtered` holds its stored size and filter mask when the
    /// dataset has filters.
    Single {
        filtered: Option<(u64, u32)>,
    },
    /// No index: chunk i is at `address + i * chunk_bytes`.
    Implicit,
    FixedArray {
        page_bits: u8,
    },
    ExtensibleArray {
        max_bits: u8,
        index_elements: u8,
        min_pointers: u8,
        min_elements: u8,
        page_bits: u8,
    },
    BtreeV2 {
        node_size: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Raw data stored inside the message.
    Compact {
        data: Vec<u8>,
    },
    /// One block; `size` is absent in layout v1/v2 (computed from the dataspace).
    Contiguous {
        addr: Option<u64>,
        size: Option<u64>,
    },
    Chunked {
        /// Chunk shape (without the trailing element-size dimension).
        chunk: Vec<u64>,
        element_size: u64,
        /// Layout v4 flags: bit 0 = partial edge chunks are stored unfiltered.
        flags: u8,
        index: ChunkIndex,
        /// Address of the index (or of the data, for single/implicit); `None` when
        /// no storage has been allocated.
        addr: Option<u64>,
    },
    Virtual,
}

pub fn parse(c: &mut Cursor) -> Result<Layout> {
    let version = c.u8()?;
    match version {
        1 | 2 => parse_v1_v2(c),
        3..=5 => parse_v3_up(c, version),
        v => Err(c.error(format!("layout message version {} is not supported", v))),
    }
}

fn split_element_size(c: &Cursor, mut dims: Vec<u64>) -> Result<(Vec<u64>, u64)> {
    if dims.len() < 2 {
        return Err(c.error("a chunked layout needs at least one dimension"));
    }
    let element_size = dims.pop().unwrap_or(0);
    if dims.contains(&0) || element_size == 0 {
        return Err(c.error(format!(
            "chunk dimensions {:?} x {} contain a zero",
            dims, element_size
        )));
    }
    Ok((dims, element_size))
}

fn parse_v1_v2(c: &mut Cursor) -> Result<Layout> {
    let ndims = c.u8()? as usize;
    let class = c.u8()?;
    c.skip(5)?;
    if ndims == 0 || ndims > MAX_DIMS {
        return Err(c.error(format!("layout dimensionality {} is out of range", ndims)));
    }
    let addr = if class != 0 { c.addr()? } else { None };
    let mut dims = Vec::with_capacity(ndims);
    for _ in 0..ndims {
        dims.push(u64::from(c.u32()?));
    }
    match class {
        0 => {
            let size = c.u32()? as usize;
            Ok(Layout::Compact {
                data: c.bytes(size)?.to_vec(),
            })
        }
        1 => Ok(Layout::Contiguous { addr, size: None }),
        2 => {
            let (chunk, element_size) = split_element_size(c, dims)?;
            Ok(Layout::Chunked {
                chunk,
                element_size,
                flags: 0,
                index: ChunkIndex::BtreeV1,
                addr,
            })
        }
        other => Err(c.error(format!("unknown layout class {}", other))),
    }
}

fn parse_v3_up(c: &mut Cursor, version: u8) -> Result<Layout> {
    let class = c.u8()?;
    match class {
        0 => {
            let size = c.u16()? as usize;
            Ok(Layout::Compact {
                data: c.bytes(size)?.to_vec(),
            })
        }
        1 => {
            let addr = c.addr()?;
            let size = c.length()?;
            Ok(Layout::Contiguous { addr, size })
        }
        2 if version == 3 => {
            let ndims = c.u8()? as usize;
            if ndims > MAX_DIMS {
                return Err(c.error(format!("layout dimensionality {} is out of range", ndims)));
            }
            let addr = c.addr()?;
            let mut dims = Vec::with_capacity(ndims);
            for _ in 0..ndims {
                dims.push(u64::from(c.u32()?));
            }
            let (chunk, element_size) = split_element_size(c, dims)?;
            Ok(Layout::Chunked {
                chunk,
                element_size,
                flags: 0,
                index: ChunkIndex::BtreeV1,
                addr,
            })
        }
        2 => {
            let flags = c.u8()?;
            let ndims = c.u8()? as usize;
            let width = c.u8()? as usize;
            if ndims > MAX_DIMS || width == 0 || width > 8 {
                return Err(c.error(format!(
                    "chunked layout with {} dimensions of {} bytes each is invalid",
                    ndims, width
                )));
            }
            let mut dims = Vec::with_capacity(ndims);
            for _ in 0..ndims {
                dims.push(c.uint(width)?);
            }
            let (chunk, element_size) = split_element_size(c, dims)?;
            let index = match c.u8()? {
                1 => ChunkIndex::Single {
                    filtered: if flags & 2 != 0 {
                        Some((c.len_field("filtered chunk size")?, c.u32()?))
                    } else {
                        None
                    },
                },
                2 => ChunkIndex::Implicit,
                3 => ChunkIndex::FixedArray { page_bits: c.u8()? },
                4 => ChunkIndex::ExtensibleArray {
                    max_bits: c.u8()?,
                    index_elements: c.u8()?,
                    min_pointers: c.u8()?,
                    min_elements: c.u8()?,
                    page_bits: c.u8()?,
                },
                5 => {
                    let node_size = c.u32()?;
                    c.skip(2)?;
                    ChunkIndex::BtreeV2 { node_size }
                }
                other => {
                    return Err(Error::unsupported(format!(
                        "chunk index type {} is not supported",
                        other
                    )))
                }
            };
            let addr = c.addr()?;
            Ok(Layout::Chunked {
                chunk,
                element_size,
                flags,
                index,
                addr,
            })
        }
        3 => Ok(Layout::Virtual),
        other => Err(c.error(format!("unknown layout class {}", other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;

    #[test]
    fn parses_a_v4_fixed_array_layout() {
        // version 5, chunked, flags 0, 2 dims of 1 byte: chunk 10, element size 4,
        // fixed array with page bits 10, address 0x1bf.
        let mut bytes = vec![5u8, 2, 0, 2, 1, 10, 4, 3, 10];
        bytes.extend_from_slice(&0x1bfu64.to_le_bytes());
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let layout = parse(&mut Cursor::new(&bytes, geo, 0, "t")).unwrap();
        assert_eq!(
            layout,
            Layout::Chunked {
                chunk: vec![10],
                element_size: 4,
                flags: 0,
                index: ChunkIndex::FixedArray { page_bits: 10 },
                addr: Some(0x1bf),
            }
        );
    }
}
