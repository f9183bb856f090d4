//! Format detection and the registry of scanners.

use crate::error::{Error, Result};
use crate::scan::{Format, FormatScanner, ScanOptions};

/// Decides the format from a file's first bytes.
pub fn detect(head: &[u8]) -> Result<Format> {
    if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Ok(Format::Hdf5);
    }
    if head.starts_with(b"CDF") && matches!(head.get(3), Some(1 | 2 | 5)) {
        return Ok(Format::NetCdf3);
    }
    if head.starts_with(b"GRIB") {
        return Ok(Format::Grib);
    }
    Err(Error::unsupported(
        "unrecognised file format: no HDF5, netCDF3 or GRIB signature at the start of the file",
    ))
}

/// Creates the scanner for `format` (already detected).
pub fn create_scanner(
    format: Format,
    url: &str,
    file_size: u64,
    options: &ScanOptions,
) -> Result<Box<dyn FormatScanner>> {
    let _ = file_size;
    match format {
        Format::NetCdf3 => Ok(Box::new(crate::netcdf3::NetCdf3Scanner::new(url, options)?)),
        Format::Grib => Ok(Box::new(crate::grib::GribScanner::new(url, options))),
        other => Err(Error::unsupported(format!(
            "no scanner for {:?} files yet",
            other
        ))),
    }
}
