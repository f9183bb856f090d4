//! The 8- or 16-byte TIFF header and the byte-order-aware integer readers every other part of
//! the scanner uses.
//!
//! Classic TIFF: `II*\0` / `MM\0*`, then a 4-byte offset of the first IFD. BigTIFF: `II+\0` /
//! `MM\0+`, a 2-byte offset size (8), 2 reserved zero bytes and an 8-byte first-IFD offset.

use crate::error::{Error, Result};

/// Byte order and offset width of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub big_endian: bool,
    pub bigtiff: bool,
}

impl Layout {
    pub fn u16(&self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }

    pub fn u32(&self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    pub fn u64(&self, b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        if self.big_endian {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        }
    }

    /// An offset-sized value: 4 bytes in classic TIFF, 8 in BigTIFF.
    pub fn offset(&self, b: &[u8]) -> u64 {
        if self.bigtiff {
            self.u64(b)
        } else {
            u64::from(self.u32(b))
        }
    }

    /// Bytes of an offset field.
    pub fn offset_size(&self) -> u64 {
        if self.bigtiff {
            8
        } else {
            4
        }
    }

    /// Bytes of the entry count that starts an IFD.
    pub fn count_size(&self) -> u64 {
        if self.bigtiff {
            8
        } else {
            2
        }
    }

    /// Bytes of one IFD entry (tag, type, count, value or offset).
    pub fn entry_size(&self) -> u64 {
        if self.bigtiff {
            20
        } else {
            12
        }
    }
}

/// True when `head` starts with a classic or BigTIFF signature.
pub fn is_tiff(head: &[u8]) -> bool {
    matches!(
        head.get(..4),
        Some(b"II*\0") | Some(b"MM\0*") | Some(b"II+\0") | Some(b"MM\0+")
    )
}

/// Bytes the header occupies (enough for either kind).
pub const HEADER_BYTES: u64 = 16;

/// Parses the header: the file's layout and the offset of the first IFD.
pub fn parse(head: &[u8]) -> Result<(Layout, u64)> {
    let big_endian = match head.get(..2) {
        Some(b"II") => false,
        Some(b"MM") => true,
        _ => return Err(Error::corrupt("not a TIFF file: no II/MM byte-order mark")),
    };
    if head.len() < 8 {
        return Err(Error::corrupt("the TIFF header is truncated"));
    }
    let probe = Layout {
        big_endian,
        bigtiff: false,
    };
    match probe.u16(&head[2..4]) {
        42 => Ok((probe, u64::from(probe.u32(&head[4..8])))),
        43 => {
            if head.len() < 16 {
                return Err(Error::corrupt("the BigTIFF header is truncated"));
            }
            let layout = Layout {
                big_endian,
                bigtiff: true,
            };
            let offset_size = layout.u16(&head[4..6]);
            if offset_size != 8 || layout.u16(&head[6..8]) != 0 {
                return Err(Error::unsupported(format!(
                    "BigTIFF with {}-byte offsets (only 8 is defined)",
                    offset_size
                )));
            }
            Ok((layout, layout.u64(&head[8..16])))
        }
        v => Err(Error::corrupt(format!(
            "not a TIFF file: version {} (42 classic, 43 BigTIFF)",
            v
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_four_signatures() {
        let (l, at) = parse(b"II*\0\x08\0\0\0........").unwrap();
        assert_eq!((l.big_endian, l.bigtiff, at), (false, false, 8));
        let (l, at) = parse(b"MM\0*\0\0\0\x08........").unwrap();
        assert_eq!((l.big_endian, l.bigtiff, at), (true, false, 8));
        let (l, at) = parse(b"II+\0\x08\0\0\0\x10\0\0\0\0\0\0\0").unwrap();
        assert_eq!((l.big_endian, l.bigtiff, at), (false, true, 16));
        let (l, at) = parse(b"MM\0+\0\x08\0\0\0\0\0\0\0\0\0\x10").unwrap();
        assert_eq!((l.big_endian, l.bigtiff, at), (true, true, 16));
        assert!(parse(b"II*\0").is_err());
        assert!(parse(b"II+\0\x04\0\0\0\x10\0\0\0\0\0\0\0").is_err());
        assert!(parse(b"XX*\0\x08\0\0\0").is_err());
    }
}
