//! Tile-compressed images (the FITS tiled image convention, standard 4.0 §10): a BINTABLE
//! with `ZIMAGE = T` whose rows are the image's tiles (ZTILEn pixels, fastest axis first, in
//! C order of the tile grid) and whose `COMPRESSED_DATA` column holds a heap descriptor
//! (P: 32-bit, Q: 64-bit count and offset) of each tile's compressed bytes. Each tile is a
//! chunk referenced in the heap.
//!
//! Codecs, named as Python reads them: `GZIP_1` is a gzip stream of the big-endian pixels
//! (`numcodecs.gzip`); `GZIP_2` the same after byte shuffling (`numcodecs.shuffle`, whose
//! order — every pixel's first byte, then every second byte, … — is the convention's);
//! `RICE_1` is imagecodecs' `imagecodecs_rcomp` (decoded by the core's `codecs/rice.rs`),
//! which yields the pixels in little-endian order; `NOCOMPRESS` tiles are raw.
//! Refused with the reason: HCOMPRESS_1 and PLIO_1 (no decoder here), quantized floating
//! point (per-tile ZSCALE/ZZERO and dithering), per-tile ZBLANK, tiles kept in the
//! UNCOMPRESSED_DATA / GZIP_COMPRESSED_DATA fallback columns, and tiles that do not divide
//! the image (the convention stores edge tiles short; a Zarr chunk is always whole).

use super::hdu::{axes, bitpix_dtype, Hdu};
use super::image::{bytes_codec, Planned};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::sansio::{ByteCache, ByteRange, Stop};

/// Rows (tiles) a compressed image may have; each costs 20 bytes of manifest.
pub const MAX_TILES: u64 = 50_000_000;

/// Where the descriptor column sits in a row, and its kind.
struct Column {
    /// Byte offset of the field within a row.
    at: u64,
    /// 16-byte Q descriptors (else 8-byte P).
    wide: bool,
    /// Bytes of one element of the descriptor's array type.
    element: u64,
}

/// Bytes of one table field of format `TFORMn` (`rT(...)`).
fn field_width(tform: &str) -> Result<(u64, char)> {
    let t = tform.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let repeat = if digits.is_empty() {
        1
    } else {
        digits
            .parse::<u64>()
            .map_err(|_| Error::corrupt(format!("TFORM {:?}", tform)))?
    };
    let code = t[digits.len()..]
        .chars()
        .next()
        .ok_or_else(|| Error::corrupt(format!("TFORM {:?} has no type", tform)))?;
    let width = match code {
        'L' | 'B' | 'A' => repeat,
        'X' => repeat.div_ceil(8),
        'I' => 2 * repeat,
        'J' | 'E' => 4 * repeat,
        'K' | 'D' | 'C' => 8 * repeat,
        'M' => 16 * repeat,
        'P' => 8 * repeat,
        'Q' => 16 * repeat,
        other => {
            return Err(Error::corrupt(format!(
                "TFORM {:?}: unknown type {:?}",
                tform, other
            )))
        }
    };
    Ok((width, code))
}

fn element_size(code: char) -> u64 {
    match code {
        'I' => 2,
        'J' | 'E' => 4,
        'K' | 'D' | 'C' => 8,
        'M' => 16,
        _ => 1,
    }
}

/// Finds the columns of the table; refuses the layouts this module does not read.
fn compressed_column(hdu: &Hdu) -> Result<Column> {
    let h = &hdu.header;
    let fields = h.count("TFIELDS")?;
    let mut at = 0u64;
    let mut found = None;
    for i in 1..=fields {
        let tform = h
            .str(&format!("TFORM{}", i))
            .ok_or_else(|| Error::corrupt(format!("the table has no TFORM{}", i)))?;
        let (width, code) = field_width(tform)?;
        let name = h
            .str(&format!("TTYPE{}", i))
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        match name.as_str() {
            "COMPRESSED_DATA" => {
                if code != 'P' && code != 'Q' {
                    return Err(Error::corrupt(format!(
                        "COMPRESSED_DATA has format {:?}, not a heap descriptor",
                        tform
                    )));
                }
                let inner = tform
                    .trim()
                    .trim_start_matches(|c: char| c.is_ascii_digit());
                let element = element_size(inner.chars().nth(1).unwrap_or('B'));
                found = Some(Column {
                    at,
                    wide: code == 'Q',
                    element,
                });
            }
            "ZSCALE" | "ZZERO" => {
                return Err(Error::unsupported(
                    "a quantized floating-point image (per-tile ZSCALE/ZZERO and dithering \
                     are not a Zarr codec)",
                ))
            }
            "ZBLANK" => {
                return Err(Error::unsupported(
                    "a compressed image with a per-tile ZBLANK column",
                ))
            }
            _ => {}
        }
        at += width;
    }
    found.ok_or_else(|| Error::corrupt("a compressed image table without COMPRESSED_DATA"))
}

/// The table's rows (the tile descriptors), which the scanner reads before planning.
pub fn table_range(hdu: &Hdu) -> Result<ByteRange> {
    let h = &hdu.header;
    let row = h.count("NAXIS1")?;
    let rows = h.count("NAXIS2")?;
    if rows > MAX_TILES {
        return Err(Error::limit(format!(
            "a compressed image of {} tiles (at most {})",
            rows, MAX_TILES
        )));
    }
    let n = row
        .checked_mul(rows)
        .filter(|&n| n <= hdu.data_size)
        .ok_or_else(|| Error::corrupt("the table's rows are longer than its data"))?;
    Ok(ByteRange::new(hdu.data_start, n))
}

fn named_param(h: &super::header::Header, name: &str) -> Option<i64> {
    (1..=99).find_map(|i| {
        let n = h.str(&format!("ZNAME{}", i))?;
        if n.trim().eq_ignore_ascii_case(name) {
            h.int(&format!("ZVAL{}", i))
        } else {
            None
        }
    })
}

fn codec(name: &str, config: Vec<(&str, Json)>) -> Json {
    Json::object(vec![
        ("name", Json::from(name)),
        ("configuration", Json::object(config)),
    ])
}

pub fn plan(hdu: &Hdu, cache: &ByteCache) -> Result<Planned> {
    let h = &hdu.header;
    let cmp = h
        .str("ZCMPTYPE")
        .ok_or_else(|| Error::corrupt("a compressed image without ZCMPTYPE"))?
        .trim()
        .to_string();
    let zbitpix = h
        .int("ZBITPIX")
        .ok_or_else(|| Error::corrupt("a compressed image without ZBITPIX"))?;
    let (item, big_dtype) = bitpix_dtype(zbitpix)?;
    let naxis = axes(h, "Z")?;
    if naxis.is_empty() || naxis.contains(&0) {
        return Err(Error::unsupported("a compressed image without pixels"));
    }
    let tiles: Vec<u64> = (1..=naxis.len())
        .map(|i| match h.int(&format!("ZTILE{}", i)) {
            Some(t) if t > 0 => Ok(t as u64),
            Some(t) => Err(Error::corrupt(format!("ZTILE{} = {}", i, t))),
            None => Ok(if i == 1 { naxis[0] } else { 1 }),
        })
        .collect::<Result<_>>()?;
    if let Some(i) = (0..naxis.len()).find(|&i| naxis[i] % tiles[i] != 0) {
        return Err(Error::unsupported(format!(
            "tiles of {} pixels along axis {} of {} (edge tiles that do not divide the image \
             are stored short; a Zarr chunk is always whole)",
            tiles[i],
            i + 1,
            naxis[i]
        )));
    }
    let column = compressed_column(hdu)?;
    let float = zbitpix < 0;
    let (dtype, codecs) = match cmp.as_str() {
        "GZIP_1" | "GZIP_2" | "NOCOMPRESS" => {
            let mut codecs = vec![bytes_codec(item > 1)];
            if cmp == "GZIP_2" && item > 1 {
                codecs.push(codec(
                    "numcodecs.shuffle",
                    vec![("elementsize", Json::UInt(item))],
                ));
            }
            if cmp != "NOCOMPRESS" {
                codecs.push(codec("numcodecs.gzip", vec![("level", Json::UInt(1))]));
            }
            (big_dtype.to_string(), codecs)
        }
        "RICE_1" | "RICE_ONE" => {
            if float {
                return Err(Error::unsupported(
                    "RICE_1 on floating-point pixels that are not quantized",
                ));
            }
            let bytepix = named_param(h, "BYTEPIX").unwrap_or(item as i64);
            if bytepix != item as i64 || item == 8 {
                return Err(Error::unsupported(format!(
                    "RICE_1 with {}-byte values for {}-byte pixels",
                    bytepix, item
                )));
            }
            let nblock = named_param(h, "BLOCKSIZE").unwrap_or(32);
            if nblock <= 0 {
                return Err(Error::corrupt(format!("RICE_1 BLOCKSIZE = {}", nblock)));
            }
            let dtype = if item == 1 {
                "|u1".to_string()
            } else {
                format!("<i{}", item)
            };
            let chunk: Vec<u64> = tiles.iter().rev().copied().collect();
            let rcomp = codec(
                crate::codecs::rice::CODEC_NAME,
                vec![
                    ("shape", Json::from(chunk)),
                    ("dtype", Json::from(dtype.as_str())),
                    ("nblock", Json::UInt(nblock as u64)),
                ],
            );
            (dtype, vec![bytes_codec(false), rcomp])
        }
        other => {
            return Err(Error::unsupported(format!(
                "tile compression {} (vzarr reads RICE_1, GZIP_1, GZIP_2 and NOCOMPRESS)",
                other
            )))
        }
    };
    let grid_fits: Vec<u64> = naxis.iter().zip(&tiles).map(|(n, t)| n / t).collect();
    let count: u64 = grid_fits.iter().product();
    let table = table_range(hdu)?;
    let row = h.count("NAXIS1")?;
    if h.count("NAXIS2")? != count {
        return Err(Error::corrupt(format!(
            "the table has {} rows for {} tiles",
            h.count("NAXIS2")?,
            count
        )));
    }
    let width = if column.wide { 16 } else { 8 };
    if column.at + width > row {
        return Err(Error::corrupt("COMPRESSED_DATA lies past the end of a row"));
    }
    let rows = match cache.read(table.offset, table.length) {
        Ok(b) => b,
        Err(Stop::Fail(e)) => return Err(e),
        Err(Stop::Need(_)) => return Err(Error::invalid("the tile table was not read")),
    };
    let theap = h.int("THEAP").map_or(Ok(table.length), |t| {
        u64::try_from(t).map_err(|_| Error::corrupt(format!("THEAP = {}", t)))
    })?;
    let heap_start = hdu.data_start + theap;
    let data_end = hdu.data_start + hdu.data_size;
    let mut offsets = Vec::with_capacity(count as usize);
    let mut lengths = Vec::with_capacity(count as usize);
    for t in 0..count {
        let at = (t * row + column.at) as usize;
        let field = &rows[at..at + width as usize];
        let (n, off) = if column.wide {
            (
                u64::from_be_bytes(field[..8].try_into().expect("8 bytes")),
                u64::from_be_bytes(field[8..].try_into().expect("8 bytes")),
            )
        } else {
            (
                u64::from(u32::from_be_bytes(field[..4].try_into().expect("4 bytes"))),
                u64::from(u32::from_be_bytes(field[4..].try_into().expect("4 bytes"))),
            )
        };
        if n == 0 {
            return Err(Error::unsupported(format!(
                "tile {} has no COMPRESSED_DATA (stored in a fallback column)",
                t
            )));
        }
        let len = n.checked_mul(column.element);
        let start = heap_start.checked_add(off);
        match (start, len) {
            (Some(s), Some(l)) if s.checked_add(l).is_some_and(|e| e <= data_end) => {
                offsets.push(s);
                lengths.push(l);
            }
            _ => {
                return Err(Error::corrupt(format!(
                    "tile {}'s {} bytes at heap offset {} lie outside the heap",
                    t, n, off
                ))
                .at_offset(hdu.data_start + t * row))
            }
        }
    }
    Ok(Planned {
        shape: naxis.iter().rev().copied().collect(),
        chunks: tiles.iter().rev().copied().collect(),
        grid: grid_fits.iter().rev().copied().collect(),
        dtype,
        codecs,
        offsets,
        lengths,
    })
}
