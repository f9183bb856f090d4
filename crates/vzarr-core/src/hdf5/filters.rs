//! The filter pipeline message (0x0B) and its mapping to Zarr v3 bytes→bytes codecs.
//!
//! HDF5 lists filters in the order they are applied when writing, which is also the order of
//! Zarr's `codecs` list after the array→bytes codec. The client data (`cd_values`) the
//! filters stored at write time give the codec configurations.

use super::datatype::Datatype;
use super::io::Cursor;
use crate::codecs::nbit::NbitParams;
use crate::codecs::scaleoffset::ScaleOffsetParams;
use crate::error::{Error, Result};
use crate::json::Json;

/// HDF5 allows at most 32 filters in a pipeline.
const MAX_FILTERS: usize = 32;

pub const DEFLATE: u16 = 1;
pub const SHUFFLE: u16 = 2;
pub const FLETCHER32: u16 = 3;
pub const SZIP: u16 = 4;
pub const NBIT: u16 = 5;
pub const SCALEOFFSET: u16 = 6;
pub const LZF: u16 = 32000;
pub const BLOSC: u16 = 32001;
pub const LZ4: u16 = 32004;
pub const BITSHUFFLE: u16 = 32008;
pub const ZSTD: u16 = 32015;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub id: u16,
    pub name: String,
    pub flags: u16,
    pub client_data: Vec<u32>,
}

pub fn parse(c: &mut Cursor) -> Result<Vec<Filter>> {
    let version = c.u8()?;
    let count = c.u8()? as usize;
    if count > MAX_FILTERS {
        return Err(c.error(format!("{} filters exceed HDF5's limit of 32", count)));
    }
    match version {
        1 => c.skip(6)?,
        2 => {}
        v => return Err(c.error(format!("filter pipeline version {} is not supported", v))),
    }
    let mut filters = Vec::with_capacity(count);
    for _ in 0..count {
        let id = c.u16()?;
        let name_len = if version == 1 || id >= 256 {
            c.u16()? as usize
        } else {
            0
        };
        let flags = c.u16()?;
        let n = c.u16()? as usize;
        let name_bytes = c.bytes(name_len)?;
        let end = name_bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(name_bytes.len());
        let name = String::from_utf8_lossy(&name_bytes[..end]).into_owned();
        let mut client_data = Vec::with_capacity(n);
        for _ in 0..n {
            client_data.push(c.u32()?);
        }
        if version == 1 && n % 2 == 1 {
            c.skip(4)?;
        }
        filters.push(Filter {
            id,
            name,
            flags,
            client_data,
        });
    }
    Ok(filters)
}

fn codec(name: &str, config: Vec<(&str, Json)>) -> Json {
    configured(name, Json::object(config))
}

fn configured(name: &str, configuration: Json) -> Json {
    Json::object(vec![
        ("name", Json::from(name)),
        ("configuration", configuration),
    ])
}

fn cd(filter: &Filter, i: usize) -> Option<u64> {
    filter.client_data.get(i).map(|&v| u64::from(v))
}

fn describe(filter: &Filter) -> String {
    if filter.name.is_empty() {
        format!("filter {}", filter.id)
    } else {
        format!("filter {} ({})", filter.id, filter.name)
    }
}

/// The Zarr v3 codec for one HDF5 filter of a dataset of `dtype` (`item_size` bytes per
/// element). `Ok(None)` for a filter that stores the data unchanged (it needs no codec).
pub fn to_codec(filter: &Filter, dtype: &Datatype, item_size: usize) -> Result<Option<Json>> {
    let item = item_size as u64;
    let codec = match filter.id {
        DEFLATE => Ok(codec(
            "numcodecs.zlib",
            vec![("level", Json::UInt(cd(filter, 0).unwrap_or(6)))],
        )),
        SHUFFLE => Ok(codec(
            "numcodecs.shuffle",
            vec![("elementsize", Json::UInt(cd(filter, 0).unwrap_or(item)))],
        )),
        FLETCHER32 => Ok(codec("numcodecs.fletcher32", vec![])),
        SZIP => {
            if filter.client_data.len() < 4 {
                return Err(Error::corrupt(format!(
                    "the szip filter has {} client values, expected 4",
                    filter.client_data.len()
                )));
            }
            Ok(codec(
                "vzarr.szip",
                vec![
                    ("options_mask", Json::UInt(cd(filter, 0).unwrap_or(0))),
                    ("pixels_per_block", Json::UInt(cd(filter, 1).unwrap_or(0))),
                    ("bits_per_pixel", Json::UInt(cd(filter, 2).unwrap_or(0))),
                    (
                        "pixels_per_scanline",
                        Json::UInt(cd(filter, 3).unwrap_or(0)),
                    ),
                ],
            ))
        }
        LZF => Ok(codec("vzarr.lzf", vec![])),
        BLOSC => blosc(filter, item),
        LZ4 => Ok(codec("vzarr.hdf5_lz4", vec![])),
        BITSHUFFLE => {
            let compression = match cd(filter, 4).unwrap_or(0) {
                0 => "none",
                2 => "lz4",
                3 => "zstd",
                other => {
                    return Err(Error::unsupported(format!(
                        "bitshuffle with compression code {} is not supported",
                        other
                    )))
                }
            };
            Ok(codec(
                "vzarr.bitshuffle",
                vec![
                    ("elementsize", Json::UInt(cd(filter, 2).unwrap_or(item))),
                    ("blocksize", Json::UInt(cd(filter, 3).unwrap_or(0))),
                    ("compression", Json::from(compression)),
                ],
            ))
        }
        ZSTD => Ok(codec(
            "zstd",
            vec![
                (
                    "level",
                    Json::Int(cd(filter, 0).map_or(3, |v| v as u32 as i32 as i64)),
                ),
                ("checksum", Json::Bool(false)),
            ],
        )),
        SCALEOFFSET => {
            return Ok(
                ScaleOffsetParams::from_cd_values(&filter.client_data, item_size)?
                    .map(|p| configured("vzarr.scaleoffset", p.to_config())),
            )
        }
        NBIT => return nbit(filter, dtype, item_size),
        _ => Err(Error::unsupported(format!(
            "{} has no Zarr codec in vzarr",
            describe(filter)
        ))),
    };
    codec.map(Some)
}

/// The n-bit codec, when the filter packs anything: only integers, whose datatype must
/// say what the client data say.
fn nbit(filter: &Filter, dtype: &Datatype, item_size: usize) -> Result<Option<Json>> {
    let signed = matches!(dtype, Datatype::Integer { signed: true, .. });
    let params = match NbitParams::from_cd_values(&filter.client_data, item_size, signed)? {
        Some(p) => p,
        None => return Ok(None),
    };
    match dtype {
        Datatype::Integer {
            big_endian,
            precision,
            bit_offset,
            ..
        } if (*big_endian, *precision, *bit_offset)
            == (params.big_endian, params.precision, params.offset) =>
        {
            Ok(Some(configured("vzarr.nbit", params.to_config())))
        }
        Datatype::Integer { .. } => Err(Error::corrupt(format!(
            "the n-bit filter packs {} bits at bit {}, which is not the dataset's integer type",
            params.precision, params.offset
        ))),
        _ => Err(Error::unsupported(
            "n-bit packing of a non-integer datatype is not decoded by vzarr",
        )),
    }
}

/// hdf5-blosc's client data: `[filter rev, blosc version, typesize, chunk bytes, clevel,
/// shuffle, compressor]`; the last three are optional (defaults 5, shuffle, blosclz).
fn blosc(filter: &Filter, item: u64) -> Result<Json> {
    let typesize = cd(filter, 2).filter(|&t| t > 0).unwrap_or(item);
    let clevel = cd(filter, 4).unwrap_or(5);
    let shuffle = match cd(filter, 5).unwrap_or(1) {
        0 => "noshuffle",
        1 => "shuffle",
        2 => "bitshuffle",
        other => {
            return Err(Error::unsupported(format!(
                "blosc shuffle mode {} is not supported",
                other
            )))
        }
    };
    let cname = match cd(filter, 6).unwrap_or(0) {
        0 => "blosclz",
        1 => "lz4",
        2 => "lz4hc",
        3 => "snappy",
        4 => "zlib",
        5 => "zstd",
        other => {
            return Err(Error::unsupported(format!(
                "blosc compressor code {} is not supported",
                other
            )))
        }
    };
    Ok(codec(
        "blosc",
        vec![
            ("cname", Json::from(cname)),
            ("clevel", Json::UInt(clevel)),
            ("shuffle", Json::from(shuffle)),
            ("typesize", Json::UInt(typesize)),
            ("blocksize", Json::UInt(0)),
        ],
    ))
}

/// Codecs for a whole pipeline, in encode order: one per filter, `None` for a filter that
/// stores the data unchanged.
pub fn to_codecs(
    filters: &[Filter],
    dtype: &Datatype,
    item_size: usize,
) -> Result<Vec<Option<Json>>> {
    filters
        .iter()
        .map(|f| to_codec(f, dtype, item_size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::io::Geometry;

    #[test]
    fn parses_v2_and_maps_codecs() {
        // v2: shuffle(cd=[4]) then deflate(cd=[9]).
        let bytes = [
            2u8, 2, 2, 0, 1, 0, 1, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 9, 0, 0, 0,
        ];
        let geo = Geometry {
            base: 0,
            o: 8,
            l: 8,
        };
        let filters = parse(&mut Cursor::new(&bytes, geo, 0, "t")).unwrap();
        assert_eq!(filters.len(), 2);
        let codecs: Vec<Json> = to_codecs(&filters, &int(4), 4)
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(
            codecs[0].to_string(),
            r#"{"name":"numcodecs.shuffle","configuration":{"elementsize":4}}"#
        );
        assert_eq!(
            codecs[1].to_string(),
            r#"{"name":"numcodecs.zlib","configuration":{"level":9}}"#
        );
    }

    fn int(size: usize) -> Datatype {
        Datatype::Integer {
            size,
            signed: true,
            big_endian: false,
            precision: 8 * size as u32,
            bit_offset: 0,
        }
    }

    fn float(size: usize) -> Datatype {
        Datatype::Float {
            size,
            big_endian: false,
        }
    }

    fn filter(id: u16, client_data: Vec<u32>) -> Filter {
        Filter {
            id,
            name: String::new(),
            flags: 0,
            client_data,
        }
    }

    #[test]
    fn maps_scaleoffset_client_data() {
        // h5wasm's compressed.h5: f8, D-scaling with 4 decimals, 1250 elements, fill 0.0.
        let mut cd = vec![0u32; 20];
        cd[..8].copy_from_slice(&[0, 4, 1250, 1, 8, 0, 0, 1]);
        let c = to_codec(&filter(SCALEOFFSET, cd.clone()), &float(8), 8)
            .unwrap()
            .unwrap();
        assert_eq!(
            c.to_string(),
            r#"{"name":"vzarr.scaleoffset","configuration":{"scale_type":0,"scale_factor":4,"nelmts":1250,"class":"float","size":8,"order":"little","fill_defined":true,"fill_bytes":[0,0,0,0,0,0,0,0]}}"#
        );
        // E-scaling: HDF5 cannot read it either.
        cd[0] = 1;
        assert_eq!(
            to_codec(&filter(SCALEOFFSET, cd), &float(8), 8)
                .unwrap_err()
                .kind,
            crate::ErrorKind::UnsupportedFeature
        );
        assert_eq!(
            to_codec(&filter(SCALEOFFSET, vec![]), &int(4), 4)
                .unwrap_err()
                .kind,
            crate::ErrorKind::CorruptFile
        );
    }

    #[test]
    fn a_scaleoffset_filter_that_changes_nothing_has_no_codec() {
        // Integers with a fixed minbits of the full width: HDF5 stores the data as is.
        let mut cd = vec![0u32; 20];
        cd[..7].copy_from_slice(&[2, 16, 100, 0, 2, 1, 0]);
        assert_eq!(
            to_codec(&filter(SCALEOFFSET, cd), &int(2), 2).unwrap(),
            None
        );
    }

    #[test]
    fn maps_nbit_for_packed_integers_only() {
        let packed = Datatype::Integer {
            size: 4,
            signed: true,
            big_endian: false,
            precision: 12,
            bit_offset: 4,
        };
        let cd = vec![8, 0, 10, 1, 4, 0, 12, 4];
        let c = to_codec(&filter(NBIT, cd.clone()), &packed, 4)
            .unwrap()
            .unwrap();
        assert_eq!(
            c.to_string(),
            r#"{"name":"vzarr.nbit","configuration":{"nelmts":10,"size":4,"order":"little","precision":12,"offset":4,"signed":true}}"#
        );
        // The client data must describe the dataset's type.
        assert_eq!(
            to_codec(&filter(NBIT, cd), &int(4), 4).unwrap_err().kind,
            crate::ErrorKind::CorruptFile
        );
        // Full precision: HDF5 packs nothing.
        let full = vec![8, 1, 10, 1, 4, 0, 32, 0];
        assert_eq!(to_codec(&filter(NBIT, full), &int(4), 4).unwrap(), None);
        // An array datatype of packed integers.
        let array = vec![10, 0, 10, 2, 8, 1, 4, 0, 12, 4];
        assert_eq!(
            to_codec(&filter(NBIT, array), &int(8), 8).unwrap_err().kind,
            crate::ErrorKind::UnsupportedFeature
        );
    }
}
