//! The HDF5 / netCDF-4 scanner.
//!
//! Reads the file's metadata through the sans-IO protocol and reports, for every dataset, its
//! Zarr description (dtype, codecs from the filter pipeline, chunk shape, fill value,
//! dimension names) and where each chunk lives. See `docs/formats/hdf5.md` for what is
//! supported and how HDF5 and netCDF-4 concepts map onto Zarr.
//!
//! One concept per module: byte access (`io`), `checksum`, `superblock`, `object_header`,
//! the messages (`dataspace`, `datatype`, `fill_value`, `filters`, `layout`, `links`,
//! `attribute`), heaps (`symbol_table` for local heaps, `global_heap`, `fractal_heap`),
//! indexes (`btree_v1`, `btree_v2`, `fixed_array`, `extensible_array`), the per-variable
//! chunk columns (`chunk_table`), the scanner (`scanner` with its tasks in `visit`,
//! `chunk_tasks`, `chunk_trees`, `values`), the object `tree`, `netcdf4` conventions and the `output`.

mod attribute;
mod btree_v1;
mod btree_v2;
mod checksum;
mod chunk_table;
mod chunk_tasks;
mod chunk_trees;
mod complex;
mod dataset;
mod dataspace;
mod datatype;
mod element_json;
mod extensible_array;
mod fill_value;
mod filters;
mod fixed_array;
mod fractal_heap;
mod global_heap;
mod io;
mod layout;
mod links;
mod mixed_masks;
mod netcdf4;
mod object_header;
mod output;
mod reencode;
mod scanner;
mod soft_links;
mod superblock;
mod symbol_table;
mod tree;
mod values;
mod visit;

pub use scanner::Hdf5Scanner;
pub use superblock::{candidate_offsets as superblock_offsets, SIGNATURE};
