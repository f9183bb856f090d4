//! Byte access for the HDF5 scanner: a [`Source`] that turns HDF5 addresses (relative to the
//! superblock's base) into reads from the [`ByteCache`], and a bounds-checked little-endian
//! [`Cursor`] over bytes already held. Every width-dependent field (addresses are `O` bytes,
//! lengths `L` bytes) goes through here so the rest of the scanner never indexes raw slices.

use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Step, Stop};

/// Where HDF5 addresses point and how wide they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// File position of address 0 (the superblock's position; > 0 behind a user block).
    pub base: u64,
    /// "Size of offsets": bytes per address.
    pub o: usize,
    /// "Size of lengths": bytes per length field.
    pub l: usize,
}

/// The held bytes of one file, addressed the HDF5 way.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    cache: &'a ByteCache,
    pub geo: Geometry,
}

impl<'a> Source<'a> {
    pub fn new(cache: &'a ByteCache, geo: Geometry) -> Source<'a> {
        Source { cache, geo }
    }

    /// File position of HDF5 address `addr`.
    pub fn position(&self, addr: u64) -> Result<u64> {
        self.geo.base.checked_add(addr).ok_or_else(|| {
            Error::corrupt(format!(
                "address {:#x} overflows the file position range",
                addr
            ))
        })
    }

    /// `len` bytes at address `addr`.
    pub fn read(&self, addr: u64, len: u64) -> Step<&'a [u8]> {
        let pos = self.position(addr)?;
        self.cache.read(pos, len)
    }

    /// `len` bytes at file position `pos` (not an HDF5 address: chunk offsets in manifests
    /// are already absolute).
    pub fn read_position(&self, pos: u64, len: u64) -> Step<&'a [u8]> {
        self.cache.read(pos, len)
    }

    /// `len` bytes at `addr`; when they are not held yet, asks for up to `hint` bytes instead
    /// (clipped to the end of the file) so the follow-up read of a structure whose exact size
    /// is only known from its first bytes usually needs no second round trip.
    pub fn read_ahead(&self, addr: u64, len: u64, hint: u64) -> Step<&'a [u8]> {
        let pos = self.position(addr)?;
        match self.cache.read(pos, len) {
            Err(Stop::Need(range)) => {
                let available = self.cache.file_size().saturating_sub(pos);
                let want = hint.max(len).min(available.max(len));
                Err(Stop::Need(ByteRange::new(range.offset, want)))
            }
            other => other,
        }
    }

    /// A cursor over `len` bytes at `addr`.
    pub fn cursor(&self, addr: u64, len: u64, what: &'static str) -> Step<Cursor<'a>> {
        let bytes = self.read(addr, len)?;
        Ok(Cursor::new(bytes, self.geo, addr, what))
    }
}

/// True when `bytes` is the "undefined address" pattern (all bits set).
#[inline]
pub fn all_ones(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0xFF)
}

/// Little-endian unsigned integer of 1..=8 bytes.
#[inline]
pub fn le_uint(bytes: &[u8]) -> u64 {
    // Addresses and lengths are almost always 8 or 4 bytes: one load instead of a byte loop,
    // which matters for wasm's baseline compiler (a scan reads millions of them).
    if let Ok(b) = <[u8; 8]>::try_from(bytes) {
        return u64::from_le_bytes(b);
    }
    if let Ok(b) = <[u8; 4]>::try_from(bytes) {
        return u64::from(u32::from_le_bytes(b));
    }
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// A bounds-checked reader over bytes that are already held. Errors name the structure
/// (`what`) and the HDF5 address of the failing field.
#[derive(Clone)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    geo: Geometry,
    /// HDF5 address of `buf[0]`, for error offsets.
    addr: u64,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8], geo: Geometry, addr: u64, what: &'static str) -> Cursor<'a> {
        Cursor {
            buf,
            pos: 0,
            geo,
            addr,
            what,
        }
    }

    pub fn geo(&self) -> Geometry {
        self.geo
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// HDF5 address of the next byte.
    pub fn addr_here(&self) -> u64 {
        self.addr.wrapping_add(self.pos as u64)
    }

    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::corrupt(format!("{}: {}", self.what, message.into()))
            .at_offset(self.geo.base.wrapping_add(self.addr_here()))
    }

    fn truncated(&self, want: usize) -> Error {
        self.error(format!(
            "needs {} more bytes at byte {} but only {} remain",
            want,
            self.pos,
            self.remaining()
        ))
    }

    pub fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.buf.len() {
            return Err(self.truncated(pos - self.pos.min(pos)));
        }
        self.pos = pos;
        Ok(())
    }

    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.truncated(n));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16> {
        Ok(le_uint(self.bytes(2)?) as u16)
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(le_uint(self.bytes(4)?) as u32)
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(le_uint(self.bytes(8)?))
    }

    /// An unsigned little-endian field of `n` (0..=8) bytes.
    pub fn uint(&mut self, n: usize) -> Result<u64> {
        if n > 8 {
            return Err(self.error(format!("a {}-byte integer field is not supported", n)));
        }
        Ok(le_uint(self.bytes(n)?))
    }

    /// An address field; `None` when undefined (all bits set).
    pub fn addr(&mut self) -> Result<Option<u64>> {
        let raw = self.bytes(self.geo.o)?;
        Ok(if all_ones(raw) {
            None
        } else {
            Some(le_uint(raw))
        })
    }

    /// An address field that must be defined.
    pub fn defined_addr(&mut self, field: &str) -> Result<u64> {
        let at = self.pos;
        match self.addr()? {
            Some(a) => Ok(a),
            None => {
                self.pos = at;
                Err(self.error(format!("the {} address is undefined", field)))
            }
        }
    }

    /// A length field; `None` when all bits are set (HDF5's "unlimited").
    pub fn length(&mut self) -> Result<Option<u64>> {
        let raw = self.bytes(self.geo.l)?;
        Ok(if all_ones(raw) {
            None
        } else {
            Some(le_uint(raw))
        })
    }

    /// A length field that must be an ordinary number.
    pub fn len_field(&mut self, field: &str) -> Result<u64> {
        match self.length()? {
            Some(v) => Ok(v),
            None => Err(self.error(format!("the {} field is all ones", field))),
        }
    }

    /// Checks a 4-byte signature.
    pub fn expect_signature(&mut self, sig: &[u8; 4]) -> Result<()> {
        let got = self.bytes(4)?;
        if got != sig {
            return Err(Error::corrupt(format!(
                "{}: expected signature {:?}, found {:?}",
                self.what,
                String::from_utf8_lossy(sig),
                String::from_utf8_lossy(got)
            ))
            .at_offset(self.geo.base.wrapping_add(self.addr)));
        }
        Ok(())
    }

    /// A NUL-terminated string (the NUL is consumed, not returned).
    pub fn cstring(&mut self) -> Result<&'a [u8]> {
        let rest = &self.buf[self.pos..];
        match rest.iter().position(|&b| b == 0) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => Err(self.error("a string is not NUL-terminated")),
        }
    }
}

/// Bytes needed to encode `value` as an unsigned integer (HDF5 `H5VM_limit_enc_size`).
pub fn bytes_needed(value: u64) -> usize {
    log2_floor(value) as usize / 8 + 1
}

/// `floor(log2(v))`, with 0 for v = 0.
pub fn log2_floor(v: u64) -> u32 {
    63 - v.max(1).leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo() -> Geometry {
        Geometry {
            base: 0,
            o: 8,
            l: 8,
        }
    }

    #[test]
    fn reads_fields_and_reports_truncation() {
        let bytes = [1u8, 2, 0, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        let mut c = Cursor::new(&bytes, geo(), 100, "test");
        assert_eq!(c.u8().unwrap(), 1);
        assert_eq!(c.u16().unwrap(), 2);
        assert_eq!(c.u32().unwrap(), 3);
        let e = c.u64().unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::CorruptFile);
        assert_eq!(e.offset, Some(107));
    }

    #[test]
    fn detects_undefined_addresses() {
        let bytes = [0xFFu8; 8];
        let mut c = Cursor::new(&bytes, geo(), 0, "test");
        assert_eq!(c.addr().unwrap(), None);
        let g = Geometry {
            base: 0,
            o: 4,
            l: 4,
        };
        let bytes = [1u8, 0, 0, 0];
        let mut c = Cursor::new(&bytes, g, 0, "test");
        assert_eq!(c.addr().unwrap(), Some(1));
    }

    #[test]
    fn counts_bytes_needed() {
        assert_eq!(bytes_needed(0), 1);
        assert_eq!(bytes_needed(255), 1);
        assert_eq!(bytes_needed(256), 2);
        assert_eq!(bytes_needed(65535), 2);
        assert_eq!(bytes_needed(65536), 3);
        assert_eq!(log2_floor(1), 0);
        assert_eq!(log2_floor(1024), 10);
        assert_eq!(log2_floor(1025), 10);
    }
}
