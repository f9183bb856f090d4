//! The netcdf3 scanner on arbitrary bytes (the 1-D coordinates loaded as by default).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vzarr_fuzz::scan("netcdf3", "", data));
