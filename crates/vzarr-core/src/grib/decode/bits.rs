//! Reading big-endian bit fields: the inner loop of every GRIB unpacker.
//!
//! Values are at most 64 bits wide and packed MSB-first without padding. The fast path
//! loads the 8 bytes holding the field as one big-endian `u64` and shifts; only the last
//! few values of a buffer (and fields wider than 56 bits at odd offsets) take the slow
//! byte-by-byte path. Reads past the end yield zero bits instead of panicking: callers
//! check up front that the data holds as many bits as they will read.

pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits from the start of `data`.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> BitReader<'a> {
        BitReader { data, pos: 0 }
    }

    /// Bits left to read.
    pub fn remaining(&self) -> u64 {
        (self.data.len() as u64 * 8).saturating_sub(self.pos as u64)
    }

    /// Reads an unsigned `width`-bit field (0 ≤ width ≤ 64).
    #[inline(always)]
    pub fn read(&mut self, width: u32) -> u64 {
        if width == 0 {
            return 0;
        }
        let byte = self.pos >> 3;
        let shift = (self.pos & 7) as u32;
        self.pos += width as usize;
        if shift + width <= 64 {
            if let Some(window) = self.data.get(byte..byte + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(window);
                return (u64::from_be_bytes(word) << shift) >> (64 - width);
            }
        }
        self.read_slow(byte, shift, width)
    }

    #[cold]
    fn read_slow(&self, byte: usize, shift: u32, width: u32) -> u64 {
        // Gather up to 9 bytes (a 64-bit field at an odd offset spans 9) into a u128.
        let mut acc: u128 = 0;
        for k in 0..9 {
            acc = (acc << 8) | u128::from(self.data.get(byte + k).copied().unwrap_or(0));
        }
        let top = 72 - shift; // bits of acc from the field's first bit to the end
        ((acc >> (top - width)) as u64) & mask(width)
    }
}

#[inline(always)]
fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs values MSB-first, the reference for the reader.
    fn pack(values: &[u64], width: u32) -> Vec<u8> {
        let mut bits: Vec<bool> = Vec::new();
        for &v in values {
            for b in (0..width).rev() {
                bits.push((v >> b) & 1 == 1);
            }
        }
        bits.chunks(8)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << (7 - i)))
            })
            .collect()
    }

    #[test]
    fn reads_every_width_at_every_offset() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for width in 1..=64u32 {
            let values: Vec<u64> = (0..40)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state & mask(width)
                })
                .collect();
            let bytes = pack(&values, width);
            let mut r = BitReader::new(&bytes);
            for &v in &values {
                assert_eq!(r.read(width), v, "width {}", width);
            }
        }
    }

    #[test]
    fn reading_past_the_end_gives_zero_bits() {
        let mut r = BitReader::new(&[0xff]);
        assert_eq!(r.read(4), 0xf);
        assert_eq!(r.read(8), 0xf0);
        assert_eq!(r.read(64), 0);
        assert_eq!(r.remaining(), 0);
    }
}
