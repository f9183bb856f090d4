//! Grouping fields into variables and groups, cfgrib-style.
//!
//! 1. A **variable** is the set of fields sharing (shortName, parameter number, typeOfLevel,
//!    stepType, product variant, grid). Its fields are placed on the axes
//!    `number × time × step × level` (the sorted distinct values of each); combinations
//!    no field provides are missing chunks.
//! 2. Two fields of one variable at the same (number, time, step, level) cannot share a
//!    cube: the later one starts a second instance of the variable (and so lands in
//!    another group) rather than silently replacing the first.
//! 3. Variables are gathered under `<typeOfLevel>/<stepType>[_<variant>]`. Within such a
//!    base group all variables must share the grid and the coordinate values of every
//!    axis, and names must be unique; variables that differ are put in further groups
//!    named after the first thing that differs (`_level10`, `_grid2`) or numbered (`_2`).

use crate::grib::field::Field;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Distinct coordinate values of one variable, sorted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Axes {
    /// `None` when no field has an ensemble member number.
    pub numbers: Option<Vec<i64>>,
    pub times: Vec<i64>,
    pub steps: Vec<i64>,
    pub levels: Vec<f64>,
}

/// One variable: its fields (indices into the scan's field list) and their positions.
#[derive(Clone, Debug)]
pub(crate) struct Variable {
    pub name: &'static str,
    /// Index of the first field (for metadata) — every field shares the identity key.
    pub first: usize,
    pub fields: Vec<usize>,
    pub axes: Axes,
    pub grid: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub level_type: &'static str,
    /// Sub-group name: stepType, variant and disambiguating suffix.
    pub name: String,
    pub step_type: &'static str,
    pub variant: Option<String>,
    pub grid: usize,
    pub axes: Axes,
    pub variables: Vec<Variable>,
}

impl Group {
    pub fn path(&self) -> String {
        format!("{}/{}", self.level_type, self.name)
    }
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Identity {
    short_name: &'static str,
    param: crate::grib::field::ParamNumber,
    level_type: &'static str,
    step_type: &'static str,
    variant: Option<String>,
    grid: usize,
}

fn identity(f: &Field) -> Identity {
    Identity {
        short_name: f.short_name(),
        param: f.param_number,
        level_type: f.level_type,
        step_type: f.step_type,
        variant: f.variant.clone(),
        grid: f.grid,
    }
}

/// Position of a field within its variable: (number, time, step, level bits).
type Slot = (i64, i64, i64, u64);

/// The fields of one variable instance and the positions they occupy.
type Instance = (Vec<usize>, BTreeSet<Slot>);

fn slot(f: &Field) -> Slot {
    (
        f.number.unwrap_or(0),
        f.reference_time,
        f.step,
        f.level.to_bits(),
    )
}

fn sorted_unique_f64(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup_by(|a, b| a.to_bits() == b.to_bits());
    v
}

fn axes_of(fields: &[Field], members: &[usize]) -> Axes {
    let has_number = members.iter().any(|&i| fields[i].number.is_some());
    let numbers = if has_number {
        let set: BTreeSet<i64> = members
            .iter()
            .map(|&i| fields[i].number.unwrap_or(0))
            .collect();
        Some(set.into_iter().collect())
    } else {
        None
    };
    let times: BTreeSet<i64> = members.iter().map(|&i| fields[i].reference_time).collect();
    let steps: BTreeSet<i64> = members.iter().map(|&i| fields[i].step).collect();
    Axes {
        numbers,
        times: times.into_iter().collect(),
        steps: steps.into_iter().collect(),
        levels: sorted_unique_f64(members.iter().map(|&i| fields[i].level)),
    }
}

/// Splits the fields of each identity into variables without duplicate positions.
fn variables(fields: &[Field]) -> Vec<(Identity, Variable)> {
    let mut order: Vec<Identity> = Vec::new();
    let mut instances: HashMap<Identity, Vec<Instance>> = HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        let id = identity(f);
        let list = instances.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Vec::new()
        });
        let s = slot(f);
        match list.iter_mut().find(|(_, taken)| !taken.contains(&s)) {
            Some((members, taken)) => {
                members.push(i);
                taken.insert(s);
            }
            None => list.push((vec![i], [s].into_iter().collect())),
        }
    }
    let mut out = Vec::new();
    for id in order {
        for (members, _) in instances.remove(&id).unwrap_or_default() {
            let axes = axes_of(fields, &members);
            out.push((
                id.clone(),
                Variable {
                    name: id.short_name,
                    first: members[0],
                    grid: id.grid,
                    fields: members,
                    axes,
                },
            ));
        }
    }
    // Instances appear in the order of their first field.
    out.sort_by_key(|(_, v)| v.first);
    out
}

/// What the first cluster of a base group and a later one differ in, as a name suffix.
fn suffix(base: &Group, v: &Variable, grid_ordinal: usize) -> String {
    if v.grid != base.grid {
        return format!("_grid{}", grid_ordinal);
    }
    if v.axes.levels != base.axes.levels && v.axes.levels.len() == 1 {
        return format!(
            "_level{}",
            crate::grib::grib2::label_number(v.axes.levels[0])
        );
    }
    String::new()
}

/// Partitions scanned fields into groups of variables sharing their axes.
pub(crate) fn group_fields(fields: &[Field]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut grid_ordinals: BTreeMap<usize, usize> = BTreeMap::new();
    for (id, var) in variables(fields) {
        let next = grid_ordinals.len() + 1;
        let grid_ordinal = *grid_ordinals.entry(var.grid).or_insert(next);
        let base_name = match &id.variant {
            Some(v) => format!("{}_{}", id.step_type, v),
            None => id.step_type.to_string(),
        };
        let same_base = |g: &Group| {
            g.level_type == id.level_type && g.step_type == id.step_type && g.variant == id.variant
        };
        let fits = |g: &Group| {
            same_base(g)
                && g.grid == var.grid
                && g.axes == var.axes
                && g.variables.iter().all(|other| other.name != var.name)
        };
        if let Some(g) = groups.iter_mut().find(|g| fits(g)) {
            g.variables.push(var);
            continue;
        }
        let name = match groups.iter().find(|g| same_base(g)) {
            None => base_name,
            Some(base) => {
                let wanted = format!("{}{}", base_name, suffix(base, &var, grid_ordinal));
                unique_name(&groups, id.level_type, wanted)
            }
        };
        groups.push(Group {
            level_type: id.level_type,
            name,
            step_type: id.step_type,
            variant: id.variant.clone(),
            grid: var.grid,
            axes: var.axes.clone(),
            variables: vec![var],
        });
    }
    groups
}

fn unique_name(groups: &[Group], level_type: &str, wanted: String) -> String {
    let taken = |n: &str| {
        groups
            .iter()
            .any(|g| g.level_type == level_type && g.name == n)
    };
    if !taken(&wanted) {
        return wanted;
    }
    (2..)
        .map(|k| format!("{}_{}", wanted, k))
        .find(|n| !taken(n))
        .unwrap_or(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grib::field::ParamNumber;

    fn field(name_number: u8, level: f64, step: i64, number: Option<i64>) -> Field {
        let param = crate::grib::params::grib1_param(&NoKeys, 98, 128, name_number);
        Field {
            message_offset: 0,
            message_length: 0,
            chunk_length: 0,
            edition: 1,
            centre: 98,
            subcentre: 0,
            reference_time: 0,
            grid: 0,
            param,
            param_number: ParamNumber::Grib1 {
                table: 128,
                indicator: name_number,
            },
            level_type: "isobaricInhPa",
            level,
            step_type: "instant",
            step,
            number,
            variant: None,
            packing_type: "grid_simple",
            bitmap: false,
            product_template: None,
        }
    }

    struct NoKeys;
    impl crate::grib::params::KeySource for NoKeys {
        fn key(&self, _: crate::grib::params::Key) -> Option<i64> {
            None
        }
    }

    #[test]
    fn shares_groups_and_leaves_holes_missing() {
        // t and z on two levels; z lacks one level: same base group only if axes agree.
        let fields = vec![
            field(130, 500.0, 0, None),
            field(130, 850.0, 0, None),
            field(129, 500.0, 0, None),
            field(129, 850.0, 0, None),
            field(130, 500.0, 3600, None),
        ];
        let groups = group_fields(&fields);
        let names: Vec<String> = groups.iter().map(|g| g.path()).collect();
        assert_eq!(names, ["isobaricInhPa/instant", "isobaricInhPa/instant_2"]);
        assert_eq!(groups[0].variables[0].name, "t");
        assert_eq!(groups[0].axes.steps, [0, 3600]);
        assert_eq!(groups[0].variables[0].fields, [0, 1, 4]);
        assert_eq!(groups[1].variables[0].name, "z");
    }

    #[test]
    fn duplicates_split_instead_of_overwriting() {
        let fields = vec![
            field(130, 500.0, 0, Some(1)),
            field(130, 500.0, 0, Some(2)),
            field(130, 500.0, 0, Some(1)),
        ];
        let groups = group_fields(&fields);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].variables[0].fields, [0, 1]);
        assert_eq!(groups[0].axes.numbers, Some(vec![1, 2]));
        assert_eq!(groups[1].variables[0].fields, [2]);
        assert_eq!(groups[1].path(), "isobaricInhPa/instant_2");
    }

    #[test]
    fn another_grid_gets_its_own_group() {
        let mut fields = vec![field(130, 500.0, 0, None), field(130, 500.0, 0, None)];
        fields[1].grid = 1;
        let groups = group_fields(&fields);
        let names: Vec<String> = groups.iter().map(|g| g.path()).collect();
        assert_eq!(
            names,
            ["isobaricInhPa/instant", "isobaricInhPa/instant_grid2"]
        );
        assert_eq!((groups[0].grid, groups[1].grid), (0, 1));
    }

    #[test]
    fn single_level_clusters_are_named_by_level() {
        let fields = vec![field(130, 2.0, 0, None), field(129, 10.0, 0, None)];
        let groups = group_fields(&fields);
        assert_eq!(groups[1].path(), "isobaricInhPa/instant_level10");
    }
}
