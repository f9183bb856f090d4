//! DEFLATE decompression (RFC 1951) with the zlib wrapper (RFC 1950).
//!
//! Used by GRIB2 PNG packing and by any codec that needs zlib (HDF5 deflate filters,
//! kerchunk's zlib). Huffman codes are decoded through a 10-bit lookup table with a
//! canonical-code fallback for longer codes. Hostile input cannot make it allocate beyond
//! the `max_output` the caller allows, loop forever, or panic.

use crate::error::{Error, Result};

/// Decompresses a raw DEFLATE stream; fails when the output would exceed `max_output`.
pub fn inflate_raw(input: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    Inflater::new(input, max_output).run(&mut out)?;
    Ok(out)
}

/// Decompresses a zlib stream (2-byte header, DEFLATE data, Adler-32 of the output).
pub fn inflate_zlib(input: &[u8], max_output: usize) -> Result<Vec<u8>> {
    if input.len() < 6 {
        return Err(corrupt(
            "a zlib stream is shorter than its header and checksum",
        ));
    }
    let (cmf, flg) = (input[0], input[1]);
    if cmf & 0x0f != 8 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(corrupt("not a zlib stream (bad header)"));
    }
    if flg & 0x20 != 0 {
        return Err(Error::unsupported("zlib streams with a preset dictionary"));
    }
    let mut out = Vec::new();
    let mut inflater = Inflater::new(&input[2..], max_output);
    inflater.run(&mut out)?;
    let end = 2 + inflater.bytes_consumed();
    let stored = input
        .get(end..end + 4)
        .ok_or_else(|| corrupt("the zlib stream ends before its checksum"))?;
    let expected = u32::from_be_bytes([stored[0], stored[1], stored[2], stored[3]]);
    if adler32(&out) != expected {
        return Err(corrupt("zlib checksum mismatch"));
    }
    Ok(out)
}

/// Adler-32 checksum (RFC 1950).
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    b << 16 | a
}

fn corrupt(message: &str) -> Error {
    Error::corrupt(format!("deflate: {}", message))
}

const FAST_BITS: u32 = 10;
const MAX_BITS: usize = 15;

/// A canonical Huffman code: a fast table for short codes, counts/symbols for the rest.
struct Huffman {
    /// Entry = symbol << 4 | length, 0 = not decodable in FAST_BITS.
    fast: Vec<u16>,
    counts: [u16; MAX_BITS + 1],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Result<Huffman> {
        let mut counts = [0u16; MAX_BITS + 1];
        for &l in lengths {
            counts[usize::from(l)] += 1;
        }
        counts[0] = 0;
        // Over-subscribed codes are invalid; incomplete ones are allowed (single-code trees).
        let mut left: i32 = 1;
        for &c in &counts[1..] {
            left = left * 2 - i32::from(c);
            if left < 0 {
                return Err(corrupt("over-subscribed Huffman code"));
            }
        }
        let mut offsets = [0u16; MAX_BITS + 2];
        for len in 1..=MAX_BITS {
            offsets[len + 1] = offsets[len] + counts[len];
        }
        let mut symbols = vec![0u16; usize::from(offsets[MAX_BITS + 1])];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                let slot = &mut offsets[usize::from(l)];
                symbols[usize::from(*slot)] = symbol as u16;
                *slot += 1;
            }
        }
        // Fill the fast table: codes are assigned in order of (length, symbol); DEFLATE
        // reads them MSB-first, so the table is indexed by the bit-reversed code.
        let mut fast = vec![0u16; 1 << FAST_BITS];
        let mut code: u32 = 0;
        let mut index = 0usize;
        for len in 1..=MAX_BITS as u32 {
            for _ in 0..counts[len as usize] {
                if len <= FAST_BITS {
                    let symbol = symbols[index];
                    let reversed = reverse_bits(code, len);
                    let mut k = reversed as usize;
                    while k < fast.len() {
                        fast[k] = symbol << 4 | len as u16;
                        k += 1 << len;
                    }
                }
                code += 1;
                index += 1;
            }
            code <<= 1;
        }
        Ok(Huffman {
            fast,
            counts,
            symbols,
        })
    }
}

fn reverse_bits(mut code: u32, len: u32) -> u32 {
    let mut r = 0;
    for _ in 0..len {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    r
}

struct Inflater<'a> {
    input: &'a [u8],
    pos: usize,
    bits: u64,
    count: u32,
    max_output: usize,
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

impl<'a> Inflater<'a> {
    fn new(input: &'a [u8], max_output: usize) -> Inflater<'a> {
        Inflater {
            input,
            pos: 0,
            bits: 0,
            count: 0,
            max_output,
        }
    }

    /// Input bytes used, excluding whole bytes still buffered in the bit reservoir.
    fn bytes_consumed(&self) -> usize {
        self.pos - (self.count / 8) as usize
    }

    #[inline(always)]
    fn refill(&mut self) {
        while self.count <= 56 {
            let byte = match self.input.get(self.pos) {
                Some(&b) => b,
                None => return,
            };
            self.bits |= u64::from(byte) << self.count;
            self.count += 8;
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn take(&mut self, n: u32) -> Result<u32> {
        if n == 0 {
            return Ok(0);
        }
        if self.count < n {
            self.refill();
            if self.count < n {
                return Err(corrupt("the stream ends early"));
            }
        }
        let v = (self.bits & ((1u64 << n) - 1)) as u32;
        self.bits >>= n;
        self.count -= n;
        Ok(v)
    }

    #[inline(always)]
    fn decode(&mut self, h: &Huffman) -> Result<u16> {
        if self.count < MAX_BITS as u32 {
            self.refill();
        }
        let entry = h.fast[(self.bits & ((1 << FAST_BITS) - 1)) as usize];
        let len = u32::from(entry & 15);
        if len != 0 && len <= self.count {
            self.bits >>= len;
            self.count -= len;
            return Ok(entry >> 4);
        }
        // Canonical decoding, one bit at a time (codes longer than FAST_BITS).
        let mut code: i32 = 0;
        let mut first: i32 = 0;
        let mut index: i32 = 0;
        for len in 1..=MAX_BITS {
            code |= self.take(1)? as i32;
            let count = i32::from(h.counts[len]);
            if code - count < first {
                return Ok(h.symbols[(index + (code - first)) as usize]);
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        Err(corrupt("invalid Huffman code"))
    }

    fn run(&mut self, out: &mut Vec<u8>) -> Result<()> {
        loop {
            let last = self.take(1)?;
            match self.take(2)? {
                0 => self.stored(out)?,
                1 => {
                    let (lit, dist) = fixed_codes()?;
                    self.block(out, &lit, &dist)?;
                }
                2 => {
                    let (lit, dist) = self.dynamic_codes()?;
                    self.block(out, &lit, &dist)?;
                }
                _ => return Err(corrupt("invalid block type")),
            }
            if last == 1 {
                return Ok(());
            }
        }
    }

    fn stored(&mut self, out: &mut Vec<u8>) -> Result<()> {
        // Drop to a byte boundary, then give back whole buffered bytes.
        let skip = self.count % 8;
        self.take(skip)?;
        self.pos -= (self.count / 8) as usize;
        self.bits = 0;
        self.count = 0;
        let header = self
            .input
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| corrupt("stored block header is truncated"))?;
        let len = usize::from(u16::from_le_bytes([header[0], header[1]]));
        let nlen = u16::from_le_bytes([header[2], header[3]]);
        if len as u16 != !nlen {
            return Err(corrupt("stored block length check failed"));
        }
        self.pos += 4;
        let data = self
            .input
            .get(self.pos..self.pos + len)
            .ok_or_else(|| corrupt("stored block is truncated"))?;
        if out.len() + len > self.max_output {
            return Err(too_long(self.max_output));
        }
        out.extend_from_slice(data);
        self.pos += len;
        Ok(())
    }

    fn dynamic_codes(&mut self) -> Result<(Huffman, Huffman)> {
        let hlit = self.take(5)? as usize + 257;
        let hdist = self.take(5)? as usize + 1;
        let hclen = self.take(4)? as usize + 4;
        if hlit > 286 || hdist > 30 {
            return Err(corrupt("too many length or distance codes"));
        }
        let mut code_lengths = [0u8; 19];
        for &i in CODE_LENGTH_ORDER.iter().take(hclen) {
            code_lengths[i] = self.take(3)? as u8;
        }
        let cl = Huffman::new(&code_lengths)?;
        let mut lengths = vec![0u8; hlit + hdist];
        let mut i = 0;
        while i < lengths.len() {
            let symbol = self.decode(&cl)?;
            let (value, repeat) = match symbol {
                0..=15 => (symbol as u8, 1),
                16 => {
                    let previous = *lengths
                        .get(i.wrapping_sub(1))
                        .ok_or_else(|| corrupt("repeat of a missing code length"))?;
                    (previous, 3 + self.take(2)? as usize)
                }
                17 => (0, 3 + self.take(3)? as usize),
                _ => (0, 11 + self.take(7)? as usize),
            };
            if i + repeat > lengths.len() {
                return Err(corrupt("code lengths overflow"));
            }
            lengths[i..i + repeat].iter_mut().for_each(|l| *l = value);
            i += repeat;
        }
        if lengths[256] == 0 {
            return Err(corrupt("no end-of-block code"));
        }
        Ok((
            Huffman::new(&lengths[..hlit])?,
            Huffman::new(&lengths[hlit..])?,
        ))
    }

    fn block(&mut self, out: &mut Vec<u8>, lit: &Huffman, dist: &Huffman) -> Result<()> {
        loop {
            let symbol = self.decode(lit)?;
            if symbol < 256 {
                if out.len() >= self.max_output {
                    return Err(too_long(self.max_output));
                }
                out.push(symbol as u8);
                continue;
            }
            if symbol == 256 {
                return Ok(());
            }
            let s = usize::from(symbol - 257);
            if s >= 29 {
                return Err(corrupt("invalid length symbol"));
            }
            let length =
                usize::from(LENGTH_BASE[s]) + self.take(u32::from(LENGTH_EXTRA[s]))? as usize;
            let d = usize::from(self.decode(dist)?);
            if d >= 30 {
                return Err(corrupt("invalid distance symbol"));
            }
            let distance =
                usize::from(DIST_BASE[d]) + self.take(u32::from(DIST_EXTRA[d]))? as usize;
            if distance > out.len() {
                return Err(corrupt(
                    "a back-reference points before the start of the output",
                ));
            }
            if out.len() + length > self.max_output {
                return Err(too_long(self.max_output));
            }
            let start = out.len() - distance;
            if distance >= length {
                out.extend_from_within(start..start + length);
            } else {
                for k in 0..length {
                    let b = out[start + k];
                    out.push(b);
                }
            }
        }
    }
}

fn too_long(max: usize) -> Error {
    Error::limit(format!(
        "deflate: the output exceeds the expected {} bytes",
        max
    ))
}

fn fixed_codes() -> Result<(Huffman, Huffman)> {
    let mut lengths = [0u8; 288];
    lengths[..144].iter_mut().for_each(|l| *l = 8);
    lengths[144..256].iter_mut().for_each(|l| *l = 9);
    lengths[256..280].iter_mut().for_each(|l| *l = 7);
    lengths[280..].iter_mut().for_each(|l| *l = 8);
    Ok((Huffman::new(&lengths)?, Huffman::new(&[5u8; 30])?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn stored_and_fixed_blocks() {
        // Python: zlib.compress(b"hello hello hello hello", 9)
        let fixed = [
            120, 218, 203, 72, 205, 201, 201, 87, 200, 64, 39, 1, 104, 3, 8, 177,
        ];
        assert_eq!(
            inflate_zlib(&fixed, 100).unwrap(),
            b"hello hello hello hello"
        );
        assert_eq!(
            inflate_raw(&fixed[2..12], 100).unwrap(),
            b"hello hello hello hello"
        );
        // zlib.compress(b"abc", 0): a stored block.
        let stored = [120, 1, 1, 3, 0, 252, 255, 97, 98, 99, 2, 77, 1, 39];
        assert_eq!(inflate_zlib(&stored, 100).unwrap(), b"abc");
        assert_eq!(
            inflate_zlib(&fixed, 10).unwrap_err().kind,
            crate::ErrorKind::LimitExceeded
        );
        let mut bad = fixed;
        bad[15] ^= 1;
        assert!(inflate_zlib(&bad, 100).is_err());
    }

    #[test]
    fn dynamic_block() {
        // Python: random.seed(7); 300 words from alpha..theta joined by spaces;
        // zlib.compress(data, 9). The zlib wrapper checks the Adler-32 of all 1702 bytes.
        let c = hex("78da7d945d0e02210c84afb2578368d464fd49f4a9a7d7dda2fda6253ec042a1d3693b8b1d5f6d39b5ebb52ddbaaad8f735bfab6dc270be3e1b8ea85efd8377efab3e31afde66823fce37959efb7250839da30c3e4bef68bdd33ecebfce5b15ff2adcf464cbfedc84c601cc363208e83881a642d96111e65309dc80970121979e9014b850e812faae55696474b3a6c6320724e46dda63ca23b20e04b0663f31d3f49607c451e523eb711210fe49ef38788183d0b1ee5ff7321caa739e456f744aacea2ae1c5105c0f4f137d02c68420a7a852f3b1339710f7979887fd20432fc6cf65e10bd10a27a01a47f60eda55e54291451b26c143dd7969d5882ae81abc8b52a931ad5c7cf1d4da95702550f35b3f29a645952484a11f9b1133df5559d28ea59c6b951a94759249fd51b9f3c6706");
        let out = inflate_zlib(&c, 1 << 20).unwrap();
        assert_eq!(out.len(), 1702);
        assert_eq!(adler32(&out), 2_671_535_878);
        assert!(out.starts_with(b"zeta gamma eta alpha beta beta zeta alpha delta alpha beta e"));
    }

    #[test]
    fn hostile_streams_fail_cleanly() {
        let mut state = 12345u32;
        for len in 0..200 {
            let junk: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (state >> 16) as u8
                })
                .collect();
            let _ = inflate_raw(&junk, 1 << 16);
        }
    }
}
