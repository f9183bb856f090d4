//! The byte format of arguments and results across the raw wasm ABI.
//!
//! Every export takes one argument buffer and leaves one result buffer, both little-endian
//! sequences of `u32`, `f64`, strings (`u32` length + UTF-8) and the items below. The
//! TypeScript glue (`ts/src/backend/wire.ts`) writes and reads the same layout.
//!
//! * Arguments: byte strings are `u32` length + bytes, lists of strings `u32` count +
//!   strings, typed columns `u32` count + packed values. Columns are copied out of the
//!   buffer in one `memcpy` each, not value by value.
//! * Results: byte strings and typed columns are `u32` length or count + `u32` address of
//!   the values where the core left them ([`Kept`], aligned, alive until the next call),
//!   which the glue copies out once. A million-chunk manifest's columns thus cost no copy
//!   here (they took about as long as everything else in `manifest_columns` when they were
//!   encoded value by value, and a `memcpy` into the result buffer still cost a fifth).

use vzarr_core::{Error, Result};

/// The element types of typed columns.
///
/// # Safety
/// Implementors must be plain numbers without padding, valid for every bit pattern: columns
/// are copied to and from bytes wholesale.
pub unsafe trait Element: Copy + Send + 'static {
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

/// Values a result refers to by address instead of holding them (owned, never read here).
pub type Kept = Box<dyn Send>;

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

/// A result: its buffer and the values it refers to (see the module's documentation).
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
    pub kept: Vec<Kept>,
}

impl Writer {
    pub const EMPTY: Writer = Writer {
        buf: Vec::new(),
        kept: Vec::new(),
    };

    /// A result that is these bytes alone.
    pub fn raw(buf: Vec<u8>) -> Writer {
        Writer {
            buf,
            kept: Vec::new(),
        }
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    pub fn strings(&mut self, list: &[String]) -> &mut Self {
        self.u32(list.len() as u32);
        for s in list {
            self.string(s);
        }
        self
    }

    /// The length and address of values kept until the next call. Addresses are wasm32's
    /// (the crate also compiles natively, for its tests, where they are truncated).
    fn refer<V: Send + 'static>(&mut self, len: usize, ptr: *const u8, values: V) -> &mut Self {
        self.u32(len as u32).u32(ptr as usize as u32);
        self.kept.push(Box::new(values));
        self
    }

    /// A byte string by reference.
    pub fn bytes(&mut self, b: Vec<u8>) -> &mut Self {
        self.refer(b.len(), b.as_ptr(), b)
    }

    /// A typed column by reference, in little-endian order.
    pub fn column<T: Element>(&mut self, mut v: Vec<T>) -> &mut Self {
        if cfg!(target_endian = "big") {
            v.iter_mut().for_each(|x| *x = x.swap_le());
        }
        self.refer(v.len(), v.as_ptr().cast::<u8>(), v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An argument buffer as the glue writes it.
    fn args(ids: &[u32], offsets: &[u64], shape: &[f64]) -> Vec<u8> {
        let mut b = 7u32.to_le_bytes().to_vec();
        b.extend_from_slice(&(ids.len() as u32).to_le_bytes());
        ids.iter()
            .for_each(|x| b.extend_from_slice(&x.to_le_bytes()));
        b.extend_from_slice(&(offsets.len() as u32).to_le_bytes());
        offsets
            .iter()
            .for_each(|x| b.extend_from_slice(&x.to_le_bytes()));
        b.extend_from_slice(&(shape.len() as u32).to_le_bytes());
        shape
            .iter()
            .for_each(|x| b.extend_from_slice(&x.to_le_bytes()));
        b.extend_from_slice(&5u32.to_le_bytes());
        b.extend_from_slice("päth".as_bytes());
        b
    }

    #[test]
    fn argument_columns_are_read_from_little_endian_bytes() {
        let ids = [0u32, 1, 0xfffffffe, 0xffffffff];
        let offsets = [0u64, 1 << 40, u64::MAX, 4096];
        let shape = [1.5f64, -0.0, f64::MAX];
        let buf = args(&ids, &offsets, &shape);
        let mut r = Reader::new(&buf);
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.u32s().unwrap(), ids);
        assert_eq!(r.u64s().unwrap(), offsets);
        let back = r.f64s().unwrap();
        assert_eq!(back.map_bits(), shape.map_bits());
        assert_eq!(r.string().unwrap(), "päth");
        assert!(r.u32().is_err());
    }

    trait Bits {
        fn map_bits(&self) -> Vec<u64>;
    }
    impl Bits for [f64] {
        fn map_bits(&self) -> Vec<u64> {
            self.iter().map(|x| x.to_bits()).collect()
        }
    }

    #[test]
    fn short_or_oversized_argument_columns_are_malformed() {
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

    #[test]
    fn result_columns_and_bytes_are_kept_and_referred_to() {
        let offsets = vec![1u64, 2, 3];
        let at = offsets.as_ptr() as usize as u32;
        let values = offsets.as_ptr();
        let mut w = Writer::default();
        w.u32(9).column(offsets).bytes(vec![]).string("é");
        assert_eq!(&w.buf[0..4], &9u32.to_le_bytes());
        assert_eq!(&w.buf[4..8], &3u32.to_le_bytes());
        // The values did not move: the result refers to them where they are.
        assert_eq!(&w.buf[8..12], &at.to_le_bytes());
        assert_eq!(&w.buf[12..16], &0u32.to_le_bytes());
        assert_eq!(&w.buf[20..], &[2, 0, 0, 0, 0xc3, 0xa9]);
        assert_eq!(w.kept.len(), 2);
        // SAFETY: `w.kept` owns the column, alive and unchanged.
        assert_eq!(unsafe { std::slice::from_raw_parts(values, 3) }, &[1, 2, 3]);
    }
}
