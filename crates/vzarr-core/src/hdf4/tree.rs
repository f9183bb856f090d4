//! The group tree: Vgroups a user made (any class but the SD interface's own bookkeeping)
//! are groups, holding the data sets and Vgroups they list, as pyhdf's V interface shows
//! them; data sets in no such Vgroup, and the file's attributes (`CDF0.0`), are the root's.

use super::by_ref::ByRef;
use super::catalog::Catalog;
use super::dd::{NDG, VG, VH};
use super::objects::Vgroup;
use super::values::ATTRIBUTE_CLASS;
use crate::error::Result;
use crate::scan::{ScannedGroup, ScannedVariable, SkippedItem};

/// Vgroup classes the HDF4 libraries write for their own structures.
const INTERNAL_CLASSES: [&str; 11] = [
    "CDF0.0",
    "Var0.0",
    "Dim0.0",
    "UDim0.0",
    "Attr0.0",
    "DimVal0.0",
    "DimVal0.1",
    "Data0.0",
    "RIG0.0",
    "RI0.0",
    "_HDF_CHK_TBL_CLASS",
];
pub const FILE_CLASS: &str = "CDF0.0";
/// Nesting deeper than this is taken for a loop.
const MAX_DEPTH: usize = 64;

fn is_user(g: &Vgroup) -> bool {
    !INTERNAL_CLASSES.contains(&g.class.as_str())
}

/// The file's attributes: the `Attr0.0` Vdata of its `CDF0.0` Vgroups.
pub fn file_attribute_refs(c: &Catalog) -> Vec<u16> {
    c.vgroups
        .iter()
        .filter(|g| g.class == FILE_CLASS)
        .flat_map(|g| g.members.iter())
        .filter(|(t, r)| {
            *t == VH && matches!(c.vdata.get(*r), Some(Ok(v)) if v.class == ATTRIBUTE_CLASS)
        })
        .map(|&(_, r)| r)
        .collect()
}

/// A data set as placed: its NDG ref and the variable (or why it was left out).
pub type Placed = (u16, String, Result<ScannedVariable>);

pub fn build_tree(c: &Catalog, sets: Vec<Placed>) -> ScannedGroup {
    let users: Vec<&Vgroup> = c.vgroups.iter().filter(|g| is_user(g)).collect();
    let mut user_refs = ByRef::default();
    for g in &users {
        user_refs.insert(g.reference, ());
    }
    // The first user Vgroup listing each data set / Vgroup owns it.
    let mut owner_of_set = ByRef::default();
    let mut parent_of = ByRef::default();
    for g in &users {
        for &(t, r) in &g.members {
            if t == NDG {
                owner_of_set.insert_first(r, g.reference);
            } else if t == VG && user_refs.contains(r) && r != g.reference {
                parent_of.insert_first(r, g.reference);
            }
        }
    }
    let mut by_owner: Vec<(Option<u16>, Option<Placed>)> = sets
        .into_iter()
        .map(|s| (owner_of_set.get(s.0).copied(), Some(s)))
        .collect();
    let mut root = ScannedGroup::default();
    fill_group(&mut root, take_owned(&mut by_owner, None));
    let tops: Vec<&Vgroup> = users
        .iter()
        .copied()
        .filter(|g| !parent_of.contains(g.reference))
        .collect();
    let mut visited = ByRef::default();
    for g in tops {
        add_subgroup(&mut root, g, c, &parent_of, &mut by_owner, &mut visited, 0);
    }
    root
}

fn add_subgroup(
    parent: &mut ScannedGroup,
    g: &Vgroup,
    c: &Catalog,
    parent_of: &ByRef<u16>,
    by_owner: &mut [(Option<u16>, Option<Placed>)],
    visited: &mut ByRef<()>,
    depth: usize,
) {
    if depth > MAX_DEPTH || visited.contains(g.reference) {
        return;
    }
    visited.insert(g.reference, ());
    let base = match g.name.replace('/', "_") {
        n if n.is_empty() => format!("vgroup_{}", g.reference),
        n => n,
    };
    let taken = |n: &str, p: &ScannedGroup| {
        p.groups.iter().any(|s| s.name == n) || p.variables.iter().any(|v| v.name == n)
    };
    let name = if taken(&base, parent) {
        format!("{}_{}", base, g.reference)
    } else {
        base
    };
    let mut sub = ScannedGroup {
        name,
        ..ScannedGroup::default()
    };
    fill_group(&mut sub, take_owned(by_owner, Some(g.reference)));
    for &(t, r) in &g.members {
        if t != VG || parent_of.get(r) != Some(&g.reference) {
            continue;
        }
        if let Some(child) = c.vgroup(r) {
            add_subgroup(&mut sub, child, c, parent_of, by_owner, visited, depth + 1);
        }
    }
    parent.groups.push(sub);
}

/// The data sets `owner` holds, in order (each is taken once).
fn take_owned(sets: &mut [(Option<u16>, Option<Placed>)], owner: Option<u16>) -> Vec<Placed> {
    sets.iter_mut()
        .filter(|(o, _)| *o == owner)
        .filter_map(|(_, s)| s.take())
        .collect()
}

fn fill_group(g: &mut ScannedGroup, sets: Vec<Placed>) {
    for (ndg, name, v) in sets {
        match v {
            Ok(mut v) => {
                if g.variables.iter().any(|o| o.name == v.name) {
                    v.name = format!("{}_{}", v.name, ndg);
                }
                for (d, &n) in v.dims.iter().zip(&v.shape) {
                    if !g.dims.iter().any(|(x, _)| x == d) {
                        g.dims.push((d.clone(), n));
                    }
                }
                g.variables.push(v);
            }
            Err(error) => g.skipped.push(SkippedItem { name, error }),
        }
    }
}
