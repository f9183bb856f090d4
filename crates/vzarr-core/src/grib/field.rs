//! One field (a 2-D grid of values) as the scanner records it, edition-independent.

use crate::grib::grid::Grid;
use crate::grib::params::ParamDef;
use std::collections::HashMap;

/// How a parameter is numbered in its edition (for attributes and for telling apart
/// parameters that ecCodes cannot name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ParamNumber {
    Grib2 {
        discipline: u8,
        category: u8,
        number: u8,
    },
    Grib1 {
        table: u8,
        indicator: u8,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// Where the message starts and how long it is.
    pub message_offset: u64,
    pub message_length: u64,
    /// The bytes the `vzarr.grib` codec decodes for this field: the whole message, or —
    /// for a field that is not the last of a multi-field message — the message up to the
    /// end of the field's section 7 (the codec decodes the last field of what it is given).
    pub chunk_length: u64,
    pub edition: u8,
    pub centre: u16,
    pub subcentre: u16,
    /// Seconds since 1970-01-01.
    pub reference_time: i64,
    /// Index into the scanner's grid table.
    pub grid: usize,
    pub param: Option<&'static ParamDef>,
    pub param_number: ParamNumber,
    pub level_type: &'static str,
    pub level: f64,
    /// ecCodes' `stepType`: instant, accum, avg, max, min, ...
    pub step_type: &'static str,
    /// Forecast step at the end of the processing interval (ecCodes' `endStep`), seconds.
    pub step: i64,
    pub number: Option<i64>,
    /// Extra identity for products that are not a plain field: probability thresholds,
    /// percentiles, derived ensemble statistics, ... (part of the group key).
    pub variant: Option<String>,
    pub packing_type: &'static str,
    pub bitmap: bool,
    /// GRIB2 product definition template (`None` for GRIB1).
    pub product_template: Option<u16>,
}

impl Field {
    /// ecCodes' `shortName`.
    pub fn short_name(&self) -> &'static str {
        self.param.map_or("unknown", |p| p.short_name)
    }
}

/// Grids deduplicated by their raw definition bytes: thousands of messages usually share
/// a handful of grids, and grouping compares grids by index.
#[derive(Default)]
pub(crate) struct GridTable {
    pub grids: Vec<Grid>,
    by_bytes: HashMap<(u8, Vec<u8>), usize>,
}

impl GridTable {
    /// The index of the grid defined by `raw` (edition-tagged), parsing it on first sight.
    pub fn intern(
        &mut self,
        edition: u8,
        raw: &[u8],
        parse: impl FnOnce() -> crate::Result<Grid>,
    ) -> crate::Result<usize> {
        let key = (edition, raw.to_vec());
        if let Some(&i) = self.by_bytes.get(&key) {
            return Ok(i);
        }
        let grid = parse()?;
        self.grids.push(grid);
        self.by_bytes.insert(key, self.grids.len() - 1);
        Ok(self.grids.len() - 1)
    }
}
