//! Where the data of each netCDF3 variable lives, and the Zarr view of it.
//!
//! * Fixed variables are one contiguous block at `begin`: one chunk equal to the shape,
//!   `product(shape) × itemsize` bytes (not `vsize`, which is padded and saturates).
//! * Record variables interleave: record `r` of a variable is at `begin + r × recsize`,
//!   where `recsize` is the sum of the record variables' per-record sizes, each padded to 4
//!   bytes as netCDF-C's `NC_var_shape` pads them — except when there is exactly one
//!   record variable, whose records are then packed without padding (`NC_computeshapes`).
//!   One chunk per record (`[1, ...rest]`); with a single record variable the records are
//!   contiguous, so several are merged into one chunk (see [`records_per_chunk`]).

use super::header::{Header, Variable};
use super::types::{attribute_json, fill_value, NcType};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::ChunkManifest;
use crate::scan::{ScannedGroup, ScannedVariable};

/// Merged record chunks of a single record variable aim at this many bytes.
pub const MERGE_TARGET_BYTES: u64 = 4 << 20;

/// What the layout pass derives from a header: sizes every variable needs.
struct RecordLayout {
    /// Index of the record dimension, if the file has one.
    record_dim: Option<usize>,
    /// Bytes from one record to the next.
    recsize: u64,
    /// Records present.
    numrecs: u64,
    record_var_count: usize,
}

/// Builds the root group (netCDF3 has no other) from a parsed header.
pub fn build_group(
    header: &Header,
    url: &str,
    file_size: u64,
    drop: &[String],
) -> Result<ScannedGroup> {
    let layout = record_layout(header, file_size)?;
    let mut dims = Vec::with_capacity(header.dims.len());
    for (i, d) in header.dims.iter().enumerate() {
        let length = if Some(i) == layout.record_dim {
            layout.numrecs
        } else {
            d.length
        };
        dims.push((d.name.clone(), length));
    }
    let mut variables = Vec::new();
    for var in &header.vars {
        // Every variable is checked, dropped or not: a corrupt header is corrupt.
        let scanned = scan_variable(header, &layout, var, url, file_size)
            .map_err(|e| e.with_variable(var.name.clone()))?;
        if !drop
            .iter()
            .any(|d| d == &var.name || d.trim_start_matches('/') == var.name)
        {
            variables.push(scanned);
        }
    }
    Ok(ScannedGroup {
        name: String::new(),
        attrs: header
            .attrs
            .iter()
            .map(|a| (a.name.clone(), attribute_json(a.nc_type, &a.values)))
            .collect(),
        dims,
        variables,
        ..ScannedGroup::default()
    })
}

/// Elements × itemsize of one record (record variables) or of the whole variable,
/// refusing overflow.
fn data_bytes(var: &Variable, shape: &[u64]) -> Result<u64> {
    shape
        .iter()
        .try_fold(var.nc_type.size(), |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Error::corrupt(format!(
                "the size of variable {:?} (shape {:?}) overflows 64 bits",
                var.name, shape
            ))
        })
}

fn shape_of(header: &Header, var: &Variable) -> Result<Vec<u64>> {
    var.dim_ids
        .iter()
        .map(|&id| {
            usize::try_from(id)
                .ok()
                .and_then(|i| header.dims.get(i))
                .map(|d| d.length)
                .ok_or_else(|| {
                    Error::corrupt(format!(
                        "variable {:?} refers to dimension id {}, but the file has {} dimensions",
                        var.name,
                        id,
                        header.dims.len()
                    ))
                })
        })
        .collect()
}

fn is_record_var(var: &Variable, record_dim: Option<usize>) -> bool {
    match (record_dim, var.dim_ids.first()) {
        (Some(r), Some(&first)) => first == r as u64,
        _ => false,
    }
}

fn record_layout(header: &Header, file_size: u64) -> Result<RecordLayout> {
    let mut record_dim = None;
    for (i, d) in header.dims.iter().enumerate() {
        if d.length == 0 {
            if record_dim.is_some() {
                return Err(Error::corrupt(
                    "the header declares more than one unlimited (length 0) dimension",
                ));
            }
            record_dim = Some(i);
        }
    }
    let mut recsize = 0u64;
    // (begin, bytes of one record) of each record variable.
    let mut record_vars: Vec<(u64, u64)> = Vec::new();
    for var in &header.vars {
        if let Some(r) = record_dim {
            if var.dim_ids.iter().skip(1).any(|&id| id == r as u64) {
                return Err(Error::corrupt(format!(
                    "variable {:?} uses the unlimited dimension other than as its first axis",
                    var.name
                )));
            }
        }
        if !is_record_var(var, record_dim) {
            continue;
        }
        let shape = shape_of(header, var)?;
        let bytes = data_bytes(var, shape.get(1..).unwrap_or(&[]))?;
        let padded = if var.nc_type.pads_to_four() {
            bytes.checked_add((4 - bytes % 4) % 4)
        } else {
            Some(bytes)
        };
        recsize = padded
            .and_then(|p| recsize.checked_add(p))
            .ok_or_else(|| Error::corrupt("the record size overflows 64 bits"))?;
        record_vars.push((var.begin, bytes));
    }
    if let [(_, only)] = record_vars[..] {
        recsize = only;
    }
    let numrecs = match header.numrecs {
        Some(n) => n,
        None => streaming_numrecs(&record_vars, recsize, file_size),
    };
    Ok(RecordLayout {
        record_dim,
        recsize,
        numrecs,
        record_var_count: record_vars.len(),
    })
}

/// The record count of a streaming file (numrecs all ones): the number of records whose
/// data, for every record variable, lies inside the file. Trailing padding of the last
/// record need not be there, so this is not simply `(file_size - begin) / recsize`.
fn streaming_numrecs(record_vars: &[(u64, u64)], recsize: u64, file_size: u64) -> u64 {
    if recsize == 0 {
        return 0;
    }
    record_vars
        .iter()
        .map(|&(begin, bytes)| match begin.checked_add(bytes) {
            Some(end) if end <= file_size => (file_size - end) / recsize + 1,
            _ => 0,
        })
        .min()
        .unwrap_or(0)
}

fn scan_variable(
    header: &Header,
    layout: &RecordLayout,
    var: &Variable,
    url: &str,
    file_size: u64,
) -> Result<ScannedVariable> {
    let mut shape = shape_of(header, var)?;
    // shape_of has checked every id.
    let dims = var
        .dim_ids
        .iter()
        .filter_map(|&id| header.dims.get(id as usize))
        .map(|d| d.name.clone())
        .collect();
    if var.begin < header.length {
        return Err(Error::corrupt(format!(
            "the data of variable {:?} would start at byte {}, inside the {}-byte header",
            var.name, var.begin, header.length
        ))
        .at_offset(var.begin));
    }
    let record = is_record_var(var, layout.record_dim);
    let (chunks, manifest) = if record {
        shape[0] = layout.numrecs;
        let record_bytes = data_bytes(var, &shape[1..])?;
        check_extent(var, file_size, layout, record_bytes)?;
        let per_chunk = if layout.record_var_count == 1 {
            records_per_chunk(layout.numrecs, record_bytes)
        } else {
            1
        };
        let manifest = record_manifest(
            &shape,
            per_chunk,
            var.begin,
            layout.recsize,
            record_bytes,
            url,
        )?;
        let mut chunks = shape.clone();
        chunks[0] = per_chunk;
        (chunks, manifest)
    } else {
        let bytes = data_bytes(var, &shape)?;
        let end = var.begin.checked_add(bytes).filter(|&e| e <= file_size);
        if end.is_none() {
            return Err(Error::corrupt(format!(
                "the {} bytes of variable {:?} at offset {} extend past the end of the file ({} bytes)",
                bytes, var.name, var.begin, file_size
            ))
            .at_offset(var.begin));
        }
        let grid = vec![1u64; shape.len()];
        let manifest = ChunkManifest::from_columns(
            &grid,
            vec![url.to_string()],
            vec![0],
            vec![var.begin],
            vec![bytes],
        )?;
        (shape.clone(), manifest)
    };
    let fill = var
        .attrs
        .iter()
        .find(|a| a.name == "_FillValue")
        .map(|a| (a.nc_type, a.values.as_slice()));
    Ok(ScannedVariable {
        name: var.name.clone(),
        dims,
        shape,
        chunks,
        dtype: var.nc_type.dtype().to_string(),
        codecs: vec![bytes_codec(var.nc_type)],
        fill_value: fill_value(var.nc_type, fill),
        attrs: var
            .attrs
            .iter()
            .map(|a| (a.name.clone(), attribute_json(a.nc_type, &a.values)))
            .collect(),
        manifest: Some(manifest),
        values: None,
        loaded: None,
    })
}

/// The Zarr v3 `bytes` codec: big-endian, no configuration for 1-byte types.
fn bytes_codec(t: NcType) -> Json {
    let config = if t.size() > 1 {
        vec![("endian", Json::from("big"))]
    } else {
        Vec::new()
    };
    Json::object(vec![
        ("name", Json::from("bytes")),
        ("configuration", Json::object(config)),
    ])
}

/// The last record of a record variable must lie inside the file.
fn check_extent(
    var: &Variable,
    file_size: u64,
    layout: &RecordLayout,
    record_bytes: u64,
) -> Result<()> {
    if layout.numrecs == 0 || record_bytes == 0 {
        return Ok(());
    }
    let end = (layout.numrecs - 1)
        .checked_mul(layout.recsize)
        .and_then(|o| o.checked_add(var.begin))
        .and_then(|o| o.checked_add(record_bytes));
    match end {
        Some(e) if e <= file_size => Ok(()),
        _ => Err(Error::corrupt(format!(
            "{} records of {} bytes every {} bytes from offset {} extend past the end of the file ({} bytes)",
            layout.numrecs, record_bytes, layout.recsize, var.begin, file_size
        ))
        .at_offset(var.begin)),
    }
}

/// How many records of a file's only record variable go in one chunk: as many as fit in
/// [`MERGE_TARGET_BYTES`] (at least one), reduced to a divisor of `numrecs` so that every
/// chunk, the last included, is complete — Zarr reads full-size chunks and the bytes past
/// the last record need not exist. A prime `numrecs` larger than the target thus falls
/// back to one record per chunk.
pub fn records_per_chunk(numrecs: u64, record_bytes: u64) -> u64 {
    if numrecs == 0 {
        return 1;
    }
    let fit = (MERGE_TARGET_BYTES / record_bytes.max(1)).max(1);
    if fit >= numrecs {
        return numrecs;
    }
    // Largest divisor of numrecs not above `fit`, found through the divisor pairs up to
    // sqrt(numrecs) (bounded: numrecs × record_bytes fits in the file).
    let mut best = 1u64;
    let mut i = 1u64;
    while i.saturating_mul(i) <= numrecs {
        if numrecs.is_multiple_of(i) {
            let pair = numrecs / i;
            if i <= fit {
                best = best.max(i);
            }
            if pair <= fit {
                best = best.max(pair);
                break; // pairs only shrink from here: `pair` is the largest fitting one
            }
        }
        i += 1;
    }
    best
}

fn record_manifest(
    shape: &[u64],
    per_chunk: u64,
    begin: u64,
    recsize: u64,
    record_bytes: u64,
    url: &str,
) -> Result<ChunkManifest> {
    let mut grid = vec![1u64; shape.len()];
    let numrecs = shape[0];
    grid[0] = numrecs / per_chunk.max(1);
    let n = crate::manifest::chunk_count(&grid)?;
    let mut offsets = Vec::with_capacity(n);
    let mut lengths = Vec::with_capacity(n);
    let stride = per_chunk * recsize;
    let length = per_chunk * record_bytes;
    for i in 0..n as u64 {
        offsets.push(begin + i * stride);
        lengths.push(length);
    }
    ChunkManifest::from_columns(&grid, vec![url.to_string()], vec![0; n], offsets, lengths)
}
