//! One DMR++ variable: what its element said (dims, attributes, `dmrpp:chunks` and its
//! `dmrpp:chunk`s, `dmrpp:compact` / `dmrpp:missingdata` bytes) turned into a scanned
//! variable — dtype, Zarr v3 codecs, fill value and a chunk manifest.

use super::types::DapType;
use crate::codecs::base64;
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::{checked_product, ChunkManifest, MISSING};
use crate::scan::ScannedVariable;

/// The `dmrpp:chunks` element and the chunks listed in it, as columns: a sidecar may list
/// 100,000 chunks, so no per-chunk allocation.
#[derive(Default)]
pub struct ChunkList {
    pub compression: String,
    pub deflate_level: Option<u64>,
    pub fill_value: Option<String>,
    /// `byteOrder`; DMR++ defaults to big-endian.
    pub big_endian: Option<bool>,
    pub chunk_shape: Option<Vec<u64>>,
    /// Element positions (`chunkPositionInArray`), `rank` values per chunk.
    pub positions: Vec<u64>,
    pub positioned: usize,
    pub offsets: Vec<u64>,
    pub lengths: Vec<u64>,
    /// Index into `paths` per chunk.
    pub path_ids: Vec<u32>,
    /// Distinct hrefs, the dataset's first.
    pub paths: Vec<String>,
    /// A chunk stored with some filters skipped (`fm` ≠ 0).
    pub filter_mask: bool,
}

impl ChunkList {
    pub fn path_id(&mut self, href: &str) -> u32 {
        match self.paths.iter().position(|p| p == href) {
            Some(i) => i as u32,
            None => {
                self.paths.push(href.to_string());
                (self.paths.len() - 1) as u32
            }
        }
    }
}

/// Inline data: `dmrpp:compact` (raw values) or `dmrpp:missingdata` (raw or zlib).
pub enum InlineData {
    Compact(String),
    Missing(String),
}

pub struct VariableElement {
    pub name: String,
    pub dap: DapType,
    pub dims: Vec<(String, u64)>,
    pub attrs: Vec<(String, Json)>,
    pub chunks: Option<ChunkList>,
    pub inline: Option<InlineData>,
    /// `dmrpp:FixedLengthStringArray string_length`.
    pub string_length: Option<u64>,
    /// Values of a `dmrpp:vlsa` (variable-length strings), expanded.
    pub strings: Option<Vec<Json>>,
    /// Attributes left out (`variable@attribute`), reported with the group's skipped items.
    pub skipped_attrs: Vec<crate::scan::SkippedItem>,
    /// The sidecar has a `dmrpp:version`: filters are listed in the order they were applied.
    /// Older sidecars listed them in any order (Hyrax applied a fixed one).
    pub ordered_filters: bool,
    /// The first problem met while reading the element.
    pub error: Option<Error>,
}

/// The filters as codecs after the array→bytes codec, in encoding order.
fn filter_codecs(list: &ChunkList, item_size: u64, ordered: bool) -> Result<Vec<Json>> {
    let mut names: Vec<&str> = list.compression.split_whitespace().collect();
    if !ordered {
        // Legacy sidecars: Hyrax always decoded deflate, then shuffle, then fletcher32.
        let rank = |n: &&str| match *n {
            "shuffle" => 0,
            "fletcher32" => 2,
            _ => 1,
        };
        names.sort_by_key(rank);
    }
    let codec = |name: &str, config: Vec<(&str, Json)>| {
        Json::object(vec![
            ("name", Json::from(name)),
            ("configuration", Json::object(config)),
        ])
    };
    names
        .into_iter()
        .map(|n| match n {
            "deflate" => Ok(codec(
                "numcodecs.zlib",
                vec![("level", Json::UInt(list.deflate_level.unwrap_or(6)))],
            )),
            "shuffle" => Ok(codec(
                "numcodecs.shuffle",
                vec![("elementsize", Json::UInt(item_size))],
            )),
            "fletcher32" => Ok(codec("numcodecs.fletcher32", vec![])),
            other => Err(Error::unsupported(format!(
                "the DMR++ filter {:?} is not supported (only shuffle, deflate and fletcher32)",
                other
            ))),
        })
        .collect()
}

fn bytes_codec(item_size: u64, big_endian: bool) -> Json {
    if item_size == 1 {
        return Json::object(vec![("name", Json::from("bytes"))]);
    }
    Json::object(vec![
        ("name", Json::from("bytes")),
        (
            "configuration",
            Json::object(vec![(
                "endian",
                Json::from(if big_endian { "big" } else { "little" }),
            )]),
        ),
    ])
}

impl VariableElement {
    pub fn build(mut self) -> Result<ScannedVariable> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let shape: Vec<u64> = self.dims.iter().map(|d| d.1).collect();
        let dim_names: Vec<String> = self.dims.iter().map(|d| d.0.clone()).collect();
        if let Some(values) = self.strings.take() {
            return self.string_values(values, shape, dim_names);
        }
        let big_endian = self
            .chunks
            .as_ref()
            .and_then(|c| c.big_endian)
            .unwrap_or(true);
        let (dtype, item_size) = match (self.dap, self.string_length) {
            (DapType::String | DapType::Char, Some(n)) if n > 0 => (format!("|S{}", n), n),
            (DapType::String, _) => {
                return Err(Error::unsupported(
                    "variable-length strings without values in the DMR++ have no byte ranges",
                ))
            }
            (t, _) => (
                t.dtype(big_endian).expect("fixed-size type"),
                t.size().expect("fixed-size type"),
            ),
        };
        let fill_text = self
            .chunks
            .as_ref()
            .and_then(|c| c.fill_value.clone())
            .or_else(|| match self.attrs.iter().find(|a| a.0 == "_FillValue") {
                Some((_, Json::String(s))) => Some(s.clone()),
                Some((_, v)) => Some(v.to_string()),
                None => None,
            });
        let fill_value = match fill_text {
            Some(t) if self.string_length.is_none() => self.dap.value(&t).unwrap_or(Json::UInt(0)),
            _ if self.string_length.is_some() => Json::from(""),
            _ => match self.dap {
                DapType::Float(_) => Json::Number(0.0),
                _ => Json::UInt(0),
            },
        };
        let mut codecs = vec![bytes_codec(item_size, big_endian)];
        let (chunk_shape, manifest) = match self.inline.take() {
            Some(inline) => self.inline_manifest(inline, &shape, item_size, &mut codecs)?,
            None => {
                let list = self.chunks.take().ok_or_else(|| {
                    Error::unsupported("the variable has no dmrpp:chunks, compact or missing data")
                })?;
                codecs.extend(filter_codecs(&list, item_size, self.ordered_filters)?);
                if list.filter_mask {
                    return Err(Error::unsupported(
                        "a chunk was stored with some filters skipped (fm ≠ 0); Zarr has one codec list per array",
                    ));
                }
                chunk_manifest(list, &shape)?
            }
        };
        Ok(ScannedVariable {
            name: self.name,
            dims: dim_names,
            shape,
            chunks: chunk_shape,
            dtype,
            codecs,
            fill_value,
            attrs: self.attrs,
            manifest: Some(manifest),
            values: None,
            loaded: None,
        })
    }

    fn string_values(
        self,
        values: Vec<Json>,
        shape: Vec<u64>,
        dims: Vec<String>,
    ) -> Result<ScannedVariable> {
        let n = checked_product(&shape)?;
        if values.len() as u64 != n {
            return Err(Error::corrupt(format!(
                "dmrpp:vlsa holds {} values for {} elements",
                values.len(),
                n
            )));
        }
        Ok(ScannedVariable {
            name: self.name,
            dims,
            chunks: shape.clone(),
            shape,
            dtype: "|O".to_string(),
            codecs: vec![Json::object(vec![("name", Json::from("vlen-utf8"))])],
            fill_value: Json::from(""),
            attrs: self.attrs,
            manifest: None,
            values: Some(Json::Array(values)),
            loaded: None,
        })
    }

    /// One chunk, the whole array, held in the sidecar.
    fn inline_manifest(
        &self,
        inline: InlineData,
        shape: &[u64],
        item_size: u64,
        codecs: &mut Vec<Json>,
    ) -> Result<(Vec<u64>, ChunkManifest)> {
        let expected = checked_product(shape)?
            .checked_mul(item_size)
            .ok_or_else(|| Error::limit("the variable's size overflows"))?;
        let (what, text) = match &inline {
            InlineData::Compact(t) => ("dmrpp:compact", t),
            InlineData::Missing(t) => ("dmrpp:missingdata", t),
        };
        let bytes =
            base64::decode(text).map_err(|_| Error::corrupt(format!("{} is not base64", what)))?;
        if bytes.len() as u64 != expected {
            match inline {
                // Missing data may be zlib-compressed.
                InlineData::Missing(_) if bytes.first() == Some(&0x78) => {
                    codecs.push(Json::object(vec![
                        ("name", Json::from("numcodecs.zlib")),
                        (
                            "configuration",
                            Json::object(vec![("level", Json::UInt(6))]),
                        ),
                    ]));
                }
                _ => {
                    return Err(Error::corrupt(format!(
                        "{} holds {} bytes; the variable has {}",
                        what,
                        bytes.len(),
                        expected
                    )))
                }
            }
        }
        let grid = vec![1; shape.len()];
        let mut manifest = ChunkManifest::empty(&grid)?;
        if expected > 0 {
            manifest.set_inlined(0, bytes)?;
        }
        Ok((shape.to_vec(), manifest))
    }
}

/// The manifest of a chunk list: chunk shape from `chunkDimensionSizes` (or, contiguous, the
/// array's shape), each chunk placed by its element position.
fn chunk_manifest(list: ChunkList, shape: &[u64]) -> Result<(Vec<u64>, ChunkManifest)> {
    let rank = shape.len();
    let chunk_shape = list.chunk_shape.clone().unwrap_or_else(|| shape.to_vec());
    if chunk_shape.len() != rank {
        return Err(Error::corrupt(format!(
            "dmrpp:chunkDimensionSizes has {} sizes for {} dimensions",
            chunk_shape.len(),
            rank
        )));
    }
    if chunk_shape
        .iter()
        .zip(shape)
        .any(|(&c, &s)| c == 0 && s > 0)
    {
        return Err(Error::corrupt("a chunk dimension size is 0"));
    }
    let grid: Vec<u64> = shape
        .iter()
        .zip(&chunk_shape)
        .map(|(&s, &c)| if c == 0 { 0 } else { s.div_ceil(c) })
        .collect();
    let n = list.offsets.len();
    let count = usize::try_from(checked_product(&grid)?)
        .map_err(|_| Error::limit("the chunk grid is too large"))?;
    if n > count {
        return Err(Error::corrupt(format!(
            "{} chunks listed for a grid of {} chunks",
            n, count
        )));
    }
    let mut ids = vec![MISSING; count];
    let mut offsets = vec![0u64; count];
    let mut lengths = vec![0u64; count];
    if list.positioned == 0 {
        // Contiguous storage: one chunk, without a position.
        if n > 1 {
            return Err(Error::corrupt(format!(
                "{} chunks without chunkPositionInArray",
                n
            )));
        }
    } else if list.positioned != n || list.positions.len() != n * rank {
        return Err(Error::corrupt(
            "some chunks lack chunkPositionInArray or have the wrong number of coordinates",
        ));
    }
    for k in 0..n {
        let index = if list.positioned == 0 {
            0
        } else {
            chunk_index(
                &list.positions[k * rank..(k + 1) * rank],
                &chunk_shape,
                &grid,
            )?
        };
        if ids[index] != MISSING {
            return Err(Error::corrupt(format!(
                "two chunks at position {:?}",
                &list.positions[k * rank..(k + 1) * rank]
            )));
        }
        ids[index] = list.path_ids[k];
        offsets[index] = list.offsets[k];
        lengths[index] = list.lengths[k];
    }
    let manifest = ChunkManifest::from_columns(&grid, list.paths, ids, offsets, lengths)?;
    Ok((chunk_shape, manifest))
}

#[inline]
fn chunk_index(position: &[u64], chunk_shape: &[u64], grid: &[u64]) -> Result<usize> {
    let mut index = 0u64;
    for ((&p, &c), &g) in position.iter().zip(chunk_shape).zip(grid) {
        let i = p / c;
        if p % c != 0 || i >= g {
            return Err(Error::corrupt(format!(
                "chunk position {:?} is not on the chunk grid {:?} of {:?}",
                position, chunk_shape, grid
            )));
        }
        index = index * g + i;
    }
    Ok(index as usize)
}
