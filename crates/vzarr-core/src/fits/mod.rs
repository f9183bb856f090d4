//! FITS scanner (docs/formats/fits.md): primary and IMAGE extension HDUs as arrays of their
//! contiguous big-endian data, tile-compressed images (`ZIMAGE = T`) as arrays chunked by
//! tile, header cards as attributes.
//!
//! FITS has no index: each HDU's header says how long its data is, and the next HDU starts
//! after it, padded to 2880-byte blocks. So the scan reads, one round per HDU, the header
//! blocks at the next HDU's offset ([`FIRST_READ`] bytes at the start, [`HEADER_READ`] at
//! every later HDU, more blocks if the header is longer), skipping the data; then, in one
//! round, the table rows (tile descriptors) of every compressed image. A file whose data ends
//! early has its last HDU refused as CorruptFile; bytes after the last HDU that do not start
//! an extension are ignored, as astropy ignores them.

mod hdu;
mod header;
mod image;
mod output;
mod tiled;

use crate::error::{Error, Result};
use crate::sansio::{normalize_needs, ByteCache, ByteRange, Stop};
use crate::scan::{FormatScanner, ScanOptions, ScannedFile};
use hdu::{Hdu, Kind};
use output::Prepared;

/// Bytes requested first.
pub const FIRST_READ: u64 = 64 << 10;
/// Bytes read at each later HDU (its header is usually one to three blocks).
pub const HEADER_READ: u64 = 8 * header::BLOCK;
/// HDUs a file may have.
pub const MAX_HDUS: usize = 100_000;

/// `SIMPLE  =` — the first card of every FITS file.
pub fn is_fits(head: &[u8]) -> bool {
    head.starts_with(b"SIMPLE  ")
}

pub struct FitsScanner {
    url: String,
    options: ScanOptions,
    hdus: Vec<Hdu>,
    next: u64,
    walked: bool,
    result: Option<ScannedFile>,
}

impl FitsScanner {
    pub fn new(url: &str, options: &ScanOptions) -> FitsScanner {
        FitsScanner {
            url: url.to_string(),
            options: options.clone(),
            hdus: Vec::new(),
            next: 0,
            walked: false,
            result: None,
        }
    }

    /// Reads HDU headers as far as the held bytes go; the range to read next, if any.
    fn walk(&mut self, cache: &ByteCache) -> Result<Option<ByteRange>> {
        let size = cache.file_size();
        let ahead = |at: u64, want: u64| {
            let n = if at == 0 { FIRST_READ } else { HEADER_READ };
            ByteRange::new(at, want.max(n).min(size - at))
        };
        while self.next < size {
            let at = self.next;
            if !self.hdus.is_empty() {
                if size - at < 8 {
                    break;
                }
                match cache.read(at, 8) {
                    Ok(b) if b != b"XTENSION" => break,
                    Ok(_) => {}
                    Err(Stop::Need(_)) => return Ok(Some(ahead(at, 8))),
                    Err(Stop::Fail(e)) => return Err(e),
                }
            }
            if self.hdus.len() >= MAX_HDUS {
                return Err(Error::limit(format!(
                    "the file has more than {} HDUs",
                    MAX_HDUS
                )));
            }
            let h = match header::read(cache, at) {
                Ok(h) => h,
                Err(Stop::Need(r)) => return Ok(Some(ahead(r.offset, r.length))),
                Err(Stop::Fail(e)) => return Err(e),
            };
            let hdu = hdu::describe(self.hdus.len(), at, h, size).map_err(|e| {
                e.with_variable(format!("HDU {}", self.hdus.len()))
                    .at_offset(at)
            })?;
            let truncated = hdu.truncated;
            self.next = hdu.end();
            self.hdus.push(hdu);
            if truncated {
                break;
            }
        }
        if self.hdus.is_empty() {
            return Err(Error::corrupt("the file holds no HDU"));
        }
        Ok(None)
    }

    fn prepare(&self, cache: &ByteCache) -> Vec<Prepared> {
        let size = cache.file_size();
        self.hdus
            .iter()
            .map(|h| {
                let truncated = || {
                    Error::corrupt(format!(
                        "the data of HDU {} ({} bytes from byte {}) runs past the end of the \
                         file ({} bytes)",
                        h.index, h.data_size, h.data_start, size
                    ))
                };
                let plan = match &h.kind {
                    Kind::Image => match hdu::axes(&h.header, "") {
                        Ok(n) if !image::has_data(&n) => None,
                        Ok(_) if h.truncated => Some(Err(truncated())),
                        Ok(_) => Some(image::plan(h, size)),
                        Err(e) => Some(Err(e)),
                    },
                    Kind::CompressedImage if h.truncated => Some(Err(truncated())),
                    Kind::CompressedImage => Some(tiled::plan(h, cache)),
                    Kind::Other(_) => None,
                };
                Prepared {
                    hdu: h.clone(),
                    plan,
                }
            })
            .collect()
    }
}

impl FormatScanner for FitsScanner {
    fn advance(&mut self, cache: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.result.is_some() {
            return Ok(Vec::new());
        }
        if !self.walked {
            if let Some(need) = self.walk(cache)? {
                return Ok(vec![need]);
            }
            self.walked = true;
        }
        let mut needs = Vec::new();
        for h in self
            .hdus
            .iter()
            .filter(|h| h.kind == Kind::CompressedImage && !h.truncated)
        {
            if let Ok(r) = tiled::table_range(h) {
                if let Err(Stop::Need(n)) = cache.read(r.offset, r.length) {
                    needs.push(n);
                }
            }
        }
        if !needs.is_empty() {
            return Ok(normalize_needs(needs));
        }
        let mut root = output::build_root(self.prepare(cache), &self.url)?;
        if !self.options.group.trim_matches('/').is_empty() {
            return Err(Error::not_found(format!(
                "group {:?}: a FITS file has only its root group",
                self.options.group
            )));
        }
        let drop = &self.options.drop_variables;
        root.variables
            .retain(|v| !drop.iter().any(|d| d.trim_start_matches('/') == v.name));
        if root.variables.is_empty() {
            if let Some(s) = root
                .skipped
                .iter()
                .find(|s| s.error.kind == crate::error::ErrorKind::CorruptFile)
            {
                return Err(s.error.clone());
            }
        }
        self.result = Some(ScannedFile {
            format: "fits".to_string(),
            root,
        });
        Ok(Vec::new())
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        self.result
            .ok_or_else(|| Error::invalid("the FITS scan has not finished"))
    }
}
