//! Format detection and the registry of scanners.

use crate::error::{Error, Result};
use crate::hdf5::{self, Hdf5Scanner};
use crate::sansio::ByteRange;
use crate::scan::{Format, FormatScanner, ScanOptions};

/// Decides the format from a file's first bytes.
pub fn detect(head: &[u8]) -> Result<Format> {
    if head.starts_with(hdf5::SIGNATURE) {
        return Ok(Format::Hdf5);
    }
    if head.starts_with(b"CDF") && matches!(head.get(3), Some(1 | 2 | 5)) {
        return Ok(Format::NetCdf3);
    }
    if head.starts_with(b"GRIB") {
        return Ok(Format::Grib);
    }
    if crate::tiff::is_tiff(head) {
        return Ok(Format::Tiff);
    }
    if crate::hdf4::is_hdf4(head) {
        return Ok(Format::Hdf4);
    }
    if crate::fits::is_fits(head) {
        return Ok(Format::Fits);
    }
    Err(Error::unsupported(
        "unrecognised file format: no HDF5, netCDF3, GRIB, TIFF, HDF4 or FITS signature at the start of the file",
    ))
}

/// Where else a format may start when the first bytes are not recognised: an HDF5
/// superblock may follow a user block, at 512, 1024, 2048, ... bytes.
pub fn alternative_signature_ranges(file_size: u64) -> Vec<ByteRange> {
    hdf5::superblock_offsets(file_size)
        .into_iter()
        .skip(1)
        .map(|at| ByteRange::new(at, hdf5::SIGNATURE.len() as u64))
        .collect()
}

/// Creates the scanner for `format` (already detected).
pub fn create_scanner(
    format: Format,
    url: &str,
    file_size: u64,
    options: &ScanOptions,
) -> Result<Box<dyn FormatScanner>> {
    match format {
        Format::Hdf5 => Ok(Box::new(Hdf5Scanner::new(url, file_size, options))),
        Format::NetCdf3 => Ok(Box::new(crate::netcdf3::NetCdf3Scanner::new(url, options)?)),
        Format::Grib => Ok(Box::new(crate::grib::GribScanner::new(url, options))),
        Format::Tiff => Ok(Box::new(crate::tiff::TiffScanner::new(url, options))),
        Format::Dmrpp => Ok(Box::new(crate::dmrpp::DmrppScanner::new(options))),
        Format::Hdf4 => Ok(Box::new(crate::hdf4::Hdf4Scanner::new(url, options))),
        Format::Fits => Ok(Box::new(crate::fits::FitsScanner::new(url, options))),
        other => Err(Error::unsupported(format!(
            "no scanner for {:?} files yet",
            other
        ))),
    }
}
