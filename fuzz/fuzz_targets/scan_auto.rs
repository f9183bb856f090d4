//! The auto scanner on arbitrary bytes (the 1-D coordinates loaded as by default).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vzarr_fuzz::scan("auto", "", data));
