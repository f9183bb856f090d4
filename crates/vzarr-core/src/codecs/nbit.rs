//! HDF5's n-bit filter (`vzarr.nbit`, HDF5 filter 5) for integer datasets, as `H5Znbit.c`
//! decodes it, followed by the conversion HDF5 applies when reading.
//!
//! An HDF5 integer type may use only `precision` bits of its `size` bytes, starting at bit
//! `offset` (`H5Tset_precision`, `H5Tset_offset`). The filter stores each element's
//! significant bits, most significant first, one element after the other with no padding
//! (see [`super::bits`]); decoding puts them back at their bit position and leaves every
//! other bit 0 — a buffer of the file's datatype. Reading such a dataset, HDF5 converts that
//! datatype to a native integer of the same size: the field shifted down by `offset`, and
//! sign-extended from its top bit for signed types. The codec applies that conversion too,
//! so a decoded chunk holds the values h5py reads, in the plain `size`-byte dtype the
//! scanner reports — which is why this codec must be the first filter of the pipeline.
//!
//! The configuration carries the filter's client data for one atomic type (`cd_values[2..8]`:
//! elements per chunk, class 1 = atomic, size, byte order, precision, offset) and the
//! datatype's sign, which the client data lack: `{"nelmts": n, "size": bytes, "order":
//! "little"|"big", "precision": bits, "offset": bits, "signed": bool}`. Array and compound
//! datatypes (classes 2 and 3) are not decoded. When HDF5 found nothing to pack
//! (`cd_values[1]`, full-precision types) the filter stores the data unchanged and the
//! scanner emits no codec for it.

use crate::error::{Error, Result};
use crate::json::Json;

use super::bits::{put_uint, BitReader};
use super::{config_u64, DecodeContext, MAX_DECODED_BYTES};

const WHAT: &str = "nbit";

/// `H5Z_NBIT_ATOMIC`, `H5Z_NBIT_ARRAY`, `H5Z_NBIT_COMPOUND`.
const ATOMIC: u32 = 1;
const ARRAY: u32 = 2;
const COMPOUND: u32 = 3;

/// One integer dataset's n-bit parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NbitParams {
    /// Elements per chunk (edge chunks are whole chunks too).
    pub nelmts: u64,
    /// Element size in bytes (1..=8).
    pub size: usize,
    pub big_endian: bool,
    /// Significant bits per element and the position of the lowest one.
    pub precision: u32,
    pub offset: u32,
    /// Whether the datatype is signed (the field's top bit is its sign).
    pub signed: bool,
}

impl NbitParams {
    /// From HDF5's client data for a dataset of `item_size`-byte integers (`signed` from
    /// its datatype). `Ok(None)` when the filter stores the data unchanged.
    pub fn from_cd_values(
        cd: &[u32],
        item_size: usize,
        signed: bool,
    ) -> Result<Option<NbitParams>> {
        // cd_values[0] is the parameter count; H5Z__filter_nbit refuses a mismatch.
        if cd.len() < 3 || cd[0] as usize != cd.len() {
            return Err(Error::corrupt(format!(
                "the n-bit filter's {} client values do not match the count they announce",
                cd.len()
            )));
        }
        if cd[1] != 0 {
            return Ok(None);
        }
        match cd.get(3).copied() {
            Some(ATOMIC) => {}
            Some(ARRAY) | Some(COMPOUND) => {
                return Err(Error::unsupported(
                    "the n-bit filter on array or compound datatypes is not decoded by vzarr",
                ))
            }
            other => {
                return Err(Error::corrupt(format!(
                    "n-bit: datatype class code {:?} is not valid here",
                    other
                )))
            }
        }
        if cd.len() != 8 {
            return Err(Error::corrupt(format!(
                "n-bit: an atomic type has 8 client values, not {}",
                cd.len()
            )));
        }
        let size = cd[4] as usize;
        if size != item_size {
            return Err(Error::corrupt(format!(
                "the n-bit filter describes {}-byte elements, the dataset has {}-byte ones",
                size, item_size
            )));
        }
        let big_endian = match cd[5] {
            0 => false,
            1 => true,
            other => {
                return Err(Error::corrupt(format!(
                    "n-bit: byte order code {} is not valid",
                    other
                )))
            }
        };
        let params = NbitParams {
            nelmts: u64::from(cd[2]),
            size,
            big_endian,
            precision: cd[6],
            offset: cd[7],
            signed,
        };
        params.validate()?;
        Ok(Some(params))
    }

    fn validate(&self) -> Result<()> {
        if !(1..=8).contains(&self.size) {
            return Err(Error::unsupported(format!(
                "n-bit on {}-byte integers",
                self.size
            )));
        }
        let width = 8 * self.size as u64;
        // H5Z__nbit_decompress: "invalid datatype precision/offset".
        if self.precision == 0 || u64::from(self.precision) + u64::from(self.offset) > width {
            return Err(Error::corrupt(format!(
                "n-bit: {} bits at offset {} do not fit {}-byte elements",
                self.precision, self.offset, self.size
            )));
        }
        Ok(())
    }

    pub fn to_config(&self) -> Json {
        Json::object(vec![
            ("nelmts", Json::UInt(self.nelmts)),
            ("size", Json::UInt(self.size as u64)),
            (
                "order",
                Json::from(if self.big_endian { "big" } else { "little" }),
            ),
            ("precision", Json::UInt(u64::from(self.precision))),
            ("offset", Json::UInt(u64::from(self.offset))),
            ("signed", Json::Bool(self.signed)),
        ])
    }

    pub fn from_config(config: &Json) -> Result<NbitParams> {
        let field = |key: &str| -> Result<u32> {
            u32::try_from(config_u64(config, key, None)?)
                .map_err(|_| Error::invalid(format!("nbit configuration {} is out of range", key)))
        };
        let big_endian = match config.get("order").and_then(Json::as_str) {
            Some("little") => false,
            Some("big") => true,
            _ => {
                return Err(Error::invalid(
                    "nbit configuration order must be \"little\" or \"big\"",
                ))
            }
        };
        let signed = match config.get("signed") {
            Some(Json::Bool(b)) => *b,
            _ => return Err(Error::invalid("nbit configuration needs \"signed\"")),
        };
        let params = NbitParams {
            nelmts: u64::from(field("nelmts")?),
            size: field("size")? as usize,
            big_endian,
            precision: field("precision")?,
            offset: field("offset")?,
            signed,
        };
        params.validate()?;
        Ok(params)
    }

    /// Unpacks one stored chunk into full-width integers.
    pub fn decode(&self, input: &[u8]) -> Result<Vec<u8>> {
        let out_len = usize::try_from(self.nelmts)
            .ok()
            .and_then(|n| n.checked_mul(self.size))
            .filter(|&n| n <= MAX_DECODED_BYTES)
            .ok_or_else(|| {
                Error::limit(format!(
                    "nbit: {} elements of {} bytes exceed the decoded size limit",
                    self.nelmts, self.size
                ))
            })?;
        let mut reader = BitReader::new(input);
        if !reader.holds(self.nelmts, self.precision) {
            return Err(Error::corrupt(format!(
                "nbit: {} bytes cannot hold {} values of {} bits",
                input.len(),
                self.nelmts,
                self.precision
            )));
        }
        // Sign extension from the field's top bit: shift it to bit 63 and back.
        let spare = 64 - self.precision;
        let mut out = vec![0u8; out_len];
        for element in out.chunks_exact_mut(self.size) {
            let field = reader.read(self.precision, WHAT)?;
            let value = if self.signed {
                ((field << spare) as i64 >> spare) as u64
            } else {
                field
            };
            put_uint(element, value, self.big_endian);
        }
        Ok(out)
    }
}

pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let params = NbitParams::from_config(config)?;
    ctx.check_elements("nbit", params.size, params.nelmts)?;
    params.decode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(size: u32, order: u32, precision: u32, offset: u32, signed: bool) -> NbitParams {
        NbitParams::from_cd_values(
            &[8, 0, 4, ATOMIC, size, order, precision, offset],
            size as usize,
            signed,
        )
        .unwrap()
        .unwrap()
    }

    /// Packs `fields` of `bits` bits MSB first, as H5Z__nbit_compress does.
    fn pack(fields: &[u64], bits: u32) -> Vec<u8> {
        let mut out = vec![0u8; (fields.len() * bits as usize).div_ceil(8) + 1];
        let mut at = 0usize;
        for &f in fields {
            for b in (0..bits).rev() {
                if f >> b & 1 == 1 {
                    out[at / 8] |= 0x80 >> (at % 8);
                }
                at += 1;
            }
        }
        out
    }

    #[test]
    fn signed_fields_are_sign_extended_and_shifted_down() {
        // 12-bit signed fields (stored at offset 4 of an i32): -1800, -1, 0, 2047.
        let p = params(4, 0, 12, 4, true);
        let fields = [4096 - 1800, 4095, 0, 2047];
        let out = p.decode(&pack(&fields, 12)).unwrap();
        let values: Vec<i32> = out
            .chunks(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(values, [-1800, -1, 0, 2047]);
    }

    #[test]
    fn unsigned_big_endian_and_one_byte_fields() {
        let p = params(2, 1, 10, 3, false);
        let out = p.decode(&pack(&[1023, 0, 512, 7], 10)).unwrap();
        assert_eq!(out, [0x03, 0xFF, 0, 0, 0x02, 0x00, 0, 7]);
        let p = params(1, 0, 3, 2, true);
        let out = p.decode(&pack(&[0b111, 0b011, 0b100, 0], 3)).unwrap();
        assert_eq!(out, [0xFF, 3, 0xFC, 0]);
        // A 64-bit field at offset 0.
        let p = params(8, 0, 64, 0, true);
        let out = p.decode(&pack(&[u64::MAX, 1, 2, 3], 64)).unwrap();
        assert_eq!(&out[..8], &[0xFF; 8]);
    }

    #[test]
    fn configuration_round_trips() {
        let p = params(8, 1, 40, 20, true);
        assert_eq!(NbitParams::from_config(&p.to_config()).unwrap(), p);
    }

    #[test]
    fn no_op_and_unsupported_layouts() {
        assert_eq!(
            NbitParams::from_cd_values(&[8, 1, 10, ATOMIC, 4, 0, 32, 0], 4, true).unwrap(),
            None
        );
        // A string dataset: three values, nothing to pack.
        assert_eq!(
            NbitParams::from_cd_values(&[3, 1, 10], 5, false).unwrap(),
            None
        );
        let compound = [12, 0, 10, COMPOUND, 8, 2, 0, ATOMIC, 4, 0, 12, 0];
        assert_eq!(
            NbitParams::from_cd_values(&compound, 8, false)
                .unwrap_err()
                .kind,
            crate::ErrorKind::UnsupportedFeature
        );
    }

    #[test]
    fn hostile_parameters_and_chunks_fail_cleanly() {
        let bad = |cd: &[u32]| NbitParams::from_cd_values(cd, 4, true).unwrap_err().kind;
        use crate::ErrorKind::CorruptFile;
        assert_eq!(bad(&[9, 0, 4, ATOMIC, 4, 0, 12, 4]), CorruptFile); // count mismatch
        assert_eq!(bad(&[8, 0, 4, ATOMIC, 4, 0, 30, 4]), CorruptFile); // past the element
        assert_eq!(bad(&[8, 0, 4, ATOMIC, 4, 0, 0, 4]), CorruptFile); // no bits
        assert_eq!(bad(&[8, 0, 4, ATOMIC, 4, 2, 12, 4]), CorruptFile); // byte order
        assert_eq!(bad(&[8, 0, 4, ATOMIC, 2, 0, 12, 4]), CorruptFile); // size mismatch
        assert_eq!(bad(&[8, 0, 4, 9, 4, 0, 12, 4]), CorruptFile); // class
        let p = params(4, 0, 12, 4, true);
        assert_eq!(p.decode(&[0; 5]).unwrap_err().kind, CorruptFile);
        let mut huge = p;
        huge.nelmts = u64::from(u32::MAX);
        assert_eq!(
            huge.decode(&[]).unwrap_err().kind,
            crate::ErrorKind::LimitExceeded
        );
        let ctx = DecodeContext {
            dtype: "<i4".to_string(),
            chunk_shape: vec![5],
        };
        assert!(decode(&[0; 8], &p.to_config(), &ctx).is_err());
    }
}
