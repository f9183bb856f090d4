//! netCDF-4 conventions on top of HDF5: dimensions from dimension scales, the names of each
//! variable's axes, phony dimensions for axes without scales, and the attributes netCDF
//! keeps to itself.
//!
//! Axis names come, in order of preference, from `DIMENSION_LIST` (object references to the
//! scale datasets; the last reference of an axis wins, as in netCDF-C and h5netcdf), from the
//! variable itself when it is a 1-D scale, from `_Netcdf4Coordinates` (dimension ids of
//! multi-dimensional coordinate variables), and otherwise from a phony dimension.
//!
//! Phony dimensions follow netCDF-C (what netCDF4-python and xarray's default engine show):
//! groups are processed children first, datasets in link order; an axis reuses the first
//! dimension of its group with the same length and the same (un)limitedness that the
//! variable does not use yet, else a new `phony_dim_N` is created, N counting on from the
//! file's real dimensions.

use super::attribute::AttrValue;
use super::tree::{Kind, Tree};
use crate::json::Json;
use std::collections::{HashMap, HashSet};

/// The `NAME` prefix netCDF-C writes on datasets that only exist to define a dimension.
const DIMENSION_ONLY: &str = "This is a netCDF dimension but not a netCDF variable";
/// Prefix of variables that share a dimension's name without being its coordinate.
pub const NON_COORD_PREFIX: &str = "_nc4_non_coord_";

/// Attributes that describe netCDF/HDF5 bookkeeping rather than data (kerchunk's list);
/// `NAME`, `CLASS` and `REFERENCE_LIST` are only hidden on dimension scales.
pub fn is_hidden_attribute(name: &str, on_scale: bool) -> bool {
    matches!(
        name,
        "DIMENSION_LIST"
            | "_Netcdf4Dimid"
            | "_Netcdf4Coordinates"
            | "_NCProperties"
            | "_nc3_strict"
            | "_SuperblockVersion"
            | "_IsNetcdf4"
    ) || (on_scale && matches!(name, "NAME" | "CLASS" | "REFERENCE_LIST"))
}

/// The variable name shown for a dataset name (netCDF hides its non-coordinate prefix).
pub fn variable_name(dataset: &str, netcdf: bool) -> &str {
    if netcdf {
        dataset.strip_prefix(NON_COORD_PREFIX).unwrap_or(dataset)
    } else {
        dataset
    }
}

#[derive(Clone, Debug, Default)]
pub struct Dimensions {
    /// Per group node: the dimensions defined there, in netCDF's order.
    pub group_dims: HashMap<usize, Vec<(String, u64)>>,
    /// Per dataset node: one dimension name per axis.
    pub var_dims: HashMap<usize, Vec<String>>,
    /// Per dataset node shorter than an unlimited dimension it uses: its shape as netCDF
    /// shows it, that axis as long as the dimension (the missing records read as fill).
    pub netcdf_shapes: HashMap<usize, Vec<u64>>,
    /// Datasets that only define a dimension and are not variables.
    pub dimension_only: HashSet<usize>,
    /// True when the file declares itself netCDF-4 (`_NCProperties`, written by netCDF-C
    /// since 4.4.1): variables are then shown as netCDF shows them (dimension-only datasets
    /// hidden, `_nc4_non_coord_` prefixes removed). Other HDF5 files, older netCDF-4 files
    /// included, are shown as HDF5 shows them (every dataset under its own name), which is
    /// what h5py and kerchunk report for them. Dimension names come from dimension scales
    /// either way.
    pub netcdf: bool,
}

#[derive(Clone, Debug)]
struct Dim {
    name: String,
    len: u64,
    unlimited: bool,
    /// Defined by netCDF-C (a `_Netcdf4Dimid`, or a file that says it is netCDF-4).
    netcdf: bool,
}

fn is_scale(tree: &Tree, id: usize) -> bool {
    tree.nodes[id].attr_str("CLASS") == Some("DIMENSION_SCALE")
}

fn int_list(value: Option<&AttrValue>) -> Option<Vec<i64>> {
    let json = match value? {
        AttrValue::Json(j) => j,
        _ => return None,
    };
    let one = |j: &Json| match j {
        Json::Int(v) => Some(*v),
        Json::UInt(v) => i64::try_from(*v).ok(),
        _ => None,
    };
    match json {
        Json::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|v| vec![v]),
    }
}

/// Groups in netCDF-C's processing order: every group after its subgroups.
fn post_order(tree: &Tree, id: usize, out: &mut Vec<usize>) {
    for c in tree.ordered_children(id) {
        if matches!(tree.nodes[c].kind, Kind::Group { .. }) {
            post_order(tree, c, out);
        }
    }
    out.push(id);
}

fn datasets(tree: &Tree, group: usize) -> Vec<usize> {
    tree.ordered_children(group)
        .into_iter()
        .filter(|&c| tree.nodes[c].dataset().is_some())
        .collect()
}

pub fn resolve(tree: &Tree) -> Dimensions {
    let mut out = Dimensions::default();
    if tree.nodes.is_empty() {
        return out;
    }
    let mut groups = Vec::new();
    post_order(tree, 0, &mut groups);
    let root_attrs = &tree.nodes[0];
    out.netcdf = root_attrs.attr("_NCProperties").is_some();

    // Real dimensions: the dimension scales of each group.
    let mut dims: HashMap<usize, Vec<Dim>> = HashMap::new();
    let mut dimids: HashMap<usize, Vec<(i64, String)>> = HashMap::new();
    let mut max_dimid = -1i64;
    let mut real_count = 0i64;
    for &g in &groups {
        let mut scales: Vec<(Option<i64>, Dim)> = Vec::new();
        for d in datasets(tree, g) {
            let node = &tree.nodes[d];
            if !is_scale(tree, d) {
                continue;
            }
            let ds = match node.dataset() {
                Some(ds) => ds,
                None => continue,
            };
            let shape = ds.space.shape();
            let max = ds.space.max_shape();
            if shape.is_empty() {
                continue;
            }
            if node
                .attr_str("NAME")
                .is_some_and(|n| n.starts_with(DIMENSION_ONLY))
            {
                out.dimension_only.insert(d);
            }
            let dimid = int_list(node.attr("_Netcdf4Dimid")).and_then(|v| v.first().copied());
            if let Some(id) = dimid {
                max_dimid = max_dimid.max(id);
                dimids.entry(g).or_default().push((id, node.name.clone()));
            }
            scales.push((
                dimid,
                Dim {
                    name: node.name.clone(),
                    len: shape[0],
                    unlimited: max.first().is_some_and(Option::is_none),
                    netcdf: out.netcdf || dimid.is_some(),
                },
            ));
        }
        if scales.iter().all(|(id, _)| id.is_some()) {
            scales.sort_by_key(|(id, _)| *id);
        }
        real_count += scales.len() as i64;
        dims.insert(g, scales.into_iter().map(|(_, d)| d).collect());
    }
    let mut next_phony = (max_dimid + 1).max(real_count);
    let mut var_groups = Vec::new();
    let mut by_addr: HashMap<u64, Vec<usize>> = HashMap::new();
    for (id, n) in tree.nodes.iter().enumerate() {
        if n.dataset().is_some() {
            by_addr.entry(n.addr).or_default().push(id);
        }
    }

    for &g in &groups {
        for v in datasets(tree, g) {
            let node = &tree.nodes[v];
            let ds = match node.dataset() {
                Some(ds) => ds,
                None => continue,
            };
            let shape = ds.space.shape();
            let max = ds.space.max_shape();
            let mut names: Vec<Option<String>> = vec![None; shape.len()];
            if let Some(AttrValue::References(lists)) = node.attr("DIMENSION_LIST") {
                for (axis, list) in lists.iter().enumerate().take(shape.len()) {
                    if let Some(&addr) = list.last() {
                        names[axis] = scale_name(tree, &by_addr, g, addr);
                    }
                }
            }
            if names.iter().all(Option::is_none) {
                if let Some(ids) = int_list(node.attr("_Netcdf4Coordinates")) {
                    if ids.len() == shape.len() {
                        for (axis, id) in ids.iter().enumerate() {
                            names[axis] = visible_dimid(tree, &dimids, g, *id);
                        }
                    }
                }
            }
            if is_scale(tree, v) && !shape.is_empty() && names[0].is_none() {
                names[0] = Some(node.name.clone());
            }
            // Phony dimensions for what is left.
            let group_dims = dims.entry(g).or_default();
            for axis in 0..shape.len() {
                if names[axis].is_some() {
                    continue;
                }
                let unlimited = max.get(axis).is_some_and(Option::is_none);
                let reuse = group_dims.iter().find(|d| {
                    d.len == shape[axis]
                        && d.unlimited == unlimited
                        && !names.iter().any(|n| n.as_deref() == Some(d.name.as_str()))
                });
                let name = match reuse {
                    Some(d) => d.name.clone(),
                    None => {
                        let name = format!("phony_dim_{}", next_phony);
                        next_phony += 1;
                        group_dims.push(Dim {
                            name: name.clone(),
                            len: shape[axis],
                            unlimited,
                            netcdf: false,
                        });
                        name
                    }
                };
                names[axis] = Some(name);
            }
            out.var_dims.insert(
                v,
                names.into_iter().map(Option::unwrap_or_default).collect(),
            );
            var_groups.push((v, g));
        }
    }
    unlimited_lengths(tree, &mut dims, &var_groups, &mut out);
    for (g, list) in dims {
        out.group_dims
            .insert(g, list.into_iter().map(|d| (d.name, d.len)).collect());
    }
    out
}

/// netCDF-C's length of an unlimited dimension is the longest extent along it of the
/// variables that use it (they are written record by record, not all to the end; its own
/// scale dataset often has none at all), and it shows every such variable that long, the
/// records never written reading as the fill value. Sets both on `dims` and `out`.
fn unlimited_lengths(
    tree: &Tree,
    dims: &mut HashMap<usize, Vec<Dim>>,
    var_groups: &[(usize, usize)],
    out: &mut Dimensions,
) {
    // The unlimited netCDF dimension an axis named `name` of a variable in `group` uses:
    // (defining group, index in its list).
    let owner = |dims: &HashMap<usize, Vec<Dim>>, group: usize, name: &str| {
        ancestors(tree, group).into_iter().find_map(|g| {
            let k = dims.get(&g)?.iter().position(|d| d.name == name)?;
            let d = &dims[&g][k];
            (d.unlimited && d.netcdf).then_some((g, k))
        })
    };
    let shape_of = |v: usize| tree.nodes[v].dataset().map(|d| d.space.shape());
    for &(v, g) in var_groups {
        let shape = match shape_of(v) {
            Some(s) => s,
            None => continue,
        };
        for (axis, name) in out.var_dims[&v].iter().enumerate() {
            if let Some((dg, k)) = owner(dims, g, name) {
                let d = &mut dims.get_mut(&dg).expect("the owner was found in dims")[k];
                d.len = d.len.max(shape[axis]);
            }
        }
    }
    for &(v, g) in var_groups {
        let mut shape = match shape_of(v) {
            Some(s) => s,
            None => continue,
        };
        let mut longer = false;
        for (axis, name) in out.var_dims[&v].iter().enumerate() {
            if let Some((dg, k)) = owner(dims, g, name) {
                let len = dims[&dg][k].len;
                if len > shape[axis] {
                    shape[axis] = len;
                    longer = true;
                }
            }
        }
        if longer {
            out.netcdf_shapes.insert(v, shape);
        }
    }
}

/// Name of the scale dataset at `addr`, preferring one visible from `group` (in it or in
/// an ancestor) when the same dataset is linked more than once.
fn scale_name(
    tree: &Tree,
    by_addr: &HashMap<u64, Vec<usize>>,
    group: usize,
    addr: u64,
) -> Option<String> {
    let candidates = by_addr.get(&addr)?;
    let first = *candidates.first()?;
    let ancestors = ancestors(tree, group);
    let visible = candidates
        .iter()
        .copied()
        .find(|&c| tree.nodes[c].parent.is_some_and(|p| ancestors.contains(&p)));
    Some(tree.nodes[visible.unwrap_or(first)].name.clone())
}

fn ancestors(tree: &Tree, group: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = Some(group);
    while let Some(g) = at {
        out.push(g);
        at = tree.nodes[g].parent;
    }
    out
}

/// The dimension with netCDF id `id` visible from `group` (nearest group first).
fn visible_dimid(
    tree: &Tree,
    dimids: &HashMap<usize, Vec<(i64, String)>>,
    group: usize,
    id: i64,
) -> Option<String> {
    ancestors(tree, group).into_iter().find_map(|g| {
        dimids
            .get(&g)?
            .iter()
            .find(|(d, _)| *d == id)
            .map(|(_, n)| n.clone())
    })
}
