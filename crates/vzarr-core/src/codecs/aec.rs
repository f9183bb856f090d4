//! Adaptive Entropy Coding decoder (CCSDS 121.0-B), compatible with libaec.
//!
//! Used by GRIB2 CCSDS packing (template 5.42) and by HDF5's szip filter. The stream is a
//! sequence of reference sample intervals (RSIs) of `rsi` blocks of `block_size` samples.
//! Each block starts with an option ID: a zero run, the second extension (pairs of small
//! values), split samples (Rice coding with k low bits sent verbatim) or uncompressed.
//! With preprocessing, the first sample of every RSI is a verbatim reference and the
//! others are mapped prediction residuals of a unit-delay predictor.
//!
//! Decoding stops after the requested number of samples (the last RSI and block may be
//! partial, as with libaec's bounded output buffer). Output bytes follow libaec's
//! conventions: 1, 2, 3 (with [`DATA_3BYTE`]) or 4 bytes per sample, big-endian with
//! [`DATA_MSB`], little-endian otherwise.

use crate::error::{Error, Result};

/// Samples are signed two's complement.
pub const DATA_SIGNED: u32 = 1;
/// 17–24-bit samples take 3 bytes instead of 4.
pub const DATA_3BYTE: u32 = 2;
/// Output is most-significant byte first.
pub const DATA_MSB: u32 = 4;
/// The unit-delay predictor preprocessor is on.
pub const DATA_PREPROCESS: u32 = 8;
/// Restricted ID lengths for samples of at most 4 bits.
pub const RESTRICTED: u32 = 16;
/// Each RSI is padded to a byte boundary.
pub const PAD_RSI: u32 = 32;
/// Do not enforce the standard block sizes (8, 16, 32, 64).
pub const NOT_ENFORCE: u32 = 64;

/// Remainder-of-segment code in a zero run.
const ROS: u32 = 5;
/// Largest code in the second-extension table.
const SE_TABLE_SIZE: u32 = 90;

/// Decodes `samples` samples and returns them as bytes laid out like libaec's output.
pub fn decode(
    input: &[u8],
    bits_per_sample: u32,
    block_size: u32,
    rsi: u32,
    flags: u32,
    samples: usize,
) -> Result<Vec<u8>> {
    let values = decode_samples(input, bits_per_sample, block_size, rsi, flags, samples)?;
    let width = bytes_per_sample(bits_per_sample, flags);
    let msb = flags & DATA_MSB != 0;
    let mut out = Vec::with_capacity(values.len() * width);
    for v in values {
        let bytes = v.to_be_bytes();
        let be = &bytes[4 - width..];
        if msb {
            out.extend_from_slice(be);
        } else {
            out.extend(be.iter().rev());
        }
    }
    Ok(out)
}

/// Bytes per output sample, as libaec lays them out.
pub fn bytes_per_sample(bits_per_sample: u32, flags: u32) -> usize {
    match bits_per_sample {
        0..=8 => 1,
        9..=16 => 2,
        17..=24 if flags & DATA_3BYTE != 0 => 3,
        _ => 4,
    }
}

fn corrupt(message: &str) -> Error {
    Error::corrupt(format!("CCSDS/AEC: {}", message))
}

/// MSB-first bit reader over a 64-bit accumulator that refuses to read past the end of
/// its input. Invariant: the `avail` valid bits sit at the top of `acc`, the rest is 0.
struct Bits<'a> {
    data: &'a [u8],
    next: usize,
    acc: u64,
    avail: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Bits<'a> {
        Bits {
            data,
            next: 0,
            acc: 0,
            avail: 0,
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        while self.avail <= 56 {
            match self.data.get(self.next) {
                Some(&b) => {
                    self.acc |= u64::from(b) << (56 - self.avail);
                    self.avail += 8;
                    self.next += 1;
                }
                None => return,
            }
        }
    }

    /// Reads `n` ≤ 32 bits.
    #[inline(always)]
    fn read(&mut self, n: u32) -> Result<u32> {
        if n == 0 {
            return Ok(0);
        }
        if self.avail < n {
            self.refill();
            if self.avail < n {
                return Err(corrupt("the stream ends early"));
            }
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.acc <<= n;
        self.avail -= n;
        Ok(v)
    }

    /// A fundamental sequence: the number of 0 bits before the next 1.
    #[inline(always)]
    fn fs(&mut self) -> Result<u32> {
        let mut count = 0u32;
        loop {
            if self.acc != 0 {
                let zeros = self.acc.leading_zeros();
                self.acc <<= zeros + 1;
                self.avail -= zeros + 1;
                return Ok(count + zeros);
            }
            count = count.saturating_add(self.avail);
            self.avail = 0;
            self.refill();
            if self.avail == 0 {
                return Err(corrupt("the stream ends inside a code"));
            }
        }
    }

    /// Skips to the next byte boundary of the input.
    fn align(&mut self) {
        let drop = self.avail % 8;
        self.acc <<= drop;
        self.avail -= drop;
    }
}

/// Second-extension table: for code m, (sum of the pair, first code with that sum).
fn se_table() -> Vec<(u32, u32)> {
    let mut table = Vec::with_capacity(91);
    for sum in 0..13u32 {
        let first = table.len() as u32;
        for _ in 0..=sum {
            table.push((sum, first));
        }
    }
    table
}

/// Decodes `samples` samples to their values (unsigned, or two's complement bits when
/// [`DATA_SIGNED`]).
pub fn decode_samples(
    input: &[u8],
    bits_per_sample: u32,
    block_size: u32,
    rsi: u32,
    flags: u32,
    samples: usize,
) -> Result<Vec<u32>> {
    if !(1..=32).contains(&bits_per_sample) {
        return Err(Error::invalid(format!(
            "AEC: {} bits per sample",
            bits_per_sample
        )));
    }
    let standard = matches!(block_size, 8 | 16 | 32 | 64);
    if !(standard
        || (flags & NOT_ENFORCE != 0
            && block_size.is_multiple_of(2)
            && (2..=64).contains(&block_size)))
    {
        return Err(Error::invalid(format!("AEC: block size {}", block_size)));
    }
    if !(1..=65_535).contains(&rsi) {
        return Err(Error::invalid(format!(
            "AEC: reference sample interval of {} blocks",
            rsi
        )));
    }
    let id_len = match bits_per_sample {
        17..=32 => 5,
        9..=16 => 4,
        1..=2 if flags & RESTRICTED != 0 => 1,
        3..=4 if flags & RESTRICTED != 0 => 2,
        _ if flags & RESTRICTED != 0 => {
            return Err(Error::invalid(
                "AEC: restricted coding needs at most 4 bits per sample",
            ))
        }
        _ => 3,
    };
    let uncompressed_id = (1u32 << id_len) - 1;
    let preprocess = flags & DATA_PREPROCESS != 0;
    let signed = flags & DATA_SIGNED != 0;
    let se = se_table();
    let block = block_size as usize;
    let rsi_size = rsi as usize * block;
    let mut bits = Bits::new(input);
    let mut out: Vec<u32> = Vec::with_capacity(samples);
    let mut buffer: Vec<u32> = Vec::with_capacity(rsi_size.min(samples + block));
    let predictor = Predictor::new(bits_per_sample, signed);
    while out.len() < samples {
        buffer.clear();
        // Decode blocks of this RSI until it is full or enough samples are known.
        while buffer.len() < rsi_size && out.len() + buffer.len() < samples {
            let reference = preprocess && buffer.is_empty();
            let id = bits.read(id_len)?;
            if id == 0 {
                let second_extension = bits.read(1)? == 1;
                if reference {
                    buffer.push(bits.read(bits_per_sample)?);
                }
                if second_extension {
                    let mut i = usize::from(reference);
                    while i < block {
                        let m = bits.fs()?;
                        if m > SE_TABLE_SIZE {
                            return Err(corrupt("invalid second-extension code"));
                        }
                        let (sum, first) = se[m as usize];
                        let d1 = m - first;
                        if i & 1 == 0 {
                            buffer.push(sum - d1);
                            i += 1;
                        }
                        buffer.push(d1);
                        i += 1;
                    }
                } else {
                    let mut zero_blocks = bits.fs()? + 1;
                    if zero_blocks == ROS {
                        let b = (buffer.len() / block) as u32;
                        zero_blocks = (rsi - b).min(64 - b % 64);
                    } else if zero_blocks > ROS {
                        zero_blocks -= 1;
                    }
                    let zeros = zero_blocks as usize * block - usize::from(reference);
                    if zeros > rsi_size - buffer.len() {
                        return Err(corrupt(
                            "a zero run overflows the reference sample interval",
                        ));
                    }
                    buffer.resize(buffer.len() + zeros, 0);
                }
            } else if id == uncompressed_id {
                for _ in 0..block {
                    buffer.push(bits.read(bits_per_sample)?);
                }
            } else {
                let k = id - 1;
                if reference {
                    buffer.push(bits.read(bits_per_sample)?);
                }
                let start = buffer.len();
                for _ in usize::from(reference)..block {
                    let high = u64::from(bits.fs()?) << k;
                    let high = u32::try_from(high)
                        .map_err(|_| corrupt("a split-sample value overflows 32 bits"))?;
                    buffer.push(high);
                }
                if k > 0 {
                    for v in &mut buffer[start..] {
                        *v = v.wrapping_add(bits.read(k)?);
                    }
                }
            }
        }
        let wanted = (samples - out.len()).min(buffer.len());
        if preprocess {
            predictor.flush(&buffer[..wanted], &mut out);
        } else {
            out.extend_from_slice(&buffer[..wanted]);
        }
        if flags & PAD_RSI != 0 {
            bits.align();
        }
    }
    Ok(out)
}

/// Inverse of the unit-delay predictor's mapping (CCSDS 121.0-B §4.3).
struct Predictor {
    xmax: i64,
    xmin: i64,
    bits: u32,
    signed: bool,
}

impl Predictor {
    fn new(bits: u32, signed: bool) -> Predictor {
        if signed {
            let xmax = (1i64 << (bits - 1)) - 1;
            Predictor {
                xmax,
                xmin: -xmax - 1,
                bits,
                signed,
            }
        } else {
            Predictor {
                xmax: (1i64 << bits) - 1,
                xmin: 0,
                bits,
                signed,
            }
        }
    }

    /// Turns one RSI (reference sample followed by mapped residuals) into values.
    fn flush(&self, rsi: &[u32], out: &mut Vec<u32>) {
        let (first, residuals) = match rsi.split_first() {
            Some(x) => x,
            None => return,
        };
        let mut last = if self.signed {
            let m = 1i64 << (self.bits - 1);
            (i64::from(*first) ^ m) - m
        } else {
            i64::from(*first)
        };
        out.push(last as u32);
        for &d in residuals {
            let d = i64::from(d);
            let half = (d >> 1) + (d & 1);
            // θ: the distance from the previous value to the nearer end of the range.
            let (theta, low_side) = if self.signed {
                if last < 0 {
                    (last - self.xmin, true)
                } else {
                    (self.xmax - last, false)
                }
            } else if last < (self.xmax >> 1) + 1 {
                (last, true)
            } else {
                (self.xmax - last, false)
            };
            last = if half <= theta {
                if d & 1 == 0 {
                    last + (d >> 1)
                } else {
                    last - half
                }
            } else if low_side {
                self.xmin + d
            } else {
                self.xmax - d
            };
            out.push(last as u32);
        }
    }
}
