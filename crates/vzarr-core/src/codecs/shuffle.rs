//! The HDF5 / numcodecs byte shuffle (`numcodecs.shuffle`, HDF5 filter 2).
//!
//! Encoding stores byte 0 of every element, then byte 1 of every element, and so on. HDF5
//! (`H5Z__filter_shuffle`) copies the bytes past the last whole element unchanged at the
//! end, and leaves buffers of one element (or 1-byte elements) untouched.

use crate::error::{Error, Result};
use crate::json::Json;

use super::{config_u64, DecodeContext};

/// `{"elementsize": N}`; without it the dtype's item size is used.
pub fn decode(input: &[u8], config: &Json, ctx: &DecodeContext) -> Result<Vec<u8>> {
    let size = match config.get("elementsize") {
        Some(_) => config_u64(config, "elementsize", None)?,
        None => ctx.item_size()? as u64,
    };
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| Error::invalid(format!("shuffle element size {} is not usable", size)))?;
    let mut out = vec![0u8; input.len()];
    unshuffle(input, size, &mut out);
    Ok(out)
}

/// Un-transposes `input` (elements of `size` bytes) into `out`, which has the same length.
pub fn unshuffle(input: &[u8], size: usize, out: &mut [u8]) {
    let n = input.len() / size.max(1);
    if size <= 1 || n <= 1 {
        out.copy_from_slice(input);
        return;
    }
    let body = n * size;
    match size {
        2 => unshuffle_fixed::<2>(&input[..body], &mut out[..body]),
        4 => unshuffle_fixed::<4>(&input[..body], &mut out[..body]),
        8 => unshuffle_fixed::<8>(&input[..body], &mut out[..body]),
        _ => unshuffle_any(&input[..body], size, &mut out[..body]),
    }
    out[body..].copy_from_slice(&input[body..]);
}

/// Elements handled per tile by [`unshuffle_fixed`]: with constant tile and element sizes
/// the compiler drops the bounds checks and vectorises the byte interleave.
const TILE: usize = 32;

/// The common element sizes, a tile of [`TILE`] elements at a time.
fn unshuffle_fixed<const S: usize>(input: &[u8], out: &mut [u8]) {
    let n = input.len() / S;
    let tiles = n / TILE;
    for t in 0..tiles {
        let j0 = t * TILE;
        let dst = &mut out[j0 * S..(j0 + TILE) * S];
        for b in 0..S {
            let src = &input[b * n + j0..b * n + j0 + TILE];
            for k in 0..TILE {
                dst[k * S + b] = src[k];
            }
        }
    }
    for j in tiles * TILE..n {
        for b in 0..S {
            out[j * S + b] = input[b * n + j];
        }
    }
}

/// Any element size: one pass per byte position, writing with a stride.
fn unshuffle_any(input: &[u8], size: usize, out: &mut [u8]) {
    let n = input.len() / size;
    for (b, row) in input.chunks_exact(n).enumerate() {
        for (j, &byte) in row.iter().enumerate() {
            out[j * size + b] = byte;
        }
    }
}

/// The encoding: byte k of every element together, the bytes past the last whole element
/// (and buffers of one element) unchanged, as HDF5 writes it.
pub fn shuffle(input: &[u8], size: usize) -> Vec<u8> {
    let n = input.len() / size.max(1);
    let mut out = input.to_vec();
    if size <= 1 || n <= 1 {
        return out;
    }
    for (j, element) in input[..n * size].chunks_exact(size).enumerate() {
        for (b, &byte) in element.iter().enumerate() {
            out[b * n + j] = byte;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_the_shuffle_for_every_size_with_a_remainder() {
        for size in 1..=12usize {
            for len in [
                0usize,
                1,
                size,
                3 * size,
                7 * size + size / 2,
                100 * size + 1,
            ] {
                let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
                let shuffled = shuffle(&data, size);
                let mut out = vec![0u8; len];
                unshuffle(&shuffled, size, &mut out);
                assert_eq!(out, data, "size {} len {}", size, len);
            }
        }
    }

    #[test]
    fn remainder_bytes_are_copied_as_is() {
        // Two 4-byte elements plus 3 stray bytes.
        let shuffled = [1, 5, 2, 6, 3, 7, 4, 8, 9, 10, 11];
        let config = Json::object(vec![("elementsize", Json::UInt(4))]);
        let out = decode(&shuffled, &config, &DecodeContext::default()).unwrap();
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }

    #[test]
    fn refuses_a_zero_element_size() {
        let config = Json::object(vec![("elementsize", Json::UInt(0))]);
        assert!(decode(&[1, 2], &config, &DecodeContext::default()).is_err());
    }
}
