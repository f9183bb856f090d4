//! The byte format of arguments and results across the raw wasm ABI.
//!
//! Every export takes one argument buffer and leaves one result buffer. Both are
//! little-endian sequences of: `u32`, `f64`, byte strings (`u32` length + bytes), lists of
//! strings (`u32` count + strings), and typed columns (`u32` count + packed values). The
//! TypeScript glue (`ts/src/backend/wire.ts`) writes and reads the same layout.
//!
//! Typed columns are the large items (a million-chunk manifest's ids, offsets and lengths):
//! they cross as their bytes, one `memcpy` each way, not value by value (which took about
//! as long as everything else in `manifest_from_columns` and `manifest_columns`).

use vzarr_core::{Error, Result};

/// The element types of typed columns.
///
/// # Safety
/// Implementors must be plain numbers without padding, valid for every bit pattern: columns
/// are copied to and from bytes wholesale.
pub unsafe trait Element: Copy {
    /// Between little-endian and native byte order (the identity on little-endian targets).
    fn swap_le(self) -> Self;
}

// SAFETY: plain numbers, every bit pattern valid.
unsafe impl Element for u32 {
    fn swap_le(self) -> Self {
        u32::from_le(self)
    }
}

// SAFETY: as above.
unsafe impl Element for u64 {
    fn swap_le(self) -> Self {
        u64::from_le(self)
    }
}

// SAFETY: as above.
unsafe impl Element for f64 {
    fn swap_le(self) -> Self {
        f64::from_bits(u64::from_le(self.to_bits()))
    }
}

/// The bytes of a column in native order.
fn bytes_of<T: Element>(values: &[T]) -> &[u8] {
    // SAFETY: `T` has no padding (Element's contract), so the slice's memory is
    // `size_of_val(values)` initialised bytes, borrowed for as long as `values`.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), size_of_val(values)) }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    fn malformed() -> Error {
        Error::invalid("malformed argument buffer from the wasm glue")
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(Self::malformed)?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn f64(&mut self) -> Result<f64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    pub fn string(&mut self) -> Result<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::invalid("argument string is not UTF-8"))
    }

    pub fn strings(&mut self) -> Result<Vec<String>> {
        let n = self.u32()? as usize;
        // Each string needs at least its 4-byte length, which bounds the allocation.
        if n > (self.bytes.len() - self.pos) / 4 {
            return Err(Error::invalid("malformed string list from the wasm glue"));
        }
        (0..n).map(|_| self.string()).collect()
    }

    /// A typed column, copied out of the argument buffer in one `memcpy` (the buffer has no
    /// alignment, and the core keeps the column beyond the call).
    pub fn column<T: Element>(&mut self) -> Result<Vec<T>> {
        let n = self.u32()? as usize;
        let size = n.checked_mul(size_of::<T>()).ok_or_else(Self::malformed)?;
        let b = self.take(size)?;
        let mut v = Vec::<T>::with_capacity(n);
        // SAFETY: `v` has room for `n` values, which is `size` bytes, all of them written
        // here from `b` (a different allocation); `T` is valid for every bit pattern.
        unsafe {
            std::ptr::copy_nonoverlapping(b.as_ptr(), v.as_mut_ptr().cast::<u8>(), size);
            v.set_len(n);
        }
        if cfg!(target_endian = "big") {
            v.iter_mut().for_each(|x| *x = x.swap_le());
        }
        Ok(v)
    }

    pub fn u32s(&mut self) -> Result<Vec<u32>> {
        self.column()
    }

    pub fn u64s(&mut self) -> Result<Vec<u64>> {
        self.column()
    }

    pub fn f64s(&mut self) -> Result<Vec<f64>> {
        self.column()
    }
}

#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(b.len() as u32);
        self.buf.extend_from_slice(b);
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn strings(&mut self, list: &[String]) -> &mut Self {
        self.u32(list.len() as u32);
        for s in list {
            self.string(s);
        }
        self
    }

    /// A typed column: its count, then its values' bytes in one `memcpy`.
    pub fn column<T: Element>(&mut self, v: &[T]) -> &mut Self {
        self.u32(v.len() as u32);
        if cfg!(target_endian = "big") {
            self.buf.reserve(size_of_val(v));
            for x in v {
                self.buf.extend_from_slice(bytes_of(&[x.swap_le()]));
            }
        } else {
            self.buf.extend_from_slice(bytes_of(v));
        }
        self
    }

    pub fn u32s(&mut self, v: &[u32]) -> &mut Self {
        self.column(v)
    }

    pub fn u64s(&mut self, v: &[u64]) -> &mut Self {
        self.column(v)
    }

    pub fn f64s(&mut self, v: &[f64]) -> &mut Self {
        self.column(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_as_little_endian_bytes() {
        let ids = vec![0u32, 1, 0xfffffffe, 0xffffffff];
        let offsets = vec![0u64, 1 << 40, u64::MAX, 4096];
        let shape = vec![1.5f64, -0.0, f64::MAX];
        let mut w = Writer::default();
        w.u32(7)
            .u32s(&ids)
            .u64s(&offsets)
            .f64s(&shape)
            .string("päth");
        // The layout is fixed: count, then values least significant byte first.
        assert_eq!(&w.buf[4..8], &4u32.to_le_bytes());
        assert_eq!(&w.buf[8..12], &[0, 0, 0, 0]);
        assert_eq!(&w.buf[16..20], &[0xfe, 0xff, 0xff, 0xff]);
        assert_eq!(&w.buf[36..44], &[0, 0, 0, 0, 0, 1, 0, 0]);
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.u32s().unwrap(), ids);
        assert_eq!(r.u64s().unwrap(), offsets);
        let back = r.f64s().unwrap();
        assert_eq!(
            back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            shape.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(r.string().unwrap(), "päth");
    }

    #[test]
    fn short_or_oversized_columns_are_malformed() {
        // Count 3 of u64 but only 16 bytes follow.
        let mut buf = 3u32.to_le_bytes().to_vec();
        buf.extend_from_slice(&[0; 16]);
        assert!(Reader::new(&buf).u64s().is_err());
        // A count far beyond the buffer (its byte size overflows usize on wasm32).
        let buf = u32::MAX.to_le_bytes();
        assert!(Reader::new(&buf).f64s().is_err());
        // An empty column reads back empty.
        let buf = 0u32.to_le_bytes();
        assert!(Reader::new(&buf).u32s().unwrap().is_empty());
    }
}
