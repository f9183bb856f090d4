//! Locating and parsing the superblock (versions 0–3).
//!
//! The signature is at file offset 0 or, behind a user block, at 512, 1024, 2048, ...
//! All addresses in the file are relative to the superblock's position (the HDF5 library uses
//! the signature position as the base address even when the stored base differs).

use super::checksum;
use super::io::{Cursor, Geometry};
use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Step, Stop};

pub const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Bytes requested at the superblock position: enough for any superblock plus, usually,
/// the root object header that follows it, saving a round trip.
pub const READ_AHEAD: u64 = 4096;

/// The default "indexed storage" B-tree K (chunk B-tree nodes hold up to 2K entries).
pub const DEFAULT_CHUNK_BTREE_K: u16 = 32;
/// The default group B-tree leaf K (symbol table nodes hold up to 2K entries).
pub const DEFAULT_GROUP_LEAF_K: u16 = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Superblock {
    pub version: u8,
    pub geo: Geometry,
    /// Address of the root group's object header.
    pub root: u64,
    /// Address one past the last byte the library allocated (relative to the base).
    pub end_of_file: u64,
    pub chunk_btree_k: u16,
    pub group_leaf_k: u16,
}

/// Offsets where a superblock may start in a file of `file_size` bytes: 0, 512, 1024, ...
pub fn candidate_offsets(file_size: u64) -> Vec<u64> {
    let mut out = vec![0];
    let mut at = 512u64;
    while at.saturating_add(SIGNATURE.len() as u64) <= file_size {
        out.push(at);
        at = match at.checked_mul(2) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

/// Finds the first candidate offset holding the signature. Offset 0 is asked for first (with
/// read-ahead); the other candidates are only asked for, all at once, when 0 does not match.
pub fn locate(cache: &ByteCache, extra_needs: &mut Vec<ByteRange>) -> Step<u64> {
    let size = cache.file_size();
    if size < SIGNATURE.len() as u64 {
        return Err(Stop::Fail(Error::corrupt(format!(
            "the file is {} bytes long, too short to be HDF5",
            size
        ))));
    }
    match cache.read(0, SIGNATURE.len() as u64) {
        Ok(head) if head == SIGNATURE => return Ok(0),
        Ok(_) => {}
        Err(Stop::Need(_)) => {
            return Err(Stop::Need(ByteRange::new(0, READ_AHEAD.min(size))));
        }
        Err(e) => return Err(e),
    }
    let mut first_missing = None;
    for at in candidate_offsets(size).into_iter().skip(1) {
        match cache.read(at, SIGNATURE.len() as u64) {
            Ok(head) if head == SIGNATURE && first_missing.is_none() => return Ok(at),
            Ok(_) => {}
            Err(Stop::Need(r)) => {
                if first_missing.is_none() {
                    first_missing = Some(r);
                } else {
                    extra_needs.push(r);
                }
            }
            Err(e) => return Err(e),
        }
    }
    match first_missing {
        Some(r) => Err(Stop::Need(r)),
        None => Err(Stop::Fail(Error::unsupported(
            "no HDF5 superblock signature at offset 0, 512, 1024, ... : not an HDF5 file",
        ))),
    }
}

fn check_size(value: u8, what: &str, position: u64) -> Result<usize> {
    match value {
        2 | 4 | 8 => Ok(value as usize),
        other => Err(Error::unsupported(format!(
            "superblock declares a size of {} of {} bytes (supported: 2, 4, 8)",
            what, other
        ))
        .at_offset(position)),
    }
}

/// Parses the superblock whose signature is at file position `position`.
pub fn parse(cache: &ByteCache, position: u64) -> Step<Superblock> {
    let size = cache.file_size();
    // The fixed prefix tells the version and the field widths.
    let prefix = match cache.read(position, 16) {
        Ok(b) => b,
        Err(Stop::Need(r)) => {
            let want = READ_AHEAD.min(size.saturating_sub(position)).max(16);
            return Err(Stop::Need(ByteRange::new(r.offset, want)));
        }
        Err(e) => return Err(e),
    };
    let version = prefix[8];
    let (o, l) = match version {
        0 | 1 => (
            check_size(prefix[13], "offsets", position)?,
            check_size(prefix[14], "lengths", position)?,
        ),
        2 | 3 => (
            check_size(prefix[9], "offsets", position)?,
            check_size(prefix[10], "lengths", position)?,
        ),
        v => {
            return Err(Stop::Fail(
                Error::unsupported(format!("superblock version {} is not supported", v))
                    .at_offset(position),
            ))
        }
    };
    let geo = Geometry {
        base: position,
        o,
        l,
    };
    let total = match version {
        0 => 24 + 4 * o + (2 * o + 24),
        1 => 28 + 4 * o + (2 * o + 24),
        _ => 12 + 4 * o + 4,
    } as u64;
    let bytes = cache.read(position, total)?;
    let mut c = Cursor::new(bytes, geo, 0, "superblock");
    let sb = if version <= 1 {
        parse_v0_v1(&mut c, version, geo)?
    } else {
        checksum::verify(bytes, "superblock", position)?;
        parse_v2_v3(&mut c, version, geo)?
    };
    // HDF5 stores the end-of-file address counting the user block (verified with h5py's
    // userblock_size), so it compares with the file size directly.
    let needed_end = sb.end_of_file;
    if needed_end > size {
        return Err(Stop::Fail(
            Error::corrupt(format!(
                "the file is truncated: its superblock records {} bytes but the file has {}",
                needed_end, size
            ))
            .at_offset(position),
        ));
    }
    Ok(sb)
}

fn parse_v0_v1(c: &mut Cursor, version: u8, geo: Geometry) -> Result<Superblock> {
    c.seek(16)?;
    let group_leaf_k = c.u16()?;
    let _group_internal_k = c.u16()?;
    let _flags = c.u32()?;
    let mut chunk_btree_k = DEFAULT_CHUNK_BTREE_K;
    if version == 1 {
        chunk_btree_k = c.u16()?;
        c.skip(2)?;
    }
    let _stored_base = c.addr()?;
    let _free_space = c.addr()?;
    let end_of_file = c.len_field("end-of-file address")?;
    if c.addr()?.is_some() {
        return Err(Error::unsupported(
            "the file uses a driver information block (family or multi-file driver), \
             whose data lives in other files",
        ));
    }
    // Root group symbol table entry: link name offset, then the object header address.
    let _name_offset = c.addr()?;
    let root = c.defined_addr("root group object header")?;
    Ok(Superblock {
        version,
        geo,
        root,
        end_of_file,
        chunk_btree_k: chunk_btree_k.max(1),
        group_leaf_k: group_leaf_k.max(1),
    })
}

fn parse_v2_v3(c: &mut Cursor, version: u8, geo: Geometry) -> Result<Superblock> {
    c.seek(12)?;
    let _stored_base = c.addr()?;
    let _extension = c.addr()?;
    let end_of_file = c.len_field("end-of-file address")?;
    let root = c.defined_addr("root group object header")?;
    Ok(Superblock {
        version,
        geo,
        root,
        end_of_file,
        chunk_btree_k: DEFAULT_CHUNK_BTREE_K,
        group_leaf_k: DEFAULT_GROUP_LEAF_K,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1 superblock (a v0 superblock plus the indexed-storage K), as HDF5 < 2.0
    /// writes with a non-default K. No tool available here writes one, so it is built.
    fn v1_superblock() -> Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[1, 0, 0, 0, 0, 8, 8, 0]);
        b.extend_from_slice(&4u16.to_le_bytes()); // group leaf K
        b.extend_from_slice(&16u16.to_le_bytes()); // group internal K
        b.extend_from_slice(&0u32.to_le_bytes()); // flags
        b.extend_from_slice(&64u16.to_le_bytes()); // indexed storage K
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&0u64.to_le_bytes()); // base
        b.extend_from_slice(&[0xFF; 8]); // free space
        b.extend_from_slice(&200u64.to_le_bytes()); // end of file
        b.extend_from_slice(&[0xFF; 8]); // driver info
        b.extend_from_slice(&0u64.to_le_bytes()); // root entry: name offset
        b.extend_from_slice(&0x68u64.to_le_bytes()); // root object header
        b.extend_from_slice(&[0; 24]);
        b.resize(200, 0);
        b
    }

    #[test]
    fn parses_version_1() {
        let cache = ByteCache::from_bytes(v1_superblock());
        let sb = parse(&cache, 0).ok().unwrap();
        assert_eq!(sb.version, 1);
        assert_eq!(sb.root, 0x68);
        assert_eq!(sb.chunk_btree_k, 64);
        assert_eq!(sb.group_leaf_k, 4);
        assert_eq!((sb.geo.o, sb.geo.l, sb.geo.base), (8, 8, 0));
        // A file shorter than its recorded end is truncated.
        let mut short = v1_superblock();
        short.truncate(150);
        let cache = ByteCache::from_bytes(short);
        match parse(&cache, 0) {
            Err(Stop::Fail(e)) => assert_eq!(e.kind, crate::ErrorKind::CorruptFile),
            _ => panic!("truncation not detected"),
        }
    }

    #[test]
    fn lists_candidate_offsets() {
        assert_eq!(candidate_offsets(100), vec![0]);
        assert_eq!(candidate_offsets(4096), vec![0, 512, 1024, 2048]);
    }

    #[test]
    fn asks_for_the_head_then_the_other_candidates() {
        let mut cache = ByteCache::new(3000);
        let mut extra = Vec::new();
        match locate(&cache, &mut extra) {
            Err(Stop::Need(r)) => assert_eq!(r, ByteRange::new(0, 3000)),
            other => panic!("unexpected {:?}", other.map(|_| ())),
        }
        cache.insert(0, vec![0; 3000]);
        let mut bytes = vec![0u8; 3000];
        bytes[1024..1032].copy_from_slice(SIGNATURE);
        let cache = ByteCache::from_bytes(bytes);
        assert_eq!(locate(&cache, &mut extra).ok(), Some(1024));
    }
}
