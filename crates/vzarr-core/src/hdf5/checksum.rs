//! Jenkins lookup3 `hashlittle` with initval 0: the checksum that ends every HDF5 structure of
//! the v2 era (superblock v2/v3, OHDR/OCHK, B-tree v2, fractal heap, fixed and extensible
//! array blocks). Verifying it turns most bit flips in metadata into a clean CorruptFile.

use crate::error::{Error, Result};

fn rot(x: u32, k: u32) -> u32 {
    x.rotate_left(k)
}

fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= rot(*c, 4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= rot(*a, 6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= rot(*b, 8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= rot(*c, 16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= rot(*a, 19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= rot(*b, 4);
    *b = b.wrapping_add(*a);
}

fn finish(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(rot(*b, 14));
    *a ^= *c;
    *a = a.wrapping_sub(rot(*c, 11));
    *b ^= *a;
    *b = b.wrapping_sub(rot(*a, 25));
    *c ^= *b;
    *c = c.wrapping_sub(rot(*b, 16));
    *a ^= *c;
    *a = a.wrapping_sub(rot(*c, 4));
    *b ^= *a;
    *b = b.wrapping_sub(rot(*a, 14));
    *c ^= *b;
    *c = c.wrapping_sub(rot(*b, 24));
}

fn word(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// `hashlittle(data, 0)`.
pub fn lookup3(data: &[u8]) -> u32 {
    let init = 0xdead_beefu32.wrapping_add(data.len() as u32);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut rest = data;
    while rest.len() > 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        mix(&mut a, &mut b, &mut c);
        rest = &rest[12..];
    }
    if rest.is_empty() {
        return c;
    }
    // The byte-wise tail of hashlittle equals adding the zero-padded little-endian words.
    let mut tail = [0u8; 12];
    tail[..rest.len()].copy_from_slice(rest);
    a = a.wrapping_add(word(&tail[0..4]));
    b = b.wrapping_add(word(&tail[4..8]));
    c = c.wrapping_add(word(&tail[8..12]));
    finish(&mut a, &mut b, &mut c);
    c
}

/// Checks that the last 4 bytes of `block` are the lookup3 checksum of the bytes before them.
/// `what` names the structure and `position` is its file position, for the error.
pub fn verify(block: &[u8], what: &str, position: u64) -> Result<()> {
    if block.len() < 4 {
        return Err(
            Error::corrupt(format!("{} is too short to hold its checksum", what))
                .at_offset(position),
        );
    }
    let (body, stored) = block.split_at(block.len() - 4);
    let stored = word(stored);
    let computed = lookup3(body);
    if stored != computed {
        return Err(Error::corrupt(format!(
            "{} checksum mismatch: stored {:#010x}, computed {:#010x}",
            what, stored, computed
        ))
        .at_offset(position));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_values() {
        // Values from Bob Jenkins' lookup3.c self-test (hashlittle with initval 0).
        assert_eq!(lookup3(b""), 0xdeadbeef);
        assert_eq!(lookup3(b"Four score and seven years ago"), 0x17770551);
    }

    #[test]
    fn verifies_a_trailing_checksum() {
        let mut block = b"OHDR some header bytes".to_vec();
        let sum = lookup3(&block);
        block.extend_from_slice(&sum.to_le_bytes());
        assert!(verify(&block, "test", 0).is_ok());
        block[3] ^= 1;
        assert!(verify(&block, "test", 0).is_err());
    }
}
