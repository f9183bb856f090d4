//! netCDF3 scanner (CDF1 classic, CDF2 64-bit offset, CDF5 64-bit data).
//!
//! The whole structure of a netCDF3 file is in its header: once the header is read, every
//! variable's byte ranges follow by arithmetic. The scanner therefore only asks for header
//! bytes: a first block of [`FIRST_BLOCK`] bytes, then — when the header is longer — the
//! range the parser stopped at, extended by a read-ahead that doubles each round so a huge
//! header costs O(log n) round trips. Fixed attribute values and names of known length are
//! covered exactly. See `docs/formats/netcdf3.md` for the mapping decisions.

mod header;
mod layout;
mod types;

#[cfg(test)]
mod tests;

pub use layout::{records_per_chunk, MERGE_TARGET_BYTES};

use crate::error::{Error, Result};
use crate::sansio::{ByteCache, ByteRange, Stop};
use crate::scan::{FormatScanner, ScanOptions, ScannedFile};

/// Bytes requested first: enough for the header of almost every real file.
pub const FIRST_BLOCK: u64 = 64 << 10;

pub struct NetCdf3Scanner {
    url: String,
    options: ScanOptions,
    read_ahead: u64,
    result: Option<ScannedFile>,
}

impl NetCdf3Scanner {
    pub fn new(url: &str, options: &ScanOptions) -> Result<NetCdf3Scanner> {
        let group = options.group.trim_matches('/');
        if !group.is_empty() {
            return Err(Error::not_found(format!(
                "group {:?}: netCDF3 files have only the root group",
                options.group
            )));
        }
        Ok(NetCdf3Scanner {
            url: url.to_string(),
            options: options.clone(),
            read_ahead: FIRST_BLOCK,
            result: None,
        })
    }
}

impl FormatScanner for NetCdf3Scanner {
    fn advance(&mut self, bytes: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.result.is_some() {
            return Ok(Vec::new());
        }
        match header::parse(bytes) {
            Ok(h) => {
                let root = layout::build_group(
                    &h,
                    &self.url,
                    bytes.file_size(),
                    &self.options.drop_variables,
                )?;
                self.result = Some(ScannedFile {
                    format: "netcdf3".to_string(),
                    root,
                });
                Ok(Vec::new())
            }
            Err(Stop::Need(r)) => {
                let want = r.length.max(self.read_ahead);
                let length = want.min(bytes.file_size().saturating_sub(r.offset));
                self.read_ahead = self.read_ahead.saturating_mul(2);
                Ok(vec![ByteRange::new(r.offset, length.max(r.length))])
            }
            Err(Stop::Fail(e)) => Err(e),
        }
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        self.result
            .ok_or_else(|| Error::invalid("the netCDF3 header has not been read yet"))
    }
}
