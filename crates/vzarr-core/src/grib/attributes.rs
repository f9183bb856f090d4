//! Attributes of GRIB data variables and level coordinates: ecCodes keys as `GRIB_*`
//! (the names cfgrib uses) plus the CF attributes readers look for.

use crate::grib::field::{Field, ParamNumber};
use crate::grib::grid::Grid;
use crate::grib::grouping::Group;
use crate::json::Json;

fn attr(name: &str, value: Json) -> (String, Json) {
    (name.to_string(), value)
}

pub(crate) fn level_attrs(level_type: &str) -> Vec<(String, Json)> {
    let mut attrs = vec![attr("long_name", Json::from(level_type))];
    let (units, positive, standard) = match level_type {
        "isobaricInhPa" => (Some("hPa"), Some("down"), Some("air_pressure")),
        "isobaricInPa" => (Some("Pa"), Some("down"), Some("air_pressure")),
        "heightAboveGround" | "heightAboveSea" => (Some("m"), Some("up"), Some("height")),
        "hybrid" => (
            Some("1"),
            Some("down"),
            Some("atmosphere_hybrid_sigma_pressure_coordinate"),
        ),
        _ => (None, None, None),
    };
    for (key, value) in [
        ("units", units),
        ("positive", positive),
        ("standard_name", standard),
    ] {
        if let Some(v) = value {
            attrs.push(attr(key, Json::from(v)));
        }
    }
    attrs
}

pub(crate) fn variable_attrs(
    f: &Field,
    grid: &Grid,
    group: &Group,
    extra_coords: &[String],
) -> Vec<(String, Json)> {
    let p = f.param;
    let mut attrs = vec![
        attr(
            "GRIB_paramId",
            Json::UInt(p.map_or(0, |d| u64::from(d.param_id))),
        ),
        attr("GRIB_shortName", Json::from(f.short_name())),
        attr(
            "GRIB_cfVarName",
            Json::from(p.map_or("unknown", |d| d.cf_var_name())),
        ),
        attr("GRIB_name", Json::from(p.map_or("unknown", |d| d.name))),
        attr("GRIB_units", Json::from(p.map_or("unknown", |d| d.units))),
        attr("GRIB_edition", Json::UInt(u64::from(f.edition))),
        attr("GRIB_centre", Json::UInt(u64::from(f.centre))),
        attr("GRIB_subCentre", Json::UInt(u64::from(f.subcentre))),
    ];
    match f.param_number {
        ParamNumber::Grib2 {
            discipline,
            category,
            number,
        } => {
            attrs.push(attr("GRIB_discipline", Json::UInt(u64::from(discipline))));
            attrs.push(attr(
                "GRIB_parameterCategory",
                Json::UInt(u64::from(category)),
            ));
            attrs.push(attr("GRIB_parameterNumber", Json::UInt(u64::from(number))));
        }
        ParamNumber::Grib1 { table, indicator } => {
            attrs.push(attr("GRIB_table2Version", Json::UInt(u64::from(table))));
            attrs.push(attr(
                "GRIB_indicatorOfParameter",
                Json::UInt(u64::from(indicator)),
            ));
        }
    }
    if let Some(t) = f.product_template {
        attrs.push(attr(
            "GRIB_productDefinitionTemplateNumber",
            Json::UInt(u64::from(t)),
        ));
    }
    attrs.push(attr("GRIB_typeOfLevel", Json::from(f.level_type)));
    attrs.push(attr(
        "GRIB_missingValue",
        Json::Number(crate::grib::decode::ECCODES_MISSING_VALUE),
    ));
    attrs.push(attr("GRIB_stepType", Json::from(f.step_type)));
    attrs.push(attr("GRIB_gridType", Json::from(grid.grid_type)));
    attrs.push(attr("GRIB_numberOfPoints", Json::UInt(grid.num_points)));
    if let Some((ni, nj)) = grid.ni_nj {
        attrs.push(attr("GRIB_Nx", Json::UInt(ni)));
        attrs.push(attr("GRIB_Ny", Json::UInt(nj)));
    }
    let scan = grid.scan;
    attrs.push(attr(
        "GRIB_iScansNegatively",
        Json::UInt(u64::from(scan.i_negative())),
    ));
    attrs.push(attr(
        "GRIB_jScansPositively",
        Json::UInt(u64::from(scan.j_positive())),
    ));
    attrs.push(attr(
        "GRIB_jPointsAreConsecutive",
        Json::UInt(u64::from(scan.j_consecutive())),
    ));
    attrs.push(attr(
        "GRIB_alternativeRowScanning",
        Json::UInt(u64::from(scan.alternate_rows())),
    ));
    attrs.push(attr("GRIB_packingType", Json::from(f.packing_type)));
    if let Some(v) = &group.variant {
        attrs.push(attr("GRIB_productVariant", Json::from(v.as_str())));
    }
    attrs.push(attr(
        "long_name",
        Json::from(p.map_or("unknown", |d| d.name)),
    ));
    attrs.push(attr("units", Json::from(p.map_or("unknown", |d| d.units))));
    if let Some(d) = p {
        if !d.cf_name.is_empty() {
            attrs.push(attr("standard_name", Json::from(d.cf_name)));
        }
    }
    if !extra_coords.is_empty() {
        attrs.push(attr("coordinates", Json::from(extra_coords.join(" "))));
    }
    attrs
}
