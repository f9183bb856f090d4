//! From a dataset's object header to its Zarr description: dtype, codecs, chunk shape,
//! fill value, and where the data is (compact bytes, one contiguous block, or a chunk index).

use super::dataspace::{self, Dataspace};
use super::datatype::{self, Datatype, StringPad};
use super::fill_value::{self, FillMessage, FillValue};
use super::filters::{self, Filter};
use super::global_heap::VlenRef;
use super::io::Source;
use super::layout::{self, ChunkIndex, Layout};
use super::object_header::{kind, resolve_shared, ObjectHeader};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::sansio::{Step, Stop};

/// The messages of a dataset that matter, decoded.
#[derive(Clone, Debug)]
pub struct DatasetMessages {
    pub space: Dataspace,
    pub dtype: Datatype,
    pub fill: FillValue,
    /// The fill value message says fill values are never written (`H5D_FILL_TIME_NEVER`).
    pub fill_never_written: bool,
    pub filters: Vec<Filter>,
    pub layout: Layout,
}

/// True when the object header describes a dataset.
pub fn is_dataset(header: &ObjectHeader) -> bool {
    header.has(kind::DATASPACE) && header.has(kind::LAYOUT)
}

/// The dataset's dataspace alone (dimension handling needs it even when the rest of the
/// dataset is unsupported).
pub fn read_dataspace(header: &ObjectHeader, src: &Source) -> Step<Dataspace> {
    let m = header
        .find(kind::DATASPACE)
        .ok_or_else(|| Stop::Fail(Error::corrupt("a dataset has no dataspace message")))?;
    let m = resolve_shared(m, src)?;
    Ok(dataspace::parse(&mut m.cursor(src, "dataspace message"))?)
}

/// Decodes the dataset messages. The outer `Step` stops for bytes (committed datatypes);
/// the inner `Result` is a problem with this dataset only.
pub fn read_messages(header: &ObjectHeader, src: &Source) -> Step<Result<DatasetMessages>> {
    let space = read_dataspace(header, src)?;
    let dtype_msg = match header.find(kind::DATATYPE) {
        Some(m) => m,
        None => return Ok(Err(Error::corrupt("a dataset has no datatype message"))),
    };
    let dtype_msg = match resolve_shared(dtype_msg, src) {
        Ok(m) => m,
        Err(Stop::Fail(e)) => return Ok(Err(e)),
        Err(need) => return Err(need),
    };
    let inner = || -> Result<DatasetMessages> {
        let dtype = datatype::parse(&mut dtype_msg.cursor(src, "datatype message"))?;
        let fill = match header.find(kind::FILL_VALUE) {
            Some(m) if !m.is_shared() => fill_value::parse(&mut m.cursor(src, "fill value"))?,
            _ => FillMessage {
                value: match header.find(kind::FILL_VALUE_OLD) {
                    Some(m) if !m.is_shared() => {
                        fill_value::parse_old(&mut m.cursor(src, "old fill value"))?
                    }
                    _ => FillValue::Default,
                },
                never_written: false,
            },
        };
        let filters = match header.find(kind::FILTER_PIPELINE) {
            Some(m) if m.is_shared() => {
                return Err(Error::unsupported(
                    "a shared filter pipeline message is not supported",
                ))
            }
            Some(m) => filters::parse(&mut m.cursor(src, "filter pipeline"))?,
            None => Vec::new(),
        };
        if header.has(kind::EXTERNAL_FILES) {
            return Err(Error::unsupported(
                "the dataset stores its data in external files",
            ));
        }
        let layout = match header.find(kind::LAYOUT) {
            Some(m) => layout::parse(&mut m.cursor(src, "layout message"))?,
            None => return Err(Error::corrupt("a dataset has no layout message")),
        };
        Ok(DatasetMessages {
            space: space.clone(),
            dtype,
            fill: fill.value,
            fill_never_written: fill.never_written,
            filters,
            layout,
        })
    };
    Ok(inner())
}

/// Where a variable's bytes are.
#[derive(Clone, Debug, PartialEq)]
pub enum Storage {
    /// The whole array, held in the layout message.
    Compact(Vec<u8>),
    /// The whole array as one block at an address (`None`: never written).
    Contiguous { addr: Option<u64>, len: u64 },
    Chunked {
        index: ChunkIndex,
        addr: Option<u64>,
        /// Bytes of one unfiltered chunk (the length of unfiltered index entries).
        chunk_bytes: u64,
        /// Maximum shape, `None` for unlimited axes (fixed/extensible arrays number chunks
        /// over it).
        max_shape: Vec<Option<u64>>,
    },
}

/// The Zarr view of one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableSpec {
    pub shape: Vec<u64>,
    pub chunks: Vec<u64>,
    /// Extra trailing axes of an array datatype (each element is a small fixed array).
    pub array_dims: Vec<u64>,
    pub dtype: String,
    /// The array→bytes codec (`bytes`, or `vlen-utf8`).
    pub head_codec: Json,
    /// Per filter of the pipeline (encode order), its codec; `None` for a filter that
    /// stores the data unchanged.
    pub filter_codecs: Vec<Option<Json>>,
    /// Filters (an HDF5 filter mask) chunks may not skip: the n-bit filter of a type with
    /// padding bits, whose codec also converts the values.
    pub required_filters: u32,
    /// The fill value from the HDF5 fill value message (netCDF's `_FillValue` attribute
    /// takes precedence later).
    pub fill_value: Json,
    /// Parts of chunks no write covered may hold anything (`H5D_FILL_TIME_NEVER`).
    pub fill_never_written: bool,
    pub storage: Storage,
    pub item_size: u64,
    /// `Some` for variable-length strings, whose values are loaded instead of referenced.
    pub vlen_string: Option<StringPad>,
    pub has_filters: bool,
    /// The filter pipeline (encode order), for chunks that skipped some of it.
    pub filters: Vec<Filter>,
}

impl VariableSpec {
    /// The Zarr codec list of chunks that skipped the filters set in `skipped` (an HDF5
    /// filter mask: bit `i` for filter `i`): those filters are not part of the list.
    pub fn codecs(&self, skipped: u32) -> Result<Vec<Json>> {
        if skipped & self.required_filters != 0 {
            return Err(Error::unsupported(format!(
                "chunks skip the n-bit filter (filter mask {:#x}), so their integers are not \
                 packed nor converted as the codec list says",
                skipped
            )));
        }
        let applied = self
            .filter_codecs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i >= 32 || skipped & (1 << i) == 0)
            .filter_map(|(_, c)| c.clone());
        Ok(std::iter::once(self.head_codec.clone())
            .chain(applied)
            .collect())
    }
}

fn product(values: &[u64], what: &str) -> Result<u64> {
    values.iter().try_fold(1u64, |acc, &v| {
        acc.checked_mul(v)
            .ok_or_else(|| Error::limit(format!("the {} {:?} overflows", what, values)))
    })
}

/// The `bytes` codec: `endian` only where byte order matters.
pub fn bytes_codec(endian: Option<&str>) -> Json {
    match endian {
        Some(e) => Json::object(vec![
            ("name", Json::from("bytes")),
            (
                "configuration",
                Json::object(vec![("endian", Json::from(e))]),
            ),
        ]),
        None => Json::object(vec![("name", Json::from("bytes"))]),
    }
}

/// Zarr fill value of the HDF5 fill value message.
fn fill_json(dtype: &Datatype, fill: &FillValue) -> Json {
    match fill {
        FillValue::Undefined => Json::Null,
        FillValue::Value(bytes) => dtype.element_json(bytes).unwrap_or(Json::Null),
        FillValue::Default => match dtype {
            Datatype::Float { .. } => Json::Number(0.0),
            Datatype::String { .. } => Json::from(""),
            Datatype::VlenString { .. } => Json::Null,
            _ if dtype.is_bool() => Json::Bool(false),
            _ => dtype
                .element_json(&vec![0u8; dtype.size()])
                .unwrap_or(Json::Null),
        },
    }
}

pub fn describe(m: &DatasetMessages, src: &Source) -> Result<VariableSpec> {
    let shape = match &m.space {
        Dataspace::Null => {
            return Err(Error::unsupported(
                "the dataset has a null dataspace (no elements)",
            ))
        }
        s => s.shape(),
    };
    let (dtype, codecs_head, item_size, vlen_string) = match &m.dtype {
        Datatype::VlenString { pad } => (
            "|O".to_string(),
            Json::object(vec![("name", Json::from("vlen-utf8"))]),
            VlenRef::size(src.geo) as u64,
            Some(*pad),
        ),
        t => (
            t.numpy_dtype()?,
            bytes_codec(t.endian()),
            t.size() as u64,
            None,
        ),
    };
    let filter_codecs = filters::to_codecs(&m.filters, &m.dtype, item_size as usize)?;
    // Integers using only some of their bits read right only through the n-bit codec,
    // which converts them as HDF5 does; it must be the last step of decoding.
    let required_filters = if m.dtype.is_full_precision() {
        0
    } else if matches!(filter_codecs.first(), Some(Some(_)))
        && m.filters.first().map(|f| f.id) == Some(filters::NBIT)
    {
        1
    } else {
        return Err(Error::unsupported(
            "integers using only some bits of their bytes (HDF5 precision/offset) are \
             supported only packed by the n-bit filter, as the first filter",
        ));
    };
    let fill_value = fill_json(&m.dtype, &m.fill);
    let nbytes = product(&shape, "shape")?
        .checked_mul(item_size)
        .ok_or_else(|| Error::limit("the dataset's size in bytes overflows"))?;
    let whole: Vec<u64> = shape.iter().map(|&d| d.max(1)).collect();
    let (chunks, storage) = match &m.layout {
        Layout::Compact { data } => {
            if (data.len() as u64) < nbytes {
                return Err(Error::corrupt(format!(
                    "compact data holds {} bytes, the dataset needs {}",
                    data.len(),
                    nbytes
                )));
            }
            (whole, Storage::Compact(data[..nbytes as usize].to_vec()))
        }
        Layout::Contiguous { addr, size } => {
            if let (Some(_), Some(size)) = (addr, size) {
                if *size < nbytes {
                    return Err(Error::corrupt(format!(
                        "contiguous storage of {} bytes is smaller than the dataset's {}",
                        size, nbytes
                    )));
                }
            }
            (
                whole,
                Storage::Contiguous {
                    addr: *addr,
                    len: nbytes,
                },
            )
        }
        Layout::Chunked {
            chunk,
            element_size,
            index,
            addr,
            flags,
        } => {
            if chunk.len() != shape.len() {
                return Err(Error::corrupt(format!(
                    "chunk rank {} differs from dataset rank {}",
                    chunk.len(),
                    shape.len()
                )));
            }
            if *element_size != item_size {
                return Err(Error::corrupt(format!(
                    "the layout's element size {} differs from the datatype's {}",
                    element_size, item_size
                )));
            }
            // Layout flag 0x1: partial edge chunks are stored without the filters, and
            // (unlike chunks skipped at write time) their filter mask does not say so.
            let partial_edges = shape.iter().zip(chunk).any(|(&s, &c)| s % c != 0);
            if flags & 1 != 0 && !m.filters.is_empty() && partial_edges {
                return Err(Error::unsupported(
                    "partial edge chunks are stored without the dataset's filters \
                     (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS); one Zarr codec list cannot \
                     describe both",
                ));
            }
            let chunk_bytes = product(chunk, "chunk shape")?
                .checked_mul(item_size)
                .ok_or_else(|| Error::limit("the chunk size in bytes overflows"))?;
            (
                chunk.clone(),
                Storage::Chunked {
                    index: index.clone(),
                    addr: *addr,
                    chunk_bytes,
                    max_shape: m.space.max_shape(),
                },
            )
        }
        Layout::Virtual => {
            return Err(Error::unsupported(
                "virtual datasets (data mapped from other datasets) are not supported",
            ))
        }
    };
    let array_dims = match &m.dtype {
        Datatype::Array { dims, .. } => dims.clone(),
        _ => Vec::new(),
    };
    Ok(VariableSpec {
        shape,
        chunks,
        array_dims,
        dtype,
        head_codec: codecs_head,
        filter_codecs,
        required_filters,
        fill_value,
        fill_never_written: m.fill_never_written,
        storage,
        item_size,
        vlen_string,
        has_filters: !m.filters.is_empty(),
        filters: m.filters.clone(),
    })
}
