//! DMR++ sidecars (OPeNDAP Hyrax's chunk maps of HDF5 / netCDF-4 files; docs/formats/dmrpp.md)
//! read without the data file: the XML is the whole input, so the scanner asks for the file
//! once and builds the group tree from it. Chunks point at the sidecar's `dmrpp:href` (or a
//! chunk's own `href`) as written; the host resolves those against the sidecar's URL.

mod document;
mod types;
mod variable;
mod xml;

pub use document::DATA_ACCESS_PLACEHOLDER;

use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Stop};
use crate::scan::{FormatScanner, ScanOptions, ScannedFile, ScannedGroup};

/// Sidecars larger than this are refused (the largest NASA sidecars are tens of MB).
pub const MAX_SIDECAR_BYTES: u64 = 1 << 30;

/// Does the start of a file look like a DMR++ document (the DAP4 namespace and dmrpp's)?
pub fn is_dmrpp(head: &[u8]) -> bool {
    let head = &head[..head.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"<Dataset") && has(b"xml.opendap.org/dap/dmrpp")
}

pub struct DmrppScanner {
    options: ScanOptions,
    result: Option<ScannedFile>,
}

impl DmrppScanner {
    pub fn new(options: &ScanOptions) -> DmrppScanner {
        DmrppScanner {
            options: options.clone(),
            result: None,
        }
    }
}

/// Parses a whole sidecar.
pub fn read_sidecar(src: &[u8], options: &ScanOptions) -> Result<ScannedFile> {
    let (mut root, _href) = document::Reader::read(src)?;
    let group = options.group.trim_matches('/');
    if !group.is_empty() {
        root = take_group(root, group)?;
    }
    drop_variables(&mut root, &options.drop_variables, "");
    Ok(ScannedFile {
        format: "dmrpp".to_string(),
        root,
    })
}

fn take_group(mut g: ScannedGroup, path: &str) -> Result<ScannedGroup> {
    for part in path.split('/') {
        let i = g
            .groups
            .iter()
            .position(|s| s.name == part)
            .ok_or_else(|| Error::not_found(format!("group {:?} is not in the DMR++", path)))?;
        g = g.groups.swap_remove(i);
    }
    g.name = String::new();
    Ok(g)
}

fn drop_variables(g: &mut ScannedGroup, drop: &[String], prefix: &str) {
    g.variables.retain(|v| {
        let path = format!("{}{}", prefix, v.name);
        !drop
            .iter()
            .any(|d| d.trim_start_matches('/') == path || *d == v.name)
    });
    for sub in &mut g.groups {
        let p = format!("{}{}/", prefix, sub.name);
        drop_variables(sub, drop, &p);
    }
}

impl FormatScanner for DmrppScanner {
    fn advance(&mut self, cache: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.result.is_some() {
            return Ok(Vec::new());
        }
        let size = cache.file_size();
        if size > MAX_SIDECAR_BYTES {
            return Err(Error::limit(format!(
                "the DMR++ is {} bytes; sidecars over {} bytes are refused",
                size, MAX_SIDECAR_BYTES
            )));
        }
        let src = match cache.read(0, size) {
            Ok(b) => b,
            Err(Stop::Need(_)) => return Ok(vec![ByteRange::new(0, size)]),
            Err(Stop::Fail(e)) => return Err(e),
        };
        self.result = Some(read_sidecar(src, &self.options)?);
        Ok(Vec::new())
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        self.result
            .ok_or_else(|| Error::invalid("the DMR++ scan has not finished"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;

    const SIDECAR: &str = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<Dataset xmlns="http://xml.opendap.org/ns/DAP/4.0#" xmlns:dmrpp="http://xml.opendap.org/dap/dmrpp/1.0.0#" name="t.h5" dmrpp:href="t.h5" dmrpp:version="3.21.1">
  <Dimension name="y" size="4"/>
  <Float32 name="v">
    <Dim name="/y"/>
    <Dim size="6"/>
    <Attribute name="units" type="String"><Value>K &amp; more</Value></Attribute>
    <Attribute name="range" type="Float32"><Value>0.1</Value><Value>nan</Value></Attribute>
    <dmrpp:chunks compressionType="shuffle deflate" deflateLevel="5" fillValue="-9" byteOrder="BE">
      <dmrpp:chunkDimensionSizes>2 4</dmrpp:chunkDimensionSizes>
      <dmrpp:chunk offset="100" nBytes="10" chunkPositionInArray="[0,4]"/>
      <dmrpp:chunk offset="110" nBytes="11" chunkPositionInArray="[2,0]" href="other.h5"/>
    </dmrpp:chunks>
  </Float32>
  <Group name="g"><Int16 name="s"><dmrpp:chunks byteOrder="LE"><dmrpp:chunk offset="7" nBytes="2"/></dmrpp:chunks></Int16></Group>
</Dataset>"#;

    #[test]
    fn reads_variables_chunks_filters_and_groups() {
        let f = read_sidecar(SIDECAR.as_bytes(), &ScanOptions::default()).unwrap();
        let v = &f.root.variables[0];
        assert_eq!(v.dims, vec!["y", "phony_dim_0"]);
        assert_eq!(v.shape, vec![4, 6]);
        assert_eq!(v.chunks, vec![2, 4]);
        assert_eq!(v.dtype, ">f4");
        assert_eq!(v.fill_value, Json::Number(-9.0));
        assert_eq!(
            v.codecs
                .iter()
                .map(|c| c.get("name").unwrap().clone())
                .collect::<Vec<_>>(),
            vec![
                Json::from("bytes"),
                Json::from("numcodecs.shuffle"),
                Json::from("numcodecs.zlib")
            ]
        );
        assert_eq!(v.attrs[0], ("units".to_string(), Json::from("K & more")));
        let m = v.manifest.as_ref().unwrap();
        assert_eq!(m.shape(), &[2, 2]);
        let at = |c: &[u64]| m.entry_at(c).unwrap();
        assert_eq!(
            at(&[0, 1]),
            crate::ChunkEntry::Ref {
                path: "t.h5",
                offset: 100,
                length: 10
            }
        );
        assert_eq!(
            at(&[1, 0]),
            crate::ChunkEntry::Ref {
                path: "other.h5",
                offset: 110,
                length: 11
            }
        );
        assert_eq!(at(&[0, 0]), crate::ChunkEntry::Missing);
        assert_eq!(m.present_count(), 2);
        assert_eq!(
            m.paths().paths(),
            &["t.h5".to_string(), "other.h5".to_string()]
        );
        let s = &f.root.groups[0].variables[0];
        assert_eq!((s.dtype.as_str(), s.shape.len()), ("<i2", 0));
        assert_eq!(
            f.root.groups[0].variables[0]
                .manifest
                .as_ref()
                .unwrap()
                .present_count(),
            1
        );
    }

    #[test]
    fn a_bad_variable_is_skipped_with_its_reason() {
        let bad = SIDECAR.replace("[2,0]", "[3,0]");
        let f = read_sidecar(bad.as_bytes(), &ScanOptions::default()).unwrap();
        assert!(f.root.variables.is_empty());
        assert_eq!(f.root.skipped[0].name, "v");
        assert_eq!(f.root.skipped[0].error.kind, crate::ErrorKind::CorruptFile);
    }

    #[test]
    fn malformed_documents_are_corrupt() {
        for cut in [10, 200, 600, SIDECAR.len() - 3] {
            let e = read_sidecar(&SIDECAR.as_bytes()[..cut], &ScanOptions::default()).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::CorruptFile, "cut at {}", cut);
        }
    }

    #[test]
    fn inline_data_and_variable_length_strings() {
        let doc = r#"<Dataset xmlns:dmrpp="http://xml.opendap.org/dap/dmrpp/1.0.0#">
  <UInt8 name="c"><Dim size="3"/><dmrpp:chunks byteOrder="LE"/><dmrpp:compact>AQID</dmrpp:compact></UInt8>
  <UInt8 name="m"><Dim size="4"/><dmrpp:missingdata>eJxjYGBgAAAABAAB</dmrpp:missingdata></UInt8>
  <String name="s"><Dim size="4"/><dmrpp:vlsa><v>a&amp;b</v><v c="3">x</v></dmrpp:vlsa></String>
  <String name="f"><Dim size="2"/><dmrpp:FixedLengthStringArray string_length="5" pad="null_pad"/>
    <dmrpp:chunks><dmrpp:chunk offset="9" nBytes="10"/></dmrpp:chunks></String>
</Dataset>"#;
        let f = read_sidecar(doc.as_bytes(), &ScanOptions::default()).unwrap();
        let by = |n: &str| f.root.variables.iter().find(|v| v.name == n).unwrap();
        let c = by("c").manifest.as_ref().unwrap();
        assert_eq!(c.entry(0).unwrap(), crate::ChunkEntry::Inlined(&[1, 2, 3]));
        // zlib-compressed missing data keeps its bytes and gains the zlib codec.
        assert_eq!(by("m").codecs.len(), 2);
        assert_eq!(
            by("s").values,
            Some(Json::Array(
                ["a&b", "x", "x", "x"]
                    .iter()
                    .map(|&s| Json::from(s))
                    .collect()
            ))
        );
        assert_eq!(by("f").dtype, "|S5");
        assert!(f.root.skipped.is_empty(), "{:?}", f.root.skipped);
    }
}
