//! An MSB-first bit reader, shared by the HDF5 n-bit and scale-offset decoders.
//!
//! Both filters (`H5Znbit.c`, `H5Zscaleoffset.c`) pack each value's significant bits
//! most significant bit first into a continuous stream: the first value starts at the high
//! bit of byte 0, and values straddle byte boundaries freely. Their C code walks the bytes
//! of each element one by one; reading whole values from a bit stream is the same
//! arithmetic.

use crate::error::{Error, Result};

pub struct BitReader<'a> {
    bytes: &'a [u8],
    /// Next byte to load into `acc`.
    at: usize,
    /// Bits loaded but not yet consumed, right-aligned (at most 64 + 7 are held).
    acc: u128,
    held: u32,
}

impl<'a> BitReader<'a> {
    pub fn new(bytes: &'a [u8]) -> BitReader<'a> {
        BitReader {
            bytes,
            at: 0,
            acc: 0,
            held: 0,
        }
    }

    /// True when `count` values of `bits` bits each are available (no arithmetic overflow
    /// for any input), so a decoder can check its whole input before allocating.
    pub fn holds(&self, count: u64, bits: u32) -> bool {
        let available = (self.bytes.len() as u128) * 8;
        u128::from(count) * u128::from(bits) <= available
    }

    /// The next `bits` bits (0..=64) as an unsigned value.
    pub fn read(&mut self, bits: u32, what: &str) -> Result<u64> {
        debug_assert!(bits <= 64);
        while self.held < bits {
            let byte = *self.bytes.get(self.at).ok_or_else(|| {
                Error::corrupt(format!(
                    "{}: the packed data end before the last value",
                    what
                ))
            })?;
            self.acc = (self.acc << 8) | u128::from(byte);
            self.held += 8;
            self.at += 1;
        }
        self.held -= bits;
        let value = (self.acc >> self.held) as u64 & low_mask(bits);
        self.acc &= (1u128 << self.held) - 1;
        Ok(value)
    }
}

/// The `bits` low bits set (`bits` ≤ 64).
pub fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Writes the `out.len()` low bytes of `value` in the given byte order.
pub fn put_uint(out: &mut [u8], value: u64, big_endian: bool) {
    let n = out.len();
    let le = value.to_le_bytes();
    for (i, b) in out.iter_mut().enumerate() {
        *b = if big_endian { le[n - 1 - i] } else { le[i] };
    }
}

/// Reads `bytes` (at most 8) as an unsigned integer in the given byte order.
pub fn get_uint(bytes: &[u8], big_endian: bool) -> u64 {
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if big_endian {
        bytes.iter().fold(0, fold)
    } else {
        bytes.iter().rev().fold(0, fold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_across_byte_boundaries() {
        // 3-bit values 0..8 packed MSB first: 000 001 010 011 100 101 110 111.
        let packed = [0b0000_0101, 0b0011_1001, 0b0111_0111];
        let mut r = BitReader::new(&packed);
        for expected in 0..8u64 {
            assert_eq!(r.read(3, "t").unwrap(), expected);
        }
        assert!(r.read(1, "t").is_err());
    }

    #[test]
    fn reads_64_bit_values_at_odd_offsets() {
        let mut packed = vec![0b1010_0000u8];
        packed.extend_from_slice(&[0xFF; 8]);
        let mut r = BitReader::new(&packed);
        assert_eq!(r.read(3, "t").unwrap(), 0b101);
        // Five zero bits, then 59 of the ones.
        assert_eq!(r.read(64, "t").unwrap(), u64::MAX >> 5);
        assert_eq!(r.read(5, "t").unwrap(), 0b11111);
        assert_eq!(r.read(0, "t").unwrap(), 0);
    }

    #[test]
    fn holds_does_not_overflow() {
        let r = BitReader::new(&[0; 4]);
        assert!(r.holds(4, 8));
        assert!(!r.holds(5, 8));
        assert!(!r.holds(u64::MAX, 64));
    }

    #[test]
    fn byte_order_round_trips() {
        let mut out = [0u8; 3];
        put_uint(&mut out, 0x0A0B0C, true);
        assert_eq!(out, [0x0A, 0x0B, 0x0C]);
        assert_eq!(get_uint(&out, true), 0x0A0B0C);
        put_uint(&mut out, 0x0A0B0C, false);
        assert_eq!(out, [0x0C, 0x0B, 0x0A]);
        assert_eq!(get_uint(&out, false), 0x0A0B0C);
    }
}
