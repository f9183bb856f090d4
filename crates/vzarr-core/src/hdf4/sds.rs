//! Scientific data sets as the SD interface (and pyhdf) presents them: each `Var0.0`
//! Vgroup names one data set (its NDG), its dimensions (`Dim0.0` Vgroups, in order) and its
//! attributes (`Attr0.0` Vdata); a data set marked `CoordVar` is a dimension scale, a
//! coordinate named after its dimension.

use super::catalog::Catalog;
use super::dd::{NDG, SD, SDD, VG, VH, VS};
use super::reader::Reader;
use super::storage::storage;
use super::values::{attribute, ATTRIBUTE_CLASS};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::scan::ScannedVariable;

const VARIABLE_CLASS: &str = "Var0.0";
const DIMENSION_CLASSES: [&str; 2] = ["Dim0.0", "UDim0.0"];
const COORDINATE_CLASS: &str = "CoordVar";

#[derive(Clone, Debug)]
pub struct SdsDef {
    pub ndg: u16,
    pub name: String,
    pub dims: Vec<String>,
    pub attrs: Vec<u16>,
    pub coordinate: bool,
}

/// Every data set: those `Var0.0` Vgroups describe, then NDGs no Vgroup names (files
/// written through the older DFSD interface), named `sds_<ref>`.
pub fn definitions(c: &Catalog) -> Vec<SdsDef> {
    let mut out: Vec<SdsDef> = Vec::new();
    for g in c.vgroups.iter().filter(|g| g.class == VARIABLE_CLASS) {
        let Some(&(_, ndg)) = g.members.iter().find(|(t, _)| *t == NDG) else {
            continue;
        };
        if out.iter().any(|d| d.ndg == ndg) {
            continue;
        }
        let mut def = SdsDef {
            ndg,
            name: g.name.clone(),
            dims: Vec::new(),
            attrs: Vec::new(),
            coordinate: false,
        };
        for &(tag, r) in &g.members {
            match tag {
                VG => {
                    if let Some(d) = c
                        .vgroup(r)
                        .filter(|d| DIMENSION_CLASSES.contains(&d.class.as_str()))
                    {
                        def.dims.push(d.name.clone());
                    }
                }
                VH => match c.vdata.get(r) {
                    Some(Ok(v)) if v.class == ATTRIBUTE_CLASS => def.attrs.push(r),
                    Some(Ok(v)) if v.class == COORDINATE_CLASS => def.coordinate = true,
                    _ => {}
                },
                _ => {}
            }
        }
        out.push(def);
    }
    for (ndg, _) in &c.ndgs {
        if !out.iter().any(|d| d.ndg == *ndg) {
            out.push(SdsDef {
                ndg: *ndg,
                name: format!("sds_{}", ndg),
                dims: Vec::new(),
                attrs: Vec::new(),
                coordinate: false,
            });
        }
    }
    out
}

/// The attributes of the Vdata `refs` (class `Attr0.0`), in order.
pub fn attributes(
    r: &mut Reader,
    c: &Catalog,
    refs: &[u16],
) -> Result<Option<Vec<(String, Json)>>> {
    let mut out = Vec::new();
    let mut pending = false;
    for &a in refs {
        let Some(Ok(vdata)) = c.vdata.get(a) else {
            continue;
        };
        let bytes = match r.dds.get(VS, a) {
            Some(dd) => match r.element(&dd.clone())? {
                Some(b) => b,
                None => {
                    pending = true;
                    continue;
                }
            },
            None => std::borrow::Cow::Borrowed(&[][..]),
        };
        let value =
            attribute(vdata, &bytes).map_err(|e| e.with_variable(format!("@{}", vdata.name)))?;
        out.push((vdata.name.clone(), value));
    }
    Ok((!pending).then_some(out))
}

/// One data set as a variable; `None` while bytes are missing.
pub fn variable(
    r: &mut Reader,
    c: &Catalog,
    def: &SdsDef,
    url: &str,
) -> Result<Option<ScannedVariable>> {
    let members = match c.ndgs.iter().find(|(n, _)| *n == def.ndg) {
        Some((_, Ok(m))) => m,
        Some((_, Err(e))) => return Err(e.clone()),
        None => {
            return Err(Error::corrupt(format!(
                "NDG {} is not in the file",
                def.ndg
            )))
        }
    };
    let sdd_ref = members
        .iter()
        .find(|(t, _)| *t == SDD)
        .map(|&(_, r)| r)
        .ok_or_else(|| Error::corrupt("the data set has no dimension record (SDD)"))?;
    let dims = match c.dimensions.get(sdd_ref) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(e.clone()),
        None => return Err(Error::corrupt("the data set's dimension record is missing")),
    };
    let t = match c.number_types.get(dims.number_type_ref) {
        Some(Ok(t)) => *t,
        Some(Err(e)) => return Err(e.clone()),
        None => return Err(Error::corrupt("the data set's number type is missing")),
    };
    let shape = dims.shape.clone();
    let names: Vec<String> = if def.dims.len() == shape.len() {
        def.dims.clone()
    } else {
        (0..shape.len())
            .map(|i| format!("{}_dim_{}", def.name, i))
            .collect()
    };
    let data = members
        .iter()
        .find(|(t, _)| *t == SD)
        .and_then(|&(_, s)| r.dds.get(SD, s))
        .copied();
    let attrs = attributes(r, c, &def.attrs)?;
    let stored = storage(r, data.as_ref(), &shape, t, url)?;
    let (Some(attrs), Some(stored)) = (attrs, stored) else {
        return Ok(None);
    };
    let fill_value = attrs
        .iter()
        .find(|(k, _)| k == "_FillValue")
        .map(|(_, v)| v.clone())
        .filter(|v| !matches!(v, Json::String(_) | Json::Array(_)))
        .or(stored.fill)
        .unwrap_or(Json::Null);
    let endian = if t.size() == 1 {
        Json::object::<&str>(vec![])
    } else {
        Json::object(vec![(
            "endian",
            Json::from(if t.little_endian { "little" } else { "big" }),
        )])
    };
    let mut bytes = vec![("name", Json::from("bytes"))];
    if t.size() > 1 {
        bytes.push(("configuration", endian));
    }
    let mut codecs = vec![Json::object(bytes)];
    codecs.extend(stored.compression);
    Ok(Some(ScannedVariable {
        name: def.name.clone(),
        dims: names,
        shape,
        chunks: stored.chunks,
        dtype: t.numpy()?,
        codecs,
        fill_value,
        attrs,
        manifest: Some(stored.manifest),
        values: None,
        loaded: None,
    }))
}
