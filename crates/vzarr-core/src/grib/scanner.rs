//! The sans-IO GRIB scanner: walks the messages of a file, reading only their metadata.
//!
//! Per message the scanner needs the indicator, the section headers and the small
//! metadata sections; it asks for a window starting where it stopped, sized after the
//! previous message's metadata (most files repeat one layout), so a typical message costs
//! one request, and the `"7777"` check of one message shares a request with the start of
//! the next. Section 7 (the packed values) and bitmaps are never requested.

use crate::error::{ErrorKind, Result};
use crate::grib::field::{Field, GridTable};
use crate::grib::message::{find_next_message, read_indicator, read_layout, ByteSource};
use crate::grib::{dataset, grib1, grib2, grouping};
use crate::sansio::{ByteCache, ByteRange, Step, Stop};
use crate::scan::{FormatScanner, ScanOptions, ScannedFile, SkippedItem};

/// Smallest and largest speculative read per request. The largest bounds what a bitmap
/// between section 6's header and section 7 costs: up to 16 KB it is read through (one
/// request per message), beyond that section 7's header takes a second, small request.
const MIN_WINDOW: u64 = 512;
const MAX_WINDOW: u64 = 16 * 1024;

/// A scan never records more fields than this (each costs ~200 bytes of memory).
const MAX_FIELDS: usize = 50_000_000;

pub struct GribScanner {
    url: String,
    options: ScanOptions,
    /// Where the search for the next message starts.
    position: u64,
    fields: Vec<Field>,
    grids: GridTable,
    /// Messages left out because they use something vzarr does not read (a product or
    /// grid template) or exceed a safety limit (a grid too large to read): the rest of the
    /// file stays usable, and these say why.
    skipped: Vec<SkippedItem>,
    /// Messages seen so far, for naming the skipped ones.
    messages: u64,
    /// Bytes of metadata the last message needed, from its start.
    window: u64,
    done: bool,
}

impl GribScanner {
    pub fn new(url: &str, options: &ScanOptions) -> GribScanner {
        GribScanner {
            url: url.to_string(),
            options: options.clone(),
            position: 0,
            fields: Vec::new(),
            grids: GridTable::default(),
            skipped: Vec::new(),
            messages: 0,
            window: 2048,
            done: false,
        }
    }

    /// Scans the message at or after `self.position`. `Ok(false)` at the end of the file.
    fn next_message(&mut self, src: &ByteCache) -> Step<bool> {
        let start = match find_next_message(src, self.position)? {
            Some(s) => s,
            None => return Ok(false),
        };
        let (edition, length) = read_indicator(src, start)?;
        let layout = read_layout(src, start, edition, length, false)?;
        let read = if edition == 1 {
            grib1::read_field(src, &layout, &mut self.grids).map(|f| vec![f])
        } else {
            grib2::read_fields(src, &layout, &mut self.grids)
        };
        self.messages += 1;
        let fields = match read {
            Err(Stop::Fail(e))
                if matches!(
                    e.kind,
                    ErrorKind::UnsupportedFeature | ErrorKind::LimitExceeded
                ) =>
            {
                self.skipped.push(SkippedItem {
                    name: format!("message {} (offset {})", self.messages, start),
                    error: e,
                });
                Vec::new()
            }
            other => other?,
        };
        if self.fields.len() + fields.len() > MAX_FIELDS {
            return Err(Stop::Fail(crate::Error::limit(format!(
                "the file has more than {} GRIB fields",
                MAX_FIELDS
            ))));
        }
        // The metadata extent: up to the header of the last section (7, or the BDS header).
        let metadata_end = layout.sections.last().map_or(16, |s| s.offset + 16 - start);
        self.window = metadata_end.clamp(MIN_WINDOW, MAX_WINDOW);
        self.fields.extend(fields);
        self.position = start + length;
        Ok(true)
    }

    /// Turns the exact range a step needed into a request with read-ahead.
    fn widen(&self, need: ByteRange, file_size: u64) -> ByteRange {
        let length = need.length.max(self.window).min(file_size - need.offset);
        ByteRange::new(need.offset, length.max(need.length))
    }
}

impl FormatScanner for GribScanner {
    fn advance(&mut self, bytes: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.done {
            return Ok(Vec::new());
        }
        loop {
            match self.next_message(bytes) {
                Ok(true) => continue,
                Ok(false) => {
                    self.done = true;
                    return Ok(Vec::new());
                }
                Err(Stop::Need(range)) => return Ok(vec![self.widen(range, bytes.size())]),
                Err(Stop::Fail(e)) => return Err(e),
            }
        }
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        if self.fields.is_empty() {
            // Every message was left out: the first one's reason is the file's.
            return Err(match self.skipped.into_iter().next() {
                Some(item) => item.error,
                None => crate::Error::corrupt("no GRIB message was found in the file"),
            });
        }
        let groups = grouping::group_fields(&self.fields);
        let mut root = dataset::build(
            &self.fields,
            &self.grids.grids,
            &groups,
            &self.url,
            &self.options,
        )?;
        root.skipped.extend(self.skipped);
        Ok(ScannedFile {
            format: "grib".to_string(),
            root,
        })
    }
}
