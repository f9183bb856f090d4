//! vzarr-core: the pure-Rust heart of vzarr.
//!
//! Chunk manifests and the operations on them, sans-IO scanners that find where every chunk
//! of a netCDF/HDF5/GRIB file lives, and the codecs that decode those chunks. No I/O and no
//! binding code lives here: the Node addon and the wasm module are thin shims over this crate.
//! Its dependencies are pure-Rust codec crates that build for wasm32 and the host alike.

pub mod api;
pub mod codecs;
pub mod dmrpp;
pub mod error;
pub mod fits;
pub mod formats;
pub mod grib;
pub mod handles;
pub mod hdf4;
pub mod hdf5;
pub mod json;
pub mod load;
pub mod manifest;
pub mod netcdf3;
pub mod sansio;
pub mod scan;
pub mod tiff;

pub use error::{Error, ErrorKind, Result};
pub use manifest::{ChunkEntry, ChunkManifest};
