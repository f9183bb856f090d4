//! Where a data set's values lie: contiguous bytes, linked blocks that happen to be
//! contiguous, one compressed element, or a chunk table (special elements, HDF4 spec
//! chapter 8 and hdf/src/hchunks.c, hcomp.c) — as a chunk grid, codecs and references.

use super::dd::{Dd, CHUNK, COMPRESSED, VH, VS};
use super::objects::{parse_vdata, NumberType};
use super::reader::{
    be16, be32, special_name, truncated, Reader, Span, SPECIAL_CHUNKED, SPECIAL_COMP,
    SPECIAL_LINKED,
};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::{ChunkManifest, MISSING};

/// At most this many chunks per data set.
const MAX_CHUNKS: u64 = 50_000_000;

pub struct Storage {
    pub chunks: Vec<u64>,
    /// Bytes-to-bytes codecs after `bytes` (deflate → `numcodecs.zlib`).
    pub compression: Vec<Json>,
    pub manifest: ChunkManifest,
    /// The fill value a chunked data set's header stores (its type's bytes).
    pub fill: Option<Json>,
}

/// The coder of compressed special elements (hdf/src/hcomp.h `COMP_CODE_*`).
fn codec_for(coder: u16) -> Result<Vec<Json>> {
    let name = match coder {
        0 => return Ok(Vec::new()),
        4 => {
            return Ok(vec![Json::object(vec![
                ("name", Json::from("numcodecs.zlib")),
                (
                    "configuration",
                    Json::object(vec![("level", Json::UInt(6))]),
                ),
            ])])
        }
        1 => "RLE (run-length encoding)",
        2 => "NBIT",
        3 => "skipping Huffman",
        5 => "szip",
        6 => "JPEG",
        7 => "JPEG",
        _ => "unknown",
    };
    Err(Error::unsupported(format!(
        "HDF4 compression {} ({}) has no decoder in vzarr",
        coder, name
    )))
}

/// One contiguous range from spans, or `UnsupportedFeature`.
fn contiguous(spans: &[Span], what: &str) -> Result<Option<Span>> {
    let Some(first) = spans.first() else {
        return Ok(None);
    };
    let mut end = first.offset + first.length;
    for s in &spans[1..] {
        if s.offset != end {
            return Err(Error::unsupported(format!(
                "{} stored in linked blocks that are not contiguous in the file",
                what
            )));
        }
        end += s.length;
    }
    Ok(Some(Span {
        offset: first.offset,
        length: end - first.offset,
        stored: end - first.offset,
    }))
}

pub fn storage(
    r: &mut Reader,
    data: Option<&Dd>,
    shape: &[u64],
    t: NumberType,
    url: &str,
) -> Result<Option<Storage>> {
    let whole: Vec<u64> = shape.iter().map(|&d| d.max(1)).collect();
    let grid: Vec<u64> = shape.iter().map(|&d| u64::from(d > 0)).collect();
    let nbytes = shape
        .iter()
        .try_fold(t.size() as u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::limit("the data set's size overflows"))?;
    let one = |span: Option<Span>, compression: Vec<Json>| -> Result<Storage> {
        let mut m = ChunkManifest::empty(&grid)?;
        if let Some(s) = span.filter(|_| nbytes > 0) {
            m.set_ref(0, url, s.offset, s.length)?;
        }
        Ok(Storage {
            chunks: whole.clone(),
            compression,
            manifest: m,
            fill: None,
        })
    };
    let dd = match data {
        Some(d) if !d.is_empty() => *d,
        _ => return one(None, Vec::new()).map(Some),
    };
    if !dd.special {
        if dd.length < nbytes {
            return Err(Error::corrupt(format!(
                "the data element holds {} bytes, {} expected",
                dd.length, nbytes
            ))
            .at_offset(dd.offset));
        }
        let span = Span {
            offset: dd.offset,
            length: nbytes,
            stored: dd.length,
        };
        return one(Some(span), Vec::new()).map(Some);
    }
    let head = match r.stored(&dd)? {
        Some(h) => h,
        None => return Ok(None),
    };
    match be16(head, 0, &dd)? {
        SPECIAL_LINKED => {
            let Some(spans) = r.spans(&dd)? else {
                return Ok(None);
            };
            let span = match contiguous(&spans, "data") {
                Ok(span) => span,
                Err(e) => return linked_rows(&spans, shape, nbytes, url)?.map(Some).ok_or(e),
            };
            if span.map_or(0, |s| s.length) < nbytes {
                return Err(Error::corrupt(
                    "the linked blocks hold less than the data set",
                ));
            }
            one(
                span.map(|s| Span {
                    length: nbytes,
                    ..s
                }),
                Vec::new(),
            )
            .map(Some)
        }
        SPECIAL_COMP => {
            let Some((span, coder)) = compressed(r, &dd, head)? else {
                return Ok(None);
            };
            one(span, codec_for(coder)?).map(Some)
        }
        SPECIAL_CHUNKED => chunked(r, &dd, head, shape, t, url),
        other => Err(Error::unsupported(format!(
            "data stored as a special element of type {} ({})",
            other,
            special_name(other)
        ))),
    }
}

/// Linked blocks spread over the file (an unlimited dimension's records appended over
/// time) as chunks along the first axis: when every block holds the same whole number of
/// rows, each is one chunk — the last one referenced whole (the file holds the full block),
/// its rows past the array's length ignored by Zarr readers. `None` when the blocks do not
/// divide so.
fn linked_rows(spans: &[Span], shape: &[u64], nbytes: u64, url: &str) -> Result<Option<Storage>> {
    let (Some(&first), Some(&rows)) = (spans.first(), shape.first()) else {
        return Ok(None);
    };
    if rows == 0 || nbytes == 0 {
        return Ok(None);
    }
    let row = nbytes / rows;
    let block = first.stored;
    let body = &spans[..spans.len() - 1];
    let last = spans[spans.len() - 1];
    if row == 0
        || block == 0
        || block % row != 0
        || body.iter().any(|s| s.length != block || s.stored != block)
        || last.stored < block
    {
        return Ok(None);
    }
    let per_chunk = block / row;
    if rows.div_ceil(per_chunk) != spans.len() as u64 {
        return Ok(None);
    }
    let mut chunks = shape.to_vec();
    chunks[0] = per_chunk;
    let mut grid = vec![1u64; shape.len()];
    grid[0] = spans.len() as u64;
    let mut manifest = ChunkManifest::empty(&grid)?;
    for (i, s) in spans.iter().enumerate() {
        manifest.set_ref(i, url, s.offset, block)?;
    }
    Ok(Some(Storage {
        chunks,
        compression: Vec::new(),
        manifest,
        fill: None,
    }))
}

/// A compressed element's header: u16 type, u16 version, u32 decoded length, u16 ref of
/// the COMPRESSED element, u16 model, u16 coder, coder parameters.
fn compressed(r: &mut Reader, dd: &Dd, head: &[u8]) -> Result<Option<(Option<Span>, u16)>> {
    let data_ref = be16(head, 8, dd)?;
    let coder = be16(head, 12, dd)?;
    let cdd = *r.dds.get(COMPRESSED, data_ref).ok_or_else(|| {
        Error::corrupt(format!(
            "compressed element {} is not in the file",
            data_ref
        ))
    })?;
    let Some(spans) = r.spans(&cdd)? else {
        return Ok(None);
    };
    Ok(Some((contiguous(&spans, "compressed data")?, coder)))
}

/// A chunked element's header (hchunks.c `HMCPencode`): u16 type, u32 header length, u8
/// version, u32 flags, u32 element length, u32 chunk size, u32 value size, u16/u16 chunk
/// table Vdata, u16/u16 (unused), u32 rank, per dimension u32 flag, length, chunk length;
/// u32 fill length and the fill value; then, when compressed, the coder's header.
fn chunked(
    r: &mut Reader,
    dd: &Dd,
    head: &[u8],
    shape: &[u64],
    t: NumberType,
    url: &str,
) -> Result<Option<Storage>> {
    let flags = be32(head, 7, dd)?;
    let table_ref = be16(head, 25, dd)?;
    let rank = be32(head, 31, dd)? as usize;
    if rank != shape.len() {
        return Err(Error::corrupt(format!(
            "the chunk header has rank {}, the data set {}",
            rank,
            shape.len()
        )));
    }
    let mut chunks = Vec::with_capacity(rank);
    for i in 0..rank {
        let c = u64::from(be32(head, 35 + 12 * i + 8, dd)?);
        if c == 0 {
            return Err(Error::corrupt("a chunk length of 0"));
        }
        chunks.push(c);
    }
    let at = 35 + 12 * rank;
    let fill_len = be32(head, at, dd)? as usize;
    let fill_bytes = head
        .get(at + 4..at + 4 + fill_len)
        .ok_or_else(|| truncated(dd))?;
    let fill = (fill_len == t.size()).then(|| super::values::scalar(t, fill_bytes));
    let grid: Vec<u64> = shape
        .iter()
        .zip(&chunks)
        .map(|(&s, &c)| s.div_ceil(c))
        .collect();
    let n = grid
        .iter()
        .try_fold(1u64, |a, &g| a.checked_mul(g))
        .unwrap_or(u64::MAX);
    if n > MAX_CHUNKS {
        return Err(Error::limit(format!(
            "{} chunks (at most {} per data set)",
            n, MAX_CHUNKS
        )));
    }
    // The chunked header's compression (flags bit 0) names the coder every chunk uses.
    let mut coder = 0u16;
    if flags & 1 != 0 {
        let c = at + 4 + fill_len;
        coder = be16(head, c + 2 + 4 + 2, dd)?;
    }
    let compression = codec_for(coder)?;
    let vh = *r.dds.get(VH, table_ref).ok_or_else(|| {
        Error::corrupt(format!(
            "the chunk table Vdata {} is not in the file",
            table_ref
        ))
    })?;
    let vs = *r.dds.get(VS, table_ref).ok_or_else(|| {
        Error::corrupt(format!(
            "the chunk table records {} are not in the file",
            table_ref
        ))
    })?;
    let (Some(vh_bytes), Some(rows)) = (r.stored(&vh)?, r.element(&vs)?) else {
        return Ok(None);
    };
    let table = parse_vdata(&vh, vh_bytes)?;
    let row = 4 * rank + 4;
    if usize::from(table.record_size) != row {
        return Err(Error::corrupt(format!(
            "chunk table records of {} bytes, {} expected",
            table.record_size, row
        )));
    }
    let count = (table.records as usize).min(rows.len() / row);
    if count as u64 > n {
        return Err(Error::corrupt(
            "the chunk table lists more chunks than the grid holds",
        ));
    }
    let total = n as usize;
    let mut ids = vec![MISSING; total];
    let mut offsets = vec![0u64; total];
    let mut lengths = vec![0u64; total];
    let mut pending = false;
    for k in 0..count {
        let rec = &rows[k * row..(k + 1) * row];
        let mut index = 0u64;
        for (i, g) in grid.iter().enumerate() {
            let c = u64::from(be32(rec, 4 * i, &vs)?);
            if c >= *g {
                return Err(Error::corrupt(format!(
                    "chunk table entry {} lies outside the chunk grid",
                    k
                )));
            }
            index = index * g + c;
        }
        let chunk_ref = be16(rec, 4 * rank + 2, &vs)?;
        let cdd = *r
            .dds
            .get(CHUNK, chunk_ref)
            .ok_or_else(|| Error::corrupt(format!("chunk {} is not in the file", chunk_ref)))?;
        let span = if cdd.special {
            let Some(ch) = r.stored(&cdd)? else {
                pending = true;
                continue;
            };
            match be16(ch, 0, &cdd)? {
                SPECIAL_COMP => {
                    let Some((span, c)) = compressed(r, &cdd, ch)? else {
                        pending = true;
                        continue;
                    };
                    if c != coder {
                        return Err(Error::unsupported(format!(
                            "chunks compressed with different coders ({} and {})",
                            coder, c
                        )));
                    }
                    span
                }
                _ => {
                    let Some(spans) = r.spans(&cdd)? else {
                        pending = true;
                        continue;
                    };
                    contiguous(&spans, "a chunk")?
                }
            }
        } else {
            if coder != 0 {
                return Err(Error::unsupported(
                    "an uncompressed chunk in a compressed data set",
                ));
            }
            (!cdd.is_empty()).then_some(Span {
                offset: cdd.offset,
                length: cdd.length,
                stored: cdd.length,
            })
        };
        if let Some(s) = span {
            ids[index as usize] = 0;
            offsets[index as usize] = s.offset;
            lengths[index as usize] = s.length;
        }
    }
    if pending {
        return Ok(None);
    }
    let manifest =
        ChunkManifest::from_columns(&grid, vec![url.to_string()], ids, offsets, lengths)?;
    Ok(Some(Storage {
        chunks,
        compression,
        manifest,
        fill,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(offset: u64, length: u64, stored: u64) -> Span {
        Span {
            offset,
            length,
            stored,
        }
    }

    #[test]
    fn linked_blocks_of_whole_rows_are_chunks() {
        // 10 rows of 8 bytes in blocks of 32 bytes (4 rows): 3 blocks, the last partly used.
        let spans = [span(100, 32, 32), span(500, 32, 32), span(900, 16, 32)];
        let s = linked_rows(&spans, &[10, 2], 80, "f").unwrap().unwrap();
        assert_eq!(s.chunks, vec![4, 2]);
        assert_eq!(s.manifest.offsets(), [100, 500, 900]);
        assert_eq!(s.manifest.lengths(), [32, 32, 32]);
        // Blocks that split a row, or of unequal sizes, do not map.
        assert!(linked_rows(&spans, &[8, 5], 80, "f").unwrap().is_none());
        let unequal = [span(100, 32, 32), span(500, 24, 24), span(900, 24, 32)];
        assert!(linked_rows(&unequal, &[10, 2], 80, "f").unwrap().is_none());
    }
}
