//! Complex numbers in HDF5: h5py writes them as a compound of two floats named `r` and
//! `i`; HDF5 2.0 has a datatype class of its own (11). Both become [`Datatype::Complex`];
//! every other compound stays unsupported.

use super::datatype::{parse_nested, Datatype};
use super::io::{bytes_needed, Cursor};
use crate::error::Result;

/// A compound that is h5py's complex number — members `r` and `i`, IEEE floats of one size
/// and byte order, back to back — as `Complex`; `None` for every other compound (which stays
/// unsupported) or one whose member list cannot be read.
pub fn from_compound(
    c: &mut Cursor,
    version: u8,
    bits: u32,
    size: usize,
    depth: usize,
) -> Option<Datatype> {
    let count = (bits & 0xFFFF) as usize;
    if count != 2 {
        return None;
    }
    let mut members = Vec::with_capacity(2);
    for _ in 0..count {
        let start = c.pos();
        let name = c.cstring().ok()?.to_vec();
        if version < 3 {
            let used = c.pos() - start;
            c.skip((8 - used % 8) % 8).ok()?;
        }
        let offset = if version < 3 {
            c.u32().ok()? as usize
        } else {
            c.uint(bytes_needed(size as u64)).ok()? as usize
        };
        if version == 1 {
            // Dimensionality, reserved, permutation, reserved, four dimension sizes.
            let rank = c.u8().ok()?;
            c.skip(3 + 4 + 4 + 16).ok()?;
            if rank != 0 {
                return None;
            }
        }
        let member = parse_nested(c, depth + 1).ok()?;
        members.push((name, offset, member));
    }
    match (&members[0], &members[1]) {
        (
            (
                re,
                0,
                Datatype::Float {
                    size: a,
                    big_endian: ea,
                },
            ),
            (
                im,
                at,
                Datatype::Float {
                    size: b,
                    big_endian: eb,
                },
            ),
        ) if re.as_slice() == b"r"
            && im.as_slice() == b"i"
            && a == b
            && ea == eb
            && *at == *a
            && size == 2 * *a
            && *a >= 4 =>
        {
            Some(Datatype::Complex {
                size,
                big_endian: *ea,
            })
        }
        _ => None,
    }
}

/// HDF5 2.0's complex class: bit 0 homogeneous, bits 1-2 the form (0 rectangular), then the
/// type of each part.
pub fn from_complex_class(
    c: &mut Cursor,
    bits: u32,
    size: usize,
    depth: usize,
) -> Result<Datatype> {
    match parse_nested(c, depth + 1)? {
        Datatype::Float {
            size: part,
            big_endian,
        } if bits & 0x7 == 1 && size == 2 * part && part >= 4 => {
            Ok(Datatype::Complex { size, big_endian })
        }
        _ => Ok(Datatype::Other { class: 11, size }),
    }
}

#[cfg(test)]
mod tests {
    use crate::hdf5::datatype::{parse_bytes, Datatype};

    /// A version-3 compound {r: f4, i: f4} (little-endian), as h5py writes complex64.
    fn complex64() -> Vec<u8> {
        let f4 = [
            0x11u8, 0x20, 31, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0,
        ];
        let mut b = vec![0x36, 2, 0, 0, 8, 0, 0, 0];
        b.extend_from_slice(b"r\0");
        b.push(0);
        b.extend_from_slice(&f4);
        b.extend_from_slice(b"i\0");
        b.push(4);
        b.extend_from_slice(&f4);
        b
    }

    #[test]
    fn reads_h5py_complex_and_survives_truncation() {
        let full = complex64();
        assert_eq!(parse_bytes(&full).unwrap().numpy_dtype().unwrap(), "<c8");
        // Cut anywhere: an error or an unsupported compound, never a panic or a complex type.
        for n in 0..full.len() {
            if let Ok(t) = parse_bytes(&full[..n]) {
                assert!(!matches!(t, Datatype::Complex { .. }), "cut at {}", n);
            }
        }
        // Other member names are a plain (unsupported) compound.
        let mut xy = full.clone();
        xy[8] = b'x';
        assert!(parse_bytes(&xy).unwrap().numpy_dtype().is_err());
    }
}
