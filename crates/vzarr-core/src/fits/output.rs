//! The scanned file: every image HDU with data a variable of the root group.
//!
//! * names as kerchunk's `fits` module and VirtualiZarr's FITSParser give them — the HDU's
//!   EXTNAME, `PRIMARY` for the primary HDU, the HDU's index when it has neither; a repeated
//!   name (HST's SCI/ERR/DQ per chip) gets `_<EXTVER>`, or `_<index>`;
//! * dimensions `x`, `y`, `z` for FITS axes 1–3 (kerchunk's names), `axis4`, … beyond; a
//!   name already used with another length gets `_<variable>`;
//! * every header card an attribute (the first of repeated keywords; COMMENT and HISTORY
//!   cards joined by newlines), WCS keywords included; a compressed image shows the image
//!   header astropy shows (ZBITPIX as BITPIX, …, table and compression keywords left out);
//! * BSCALE/BZERO as CF `scale_factor`/`add_offset` (when not 1/0) and an integer image's
//!   BLANK (ZBLANK when compressed) as `_FillValue`, so xarray decodes values as astropy does;
//! * a primary HDU without data gives its cards to the root group; tables and other HDUs are
//!   listed as skipped, with the reason.

use super::hdu::{Hdu, Kind};
use super::header::{Header, Value};
use super::image::Planned;
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::ChunkManifest;
use crate::scan::{ScannedGroup, ScannedVariable, SkippedItem};

/// One HDU as the scanner planned it.
pub struct Prepared {
    pub hdu: Hdu,
    /// `None` for HDUs that are not variables (no data, or skipped silently).
    pub plan: Option<Result<Planned>>,
}

fn value_json(v: &Value) -> Option<Json> {
    match v {
        Value::Bool(b) => Some(Json::Bool(*b)),
        Value::Int(i) => Some(Json::Int(*i)),
        Value::Float(f) => Some(Json::float(*f)),
        Value::Str(s) | Value::Text(s) => Some(Json::from(s.as_str())),
        Value::Undefined | Value::Commentary(_) => None,
    }
}

/// Keywords of a compressed image's table that are not the image's, and the image keywords
/// stored under Z names.
fn compressed_key(key: &str) -> Option<String> {
    let renamed = [
        ("ZSIMPLE", "SIMPLE"),
        ("ZTENSION", "XTENSION"),
        ("ZBITPIX", "BITPIX"),
        ("ZNAXIS", "NAXIS"),
        ("ZPCOUNT", "PCOUNT"),
        ("ZGCOUNT", "GCOUNT"),
        ("ZEXTEND", "EXTEND"),
        ("ZBLOCKED", "BLOCKED"),
        ("ZHECKSUM", "CHECKSUM"),
        ("ZDATASUM", "DATASUM"),
        ("ZBLANK", "BLANK"),
    ];
    if let Some((_, to)) = renamed.iter().find(|(from, _)| *from == key) {
        return Some(to.to_string());
    }
    if let Some(n) = key.strip_prefix("ZNAXIS") {
        return Some(format!("NAXIS{}", n));
    }
    let numbered = |p: &str| {
        key.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let table = [
        "XTENSION", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "ZIMAGE",
        "ZCMPTYPE", "ZQUANTIZ", "ZDITHER0", "ZMASKCMP", "CHECKSUM", "DATASUM",
    ];
    let numbered_table = [
        "NAXIS", "TTYPE", "TFORM", "TUNIT", "TDIM", "TSCAL", "TZERO", "TNULL", "TDISP", "ZTILE",
        "ZNAME", "ZVAL",
    ];
    if table.contains(&key) || numbered_table.iter().any(|p| numbered(p)) {
        return None;
    }
    Some(key.to_string())
}

pub fn header_attrs(
    header: &Header,
    compressed: bool,
    extname: Option<&str>,
) -> Vec<(String, Json)> {
    let mut out: Vec<(String, Json)> = Vec::new();
    let mut comments: Vec<&str> = Vec::new();
    let mut history: Vec<&str> = Vec::new();
    for c in &header.cards {
        match (&c.value, c.key.as_str()) {
            (Value::Commentary(t), "COMMENT") => comments.push(t),
            (Value::Commentary(t), "HISTORY") => history.push(t),
            (v, key) => {
                let key = if compressed {
                    match compressed_key(key) {
                        Some(k) => k,
                        None => continue,
                    }
                } else {
                    key.to_string()
                };
                if out.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                if let (Some(name), "EXTNAME") = (extname, key.as_str()) {
                    out.push((key, Json::from(name)));
                    continue;
                }
                if let Some(j) = value_json(v) {
                    out.push((key, j));
                }
            }
        }
    }
    for (key, lines) in [("COMMENT", comments), ("HISTORY", history)] {
        if !lines.is_empty() {
            out.push((key.to_string(), Json::from(lines.join("\n"))));
        }
    }
    out
}

fn cf_attrs(header: &Header, compressed: bool, dtype: &str) -> (Vec<(String, Json)>, Json) {
    let mut out = Vec::new();
    let mut fill = Json::Null;
    match header.float("BSCALE") {
        Some(s) if s != 1.0 => out.push(("scale_factor".to_string(), Json::float(s))),
        _ => {}
    }
    match header.float("BZERO") {
        Some(z) if z != 0.0 => out.push(("add_offset".to_string(), Json::float(z))),
        _ => {}
    }
    let blank = if compressed { "ZBLANK" } else { "BLANK" };
    if !dtype.contains('f') {
        if let Some(b) = header.int(blank) {
            let bits = 8 * dtype[2..].parse::<u32>().unwrap_or(8);
            let fits = if dtype.contains('u') {
                b >= 0 && (b as u64) < (1u64 << bits)
            } else {
                bits >= 64 || (b >= -(1i64 << (bits - 1)) && b < (1i64 << (bits - 1)))
            };
            if fits {
                out.push(("_FillValue".to_string(), Json::Int(b)));
                fill = Json::Int(b);
            }
        }
    }
    (out, fill)
}

fn axis_name(i: usize) -> String {
    match i {
        1 => "x".to_string(),
        2 => "y".to_string(),
        3 => "z".to_string(),
        n => format!("axis{}", n),
    }
}

fn unique_name(hdu: &Hdu, used: &[String]) -> String {
    let base = match hdu.name() {
        n if n.is_empty() => hdu.index.to_string(),
        n => n,
    };
    if !used.contains(&base) {
        return base;
    }
    if let Some(v) = hdu.header.int("EXTVER") {
        let n = format!("{}_{}", base, v);
        if !used.contains(&n) {
            return n;
        }
    }
    format!("{}_{}", base, hdu.index)
}

pub fn build_root(prepared: Vec<Prepared>, url: &str) -> Result<ScannedGroup> {
    let mut root = ScannedGroup::default();
    let mut used: Vec<String> = Vec::new();
    for p in prepared {
        let hdu = p.hdu;
        let name = unique_name(&hdu, &used);
        let plan = match p.plan {
            None => {
                if hdu.index == 0 {
                    root.attrs = header_attrs(&hdu.header, false, None);
                }
                if let Kind::Other(kind) = &hdu.kind {
                    root.skipped.push(SkippedItem {
                        name: name.clone(),
                        error: Error::unsupported(format!(
                            "HDU {} is a {}: vzarr reads image HDUs only",
                            hdu.index, kind
                        ))
                        .at_offset(hdu.offset),
                    });
                    used.push(name);
                }
                continue;
            }
            Some(plan) => plan,
        };
        used.push(name.clone());
        let plan = match plan {
            Ok(plan) => plan,
            Err(e) => {
                root.skipped.push(SkippedItem {
                    name: name.clone(),
                    error: e.with_variable(name).at_offset(hdu.offset),
                });
                continue;
            }
        };
        let compressed = hdu.kind == Kind::CompressedImage;
        let n = plan.shape.len();
        let mut dims = Vec::with_capacity(n);
        for (k, &len) in plan.shape.iter().enumerate() {
            let mut d = axis_name(n - k);
            match root.dims.iter().find(|(x, _)| *x == d) {
                Some((_, l)) if *l == len => {}
                Some(_) => {
                    d = format!("{}_{}", d, name);
                    root.dims.push((d.clone(), len));
                }
                None => root.dims.push((d.clone(), len)),
            }
            dims.push(d);
        }
        let mut attrs = header_attrs(&hdu.header, compressed, hdu.extname());
        let (cf, fill) = cf_attrs(&hdu.header, compressed, &plan.dtype);
        attrs.extend(cf);
        let count = plan.offsets.len();
        let manifest = ChunkManifest::from_single_path_columns(
            &plan.grid,
            url,
            vec![0; count],
            plan.offsets,
            plan.lengths,
        )
        .map_err(|e| e.with_variable(name.clone()))?;
        root.variables.push(ScannedVariable {
            name,
            dims,
            shape: plan.shape,
            chunks: plan.chunks,
            dtype: plan.dtype,
            codecs: plan.codecs,
            fill_value: fill,
            attrs,
            manifest: Some(manifest),
            values: None,
            loaded: None,
        });
    }
    Ok(root)
}
