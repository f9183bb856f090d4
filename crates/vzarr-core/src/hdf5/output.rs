//! Turns the scanned object tree into the [`ScannedFile`] every format returns: the selected
//! group and its subgroups, variables with dimension names and manifests, visible attributes,
//! and the members that could not be represented.

use super::attribute::AttrValue;
use super::chunk_table::grid_shape;
use super::dataset::Storage;
use super::netcdf4::{self, Dimensions};
use super::scanner::State;
use super::tree::{Kind, Role, Tree};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::manifest::ChunkManifest;
use crate::scan::{ScannedFile, ScannedGroup, ScannedVariable, SkippedItem};
use std::collections::HashSet;

pub fn build(mut state: State) -> Result<ScannedFile> {
    if state.tree.nodes.is_empty() {
        return Err(Error::corrupt("no root group was found"));
    }
    if let Kind::Failed(e) = &state.tree.nodes[0].kind {
        return Err(e.clone());
    }
    let scope = find_scope(&state.tree, &state.scope)?;
    let dims = netcdf4::resolve(&state.tree);
    let format = if dims.netcdf { "netcdf4" } else { "hdf5" };
    let mut root = group(&mut state, &dims, scope)?;
    root.name = String::new();
    if scope != 0 {
        add_ancestor_dims(&state.tree, &dims, scope, &mut root);
    }
    Ok(ScannedFile {
        format: format.to_string(),
        root,
    })
}

fn find_scope(tree: &Tree, path: &[String]) -> Result<usize> {
    let mut at = 0usize;
    for (depth, part) in path.iter().enumerate() {
        let next = tree.nodes[at]
            .children()
            .iter()
            .copied()
            .find(|&c| tree.nodes[c].name == *part);
        at = match next {
            Some(c) => c,
            None => {
                return Err(Error::not_found(format!(
                    "the file has no group {:?}",
                    path[..=depth].join("/")
                )))
            }
        };
        match &tree.nodes[at].kind {
            Kind::Group { .. } => {}
            Kind::Failed(e) => return Err(e.clone()),
            _ => {
                return Err(Error::not_found(format!(
                    "{:?} is not a group",
                    path[..=depth].join("/")
                )))
            }
        }
    }
    Ok(at)
}

/// Visible attributes in creation order, and the ones that could not be decoded.
fn attributes(tree: &Tree, id: usize, on_scale: bool) -> (Vec<(String, Json)>, Vec<SkippedItem>) {
    let node = &tree.nodes[id];
    let mut attrs: Vec<_> = node.attrs.iter().collect();
    attrs.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name)));
    let visible = attrs
        .into_iter()
        .filter(|a| !netcdf4::is_hidden_attribute(&a.name, on_scale))
        .filter_map(|a| match &a.value {
            AttrValue::Json(j) => Some((a.name.clone(), j.clone())),
            AttrValue::References(_) => None,
        })
        .collect();
    let skipped = node
        .attr_errors
        .iter()
        .filter(|(name, _)| !netcdf4::is_hidden_attribute(name, true))
        .map(|(name, e)| SkippedItem {
            name: format!("@{}", name),
            error: e.clone(),
        })
        .collect();
    (visible, skipped)
}

fn group(state: &mut State, dims: &Dimensions, id: usize) -> Result<ScannedGroup> {
    let (attrs, mut skipped) = attributes(&state.tree, id, false);
    let mut out = ScannedGroup {
        name: state.tree.nodes[id].name.clone(),
        attrs,
        dims: dims.group_dims.get(&id).cloned().unwrap_or_default(),
        ..ScannedGroup::default()
    };
    for child in state.tree.ordered_children(id) {
        if state.tree.nodes[child].role != Role::InScope {
            continue;
        }
        let name = state.tree.nodes[child].name.clone();
        match &state.tree.nodes[child].kind {
            Kind::Group { .. } => out.groups.push(group(state, dims, child)?),
            Kind::Failed(e) => skipped.push(SkippedItem {
                name,
                error: e.clone(),
            }),
            Kind::Dataset(_) => {
                let hidden = dims.netcdf && dims.dimension_only.contains(&child);
                if hidden || state.is_dropped(child) {
                    continue;
                }
                match variable(state, dims, child) {
                    Ok(v) => out.variables.push(v),
                    Err(error) => skipped.push(SkippedItem {
                        name: netcdf4::variable_name(&name, dims.netcdf).to_string(),
                        error: error.with_variable(state.tree.path(child)),
                    }),
                }
                let on_scale = state.tree.nodes[child].attr_str("CLASS") == Some("DIMENSION_SCALE");
                let (_, attr_skips) = attributes(&state.tree, child, on_scale);
                for s in attr_skips {
                    skipped.push(SkippedItem {
                        name: format!("{}{}", netcdf4::variable_name(&name, dims.netcdf), s.name),
                        error: s.error,
                    });
                }
            }
            Kind::Pending | Kind::Other => {}
        }
    }
    out.skipped = skipped;
    if !dims.netcdf {
        rename_conflicting_scale_axes(&mut out);
    }
    Ok(out)
}

/// In the HDF5 view a netCDF dimension-only scale is a variable too, but its stored length
/// can differ from the dimension's (an unlimited dimension's scale is never extended): its
/// axis then gets a name of its own, so that no dimension has two lengths.
fn rename_conflicting_scale_axes(g: &mut ScannedGroup) {
    let lengths: Vec<(String, u64)> = g
        .variables
        .iter()
        .filter(|v| !(v.dims.len() == 1 && v.dims[0] == v.name))
        .flat_map(|v| v.dims.iter().cloned().zip(v.shape.iter().copied()))
        .chain(g.dims.iter().cloned())
        .collect();
    for v in &mut g.variables {
        if v.dims.len() != 1 || v.dims[0] != v.name {
            continue;
        }
        let own = v.shape[0];
        if lengths.iter().any(|(d, l)| *d == v.name && *l != own) {
            v.dims[0] = format!("{}_scale", v.name);
        }
    }
}

fn variable(state: &mut State, dims: &Dimensions, id: usize) -> Result<ScannedVariable> {
    let url = state.url.clone();
    let on_scale = state.tree.nodes[id].attr_str("CLASS") == Some("DIMENSION_SCALE");
    let (attrs, _) = attributes(&state.tree, id, on_scale);
    let node = &mut state.tree.nodes[id];
    let name = netcdf4::variable_name(&node.name, dims.netcdf).to_string();
    let fill_attr = node
        .attrs
        .iter()
        .find(|a| a.name == "_FillValue")
        .and_then(|a| match &a.value {
            AttrValue::Json(Json::Array(items)) => items.first().cloned(),
            AttrValue::Json(j) => Some(j.clone()),
            AttrValue::References(_) => None,
        });
    let d = match &mut node.kind {
        Kind::Dataset(d) => d,
        _ => return Err(Error::invalid("not a dataset")),
    };
    let spec = d.spec.clone()?;
    let mut codecs = spec.codecs(0)?;
    let (manifest, values) = if spec.vlen_string.is_some() {
        let values = d
            .values
            .take()
            .ok_or_else(|| Error::corrupt("the strings of this variable were not loaded"))?;
        (None, Some(values))
    } else {
        let table = d
            .table
            .take()
            .ok_or_else(|| Error::corrupt("the chunk index of this variable was not read"))?;
        if let Some((index, position, len)) = table.outside {
            return Err(Error::corrupt(format!(
                "chunk {:?} ({} bytes at {}) lies outside the file of {} bytes",
                table.coords(index),
                len,
                position,
                state.file_size
            ))
            .at_offset(position));
        }
        // Chunks that skipped different filters were brought to one mask (`mixed_masks`) and
        // are inlined; if that was impossible the task failed the variable with the reason.
        let reencoded = d.reencoded.take();
        if let (Some((index, mask)), None) = (table.mixed_mask, &reencoded) {
            return Err(Error::unsupported(format!(
                "chunk {:?} skips different filters (filter mask {:#x}) than other chunks \
                 (mask {:#x}); one Zarr codec list cannot describe chunks encoded differently",
                table.coords(index),
                mask,
                table.first_mask.unwrap_or(0)
            )));
        }
        // Otherwise every chunk skipped the same optional filters (typically a compressor
        // that could not shrink the data): those filters are simply not part of the list.
        let (mask, inlined) = reencoded.unwrap_or((table.first_mask.unwrap_or(0), Vec::new()));
        codecs = spec.codecs(mask)?;
        let grid = table.grid.clone();
        let manifest = match &spec.storage {
            Storage::Compact(bytes) => {
                let mut m = ChunkManifest::empty(&grid)?;
                if !m.is_empty() {
                    m.set_inlined(0, bytes.clone())?;
                }
                m
            }
            _ => {
                let mut m = table.into_manifest(&url)?;
                for (index, bytes) in inlined {
                    m.set_inlined(index as usize, bytes)?;
                }
                m
            }
        };
        (Some(manifest), None)
    };
    let netcdf_shape = dims.netcdf_shapes.get(&id);
    let mut dims = dims.var_dims.get(&id).cloned().unwrap_or_default();
    let (mut shape, mut chunks) = (spec.shape, spec.chunks);
    let mut manifest = manifest;
    if let (Some(longer), Some(m)) = (netcdf_shape, manifest.as_mut()) {
        // Records past the dataset's extent read as fill. Those in new chunks do (the
        // chunks are missing); those in the dataset's last, partial chunk do if HDF5 wrote
        // the fill value there, which it does unless told never to (NC_NOFILL).
        let partial = (0..shape.len())
            .any(|a| longer[a] > shape[a] && chunks[a] > 0 && shape[a] % chunks[a] != 0);
        if partial && spec.fill_never_written {
            return Err(Error::unsupported(format!(
                "the variable has {:?} elements where its unlimited dimensions make it {:?}; \
                 netCDF reads the rest as the fill value, but it was written without fill \
                 values (NC_NOFILL), so its last chunk holds other bytes there",
                shape, longer
            )));
        }
        *m = grow_grid(m, &grid_shape(longer, &chunks))?;
        shape = longer.clone();
    }
    if !spec.array_dims.is_empty() {
        // Elements of an array datatype become trailing axes, each held whole in a chunk:
        // the bytes are already laid out that way, so only the grid grows (by length-1 axes).
        for (k, &d) in spec.array_dims.iter().enumerate() {
            shape.push(d);
            chunks.push(d.max(1));
            dims.push(format!("{}_element_dim_{}", name, k));
        }
        if let Some(m) = manifest.as_mut() {
            let mut grid = m.shape().to_vec();
            grid.resize(grid.len() + spec.array_dims.len(), 1);
            m.reshape(&grid)?;
        }
    }
    Ok(ScannedVariable {
        name,
        dims,
        shape,
        chunks,
        dtype: spec.dtype,
        codecs,
        fill_value: fill_attr.unwrap_or(spec.fill_value),
        attrs,
        manifest,
        values,
        loaded: None,
    })
}

/// `m` with its chunk grid grown to `grid` (no smaller on any axis); the new chunks are
/// missing.
fn grow_grid(m: &ChunkManifest, grid: &[u64]) -> Result<ChunkManifest> {
    let mut out = m.clone();
    for (axis, &len) in grid.iter().enumerate() {
        let have = out.shape()[axis];
        if len > have {
            let mut extra = out.shape().to_vec();
            extra[axis] = len - have;
            out = ChunkManifest::concat(&[&out, &ChunkManifest::empty(&extra)?], axis)?;
        }
    }
    Ok(out)
}

/// When a subgroup is selected, the dimensions its variables use from ancestor groups are
/// listed on the result's root so the result is self-contained.
fn add_ancestor_dims(tree: &Tree, dims: &Dimensions, scope: usize, root: &mut ScannedGroup) {
    let mut used: Vec<String> = Vec::new();
    collect_used(root, &mut used);
    let mut defined = HashSet::new();
    collect_defined(root, &mut defined);
    let mut at = tree.nodes[scope].parent;
    let mut added = Vec::new();
    while let Some(g) = at {
        for (name, len) in dims.group_dims.get(&g).map(Vec::as_slice).unwrap_or(&[]) {
            if used.contains(name) && !defined.contains(name) {
                defined.insert(name.clone());
                added.push((name.clone(), *len));
            }
        }
        at = tree.nodes[g].parent;
    }
    added.append(&mut root.dims);
    root.dims = added;
}

fn collect_used(g: &ScannedGroup, out: &mut Vec<String>) {
    for v in &g.variables {
        for d in &v.dims {
            if !out.contains(d) {
                out.push(d.clone());
            }
        }
    }
    for s in &g.groups {
        collect_used(s, out);
    }
}

fn collect_defined(g: &ScannedGroup, out: &mut HashSet<String>) {
    for (n, _) in &g.dims {
        out.insert(n.clone());
    }
    for s in &g.groups {
        collect_defined(s, out);
    }
}
