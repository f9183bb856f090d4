//! The HDF5 Fletcher-32 checksum filter (`numcodecs.fletcher32`, HDF5 filter 3).
//!
//! Encoding appends a 4-byte checksum to the chunk; decoding verifies and strips it. The
//! checksum is HDF5's `H5_checksum_fletcher32`: 16-bit words assembled **big-endian**
//! (`data[0] << 8 | data[1]`) whatever the machine, sums folded every 360 words, an odd
//! trailing byte taken as the high byte of a last word. The stored value is little-endian
//! (`UINT32ENCODE`). Like HDF5, the value written by HDF5 ≤ 1.6.2 on little-endian
//! machines (bytes swapped within each 16-bit half) is accepted too.

use crate::error::{Error, Result};

/// Verifies and removes the trailing checksum.
pub fn decode(input: &[u8]) -> Result<Vec<u8>> {
    if input.len() < 4 {
        return Err(Error::corrupt(format!(
            "a fletcher32 chunk of {} bytes is too short to hold its checksum",
            input.len()
        )));
    }
    let (data, tail) = input.split_at(input.len() - 4);
    let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    let computed = checksum(data);
    if stored != computed && stored != pre_1_6_3(computed) {
        return Err(Error::corrupt(format!(
            "fletcher32 checksum mismatch (stored {:#010x}, computed {:#010x})",
            stored, computed
        )));
    }
    Ok(data.to_vec())
}

/// HDF5's Fletcher-32 of `data`.
pub fn checksum(data: &[u8]) -> u32 {
    let mut sum1: u32 = 0;
    let mut sum2: u32 = 0;
    // 360 words is the most that cannot overflow the 32-bit sums between folds.
    let pairs = data.len() / 2 * 2;
    for block in data[..pairs].chunks(720) {
        for word in block.chunks_exact(2) {
            sum1 += u32::from(word[0]) << 8 | u32::from(word[1]);
            sum2 += sum1;
        }
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if data.len() % 2 == 1 {
        sum1 += u32::from(data[data.len() - 1]) << 8;
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    (sum2 << 16) | sum1
}

/// The checksum as HDF5 before 1.6.3 stored it on little-endian machines: each 16-bit half
/// byte-swapped (`H5Z__filter_fletcher32`'s "reversed" value).
fn pre_1_6_3(sum: u32) -> u32 {
    let mut c = sum.to_le_bytes();
    c.swap(0, 1);
    c.swap(2, 3);
    u32::from_le_bytes(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_a_valid_checksum_and_rejects_a_flipped_bit() {
        let data: Vec<u8> = (0..1001u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut chunk = data.clone();
        chunk.extend_from_slice(&checksum(&data).to_le_bytes());
        assert_eq!(decode(&chunk).unwrap(), data);
        for at in [0, 500, 1000, 1002] {
            let mut bad = chunk.clone();
            bad[at] ^= 0x10;
            let e = decode(&bad).unwrap_err();
            assert!(e.message.contains("fletcher32 checksum mismatch"), "{}", e);
            assert_eq!(e.kind, crate::ErrorKind::CorruptFile);
        }
        assert!(decode(&[1, 2, 3]).is_err());
    }

    #[test]
    fn accepts_the_pre_1_6_3_value() {
        let data = b"netCDF-4 over HDF5".to_vec();
        let mut chunk = data.clone();
        chunk.extend_from_slice(&pre_1_6_3(checksum(&data)).to_le_bytes());
        assert_eq!(decode(&chunk).unwrap(), data);
    }

    #[test]
    fn words_are_big_endian() {
        // One word 0x0102: sum1 = 0x0102, sum2 = 0x0102.
        assert_eq!(checksum(&[1, 2]), 0x0102_0102);
        // Odd trailing byte is the high byte of a last word.
        assert_eq!(checksum(&[1]), 0x0100_0100);
        assert_eq!(checksum(&[]), 0);
    }
}
