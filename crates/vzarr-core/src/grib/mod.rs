//! GRIB editions 1 and 2: the sans-IO scanner and the `vzarr.grib` codec.
//!
//! * [`message`] walks messages and sections by their lengths;
//! * [`grib2`] and [`grib1`] parse the metadata sections into edition-independent
//!   [`field::Field`]s on [`grid::Grid`]s, naming parameters and levels through
//!   [`params`] exactly as ecCodes does;
//! * [`grouping`] and [`dataset`] arrange fields into cfgrib-like groups of variables with
//!   coordinates ([`coords`]);
//! * [`decode`] unpacks one field for the codec.
//!
//! See `docs/formats/grib.md` for the mapping rules.

mod attributes;
mod coords;
mod dataset;
pub mod decode;
mod field;
mod grib1;
mod grib2;
mod grid;
mod grouping;
mod message;
mod octets;
mod params;
mod reduced;
mod scanner;
mod time;

pub use scanner::GribScanner;

/// Name of the array→bytes codec of GRIB data variables (configuration `{}`).
pub const CODEC_NAME: &str = "vzarr.grib";
