//! TIFF / BigTIFF / COG / GeoTIFF scanner (docs/formats/tiff.md).
//!
//! Reads, in as few rounds as the file allows:
//! 1. a first block of [`FIRST_BLOCK`] bytes: the header and, in a COG (whose IFDs and tag
//!    arrays GDAL writes before any image data), usually every IFD and tag value;
//! 2. each IFD not held yet — the chain's next offset is inside the previous IFD, so one
//!    round per IFD outside the held bytes, each read with [`IFD_READ_AHEAD`] bytes;
//! 3. together with (2), the out-of-line values of every tag the scanner reads, of all IFDs
//!    parsed so far, in one round;
//! 4. the stored last strip of striped images whose last strip is short and compressed
//!    (`short_strip.rs`).
//!
//! Every count and offset is checked against the file size and limits; IFD cycles and
//! chains longer than [`ifd::MAX_IFDS`] are refused.

mod encoding;
mod gdal;
mod geo;
mod header;
mod ifd;
mod image;
mod layout;
mod output;
mod short_strip;

pub use header::is_tiff;

use crate::error::{Error, Result};
use crate::sansio::{normalize_needs, ByteCache, ByteRange, Stop};
use crate::scan::{drop_variables, select_group, FormatScanner, ScanOptions, ScannedFile};
use header::Layout;
use ifd::{Ifd, Values};
use output::Prepared;
use std::collections::HashSet;

/// Bytes requested first.
pub const FIRST_BLOCK: u64 = 64 << 10;
/// Bytes read at an IFD outside the held bytes (its entries and, often, its values).
pub const IFD_READ_AHEAD: u64 = 16 << 10;

pub struct TiffScanner {
    url: String,
    options: ScanOptions,
    layout: Option<Layout>,
    ifds: Vec<Ifd>,
    next_ifd: u64,
    seen: HashSet<u64>,
    prepared: Option<Vec<Prepared>>,
    result: Option<ScannedFile>,
}

impl TiffScanner {
    pub fn new(url: &str, options: &ScanOptions) -> TiffScanner {
        TiffScanner {
            url: url.to_string(),
            options: options.clone(),
            layout: None,
            ifds: Vec::new(),
            next_ifd: 0,
            seen: HashSet::new(),
            prepared: None,
            result: None,
        }
    }

    fn read_header(&mut self, cache: &ByteCache) -> Result<Option<Vec<ByteRange>>> {
        let size = cache.file_size();
        if size < 8 {
            return Err(Error::corrupt(format!(
                "the file is {} bytes long, shorter than a TIFF header",
                size
            )));
        }
        let head = match cache.read(0, header::HEADER_BYTES.min(size)) {
            Ok(b) => b,
            Err(Stop::Need(_)) => return Ok(Some(vec![ByteRange::new(0, FIRST_BLOCK.min(size))])),
            Err(Stop::Fail(e)) => return Err(e),
        };
        let (layout, first) = header::parse(head)?;
        if first == 0 {
            return Err(Error::corrupt(
                "the TIFF file has no IFD (first IFD offset 0)",
            ));
        }
        self.layout = Some(layout);
        self.next_ifd = first;
        Ok(None)
    }

    /// Follows the IFD chain as far as the held bytes go; the range to read next, if any.
    fn walk_chain(&mut self, cache: &ByteCache, layout: &Layout) -> Result<Option<ByteRange>> {
        while self.next_ifd != 0 {
            let at = self.next_ifd;
            if self.seen.contains(&at) {
                return Err(
                    Error::corrupt(format!("the IFD chain loops back to offset {}", at))
                        .at_offset(at),
                );
            }
            if self.ifds.len() >= ifd::MAX_IFDS {
                return Err(Error::limit(format!(
                    "the file has more than {} IFDs",
                    ifd::MAX_IFDS
                )));
            }
            match ifd::parse_ifd(cache, layout, at) {
                Ok(parsed) => {
                    self.seen.insert(at);
                    self.next_ifd = parsed.next;
                    self.ifds.push(parsed);
                }
                Err(Stop::Need(r)) => {
                    let end = cache
                        .file_size()
                        .min(r.offset.saturating_add(IFD_READ_AHEAD));
                    let length = r.length.max(end.saturating_sub(r.offset));
                    return Ok(Some(ByteRange::new(r.offset, length)));
                }
                Err(Stop::Fail(e)) => return Err(e),
            }
        }
        Ok(None)
    }

    fn prepare(&self, cache: &ByteCache, layout: &Layout) -> Vec<Prepared> {
        self.ifds
            .iter()
            .map(|d| {
                let v = Values {
                    cache,
                    layout: *layout,
                    ifd: d,
                };
                let image = image::read_image(&v);
                let plan = match &image {
                    Ok(im) => layout::plan_array(im, layout.big_endian, cache.file_size()),
                    Err(e) => Err(e.clone()),
                };
                let nodata = v
                    .ascii(gdal::GDAL_NODATA)
                    .ok()
                    .flatten()
                    .and_then(|t| gdal::parse_nodata(&t));
                let items = v
                    .ascii(gdal::GDAL_METADATA)
                    .ok()
                    .flatten()
                    .map(|x| gdal::parse_metadata(&x))
                    .unwrap_or_default();
                Prepared {
                    ifd_offset: d.offset,
                    georef: geo::read_georef(&v).unwrap_or_default(),
                    image,
                    plan,
                    items,
                    nodata,
                }
            })
            .collect()
    }

    fn finish_scan(&self, cache: &ByteCache, prepared: &[Prepared]) -> Result<ScannedFile> {
        let mut root = output::build_root(prepared, &self.url, cache)?;
        root = select_group(root, &self.options.group, "TIFF file")?;
        drop_variables(&mut root, &self.options.drop_variables, "");
        Ok(ScannedFile {
            format: "tiff".to_string(),
            root,
        })
    }
}

/// Refuses files whose IFDs together list more strips/tiles than memory should hold.
fn check_chunk_entries(ifds: &[Ifd]) -> Result<()> {
    let chunk_tags = [
        image::STRIP_OFFSETS,
        image::STRIP_BYTE_COUNTS,
        image::TILE_OFFSETS,
        image::TILE_BYTE_COUNTS,
    ];
    let total = ifds
        .iter()
        .flat_map(|d| d.entries.iter())
        .filter(|e| chunk_tags.contains(&e.tag))
        .fold(0u64, |acc, e| acc.saturating_add(e.count));
    if total > ifd::MAX_TOTAL_CHUNK_ENTRIES {
        return Err(Error::limit(format!(
            "the IFDs list {} strip/tile offsets and byte counts (at most {} are read)",
            total,
            ifd::MAX_TOTAL_CHUNK_ENTRIES
        )));
    }
    Ok(())
}

impl FormatScanner for TiffScanner {
    fn advance(&mut self, cache: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.result.is_some() {
            return Ok(Vec::new());
        }
        if self.layout.is_none() {
            if let Some(needs) = self.read_header(cache)? {
                return Ok(needs);
            }
        }
        let layout = self.layout.expect("the header was read");
        if self.prepared.is_none() {
            let mut needs: Vec<ByteRange> = self.walk_chain(cache, &layout)?.into_iter().collect();
            for d in &self.ifds {
                needs.extend(d.missing_values(cache, image::TAGS_READ)?);
            }
            if !needs.is_empty() {
                return Ok(normalize_needs(needs));
            }
            check_chunk_entries(&self.ifds)?;
            self.prepared = Some(self.prepare(cache, &layout));
        }
        let prepared = self.prepared.as_ref().expect("prepared above");
        let mut needs = Vec::new();
        for p in prepared {
            if let (Ok(im), Ok(plan)) = (&p.image, &p.plan) {
                needs.extend(layout::short_strip_needs(im, plan, cache));
            }
        }
        if !needs.is_empty() {
            return Ok(normalize_needs(needs));
        }
        let file = self.finish_scan(cache, prepared)?;
        self.result = Some(file);
        Ok(Vec::new())
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        self.result
            .ok_or_else(|| Error::invalid("the TIFF scan has not finished"))
    }
}
