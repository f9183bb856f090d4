//! Parameter and level names, resolved exactly as ecCodes resolves its *concepts*.
//!
//! ecCodes names a field (`shortName`, `paramId`, `name`, `units`, `typeOfLevel`) by
//! evaluating lists of `name = {key = value; ...}` entries against the message: among the
//! entries whose conditions all hold, the one with the **most conditions** wins, and on a
//! tie the **later** entry in the list wins. The list is the centre's local file followed
//! by the WMO master file, so a master entry beats an equally specific local one. When
//! nothing matches, GRIB2 falls back to the ECMWF local concepts, then to `unknown`.
//!
//! vzarr names variables by `shortName` — the key users filter on in cfgrib and ecCodes —
//! so the tables in [`table`] are generated from ecCodes' own definitions
//! (`scripts/gen_grib_params.py`) and evaluated with the same rule.

#[rustfmt::skip]
mod table;

/// The message keys concept conditions may test, besides the identifying keys in
/// [`ParamDef::head`]. A condition on a key the message does not have (e.g.
/// `typeOfStatisticalProcessing` in an instantaneous product) fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    TypeOfFirstFixedSurface,
    ScaleFactorOfFirstFixedSurface,
    ScaledValueOfFirstFixedSurface,
    TypeOfSecondFixedSurface,
    ScaleFactorOfSecondFixedSurface,
    ScaledValueOfSecondFixedSurface,
    TypeOfStatisticalProcessing,
    LengthOfTimeRange,
    IndicatorOfUnitForTimeRange,
    ProductDefinitionTemplateNumber,
    TypeOfGeneratingProcess,
    LocalTablesVersion,
    ProbabilityType,
    ScaleFactorOfLowerLimit,
    ScaledValueOfLowerLimit,
    ConstituentType,
    IsChemical,
    IndicatorOfTypeOfLevel,
    Level,
    Nv,
    GenVertHeightCoords,
    IsAerosol,
    IsAerosolOptical,
    TypeOfSizeInterval,
    ScaleFactorOfFirstSize,
    ScaledValueOfFirstSize,
    ScaleFactorOfSecondSize,
    ScaledValueOfSecondSize,
    TypeOfWavelengthInterval,
    ScaleFactorOfFirstWavelength,
    ScaledValueOfFirstWavelength,
    ScaleFactorOfSecondWavelength,
    ScaledValueOfSecondWavelength,
}

/// What ecCodes returns for a field whose bits are all ones (`GRIB_MISSING_LONG`); concept
/// conditions written `missing()` compare against it.
pub(crate) const MISSING: i64 = 2147483647;

/// One parameter entry. `head` holds the identifying keys every entry of its table tests
/// — (discipline, category, number) for GRIB2, (table2Version, indicatorOfParameter, 0)
/// for GRIB1 — and the tables are sorted by it, so candidates are found by binary search.
#[derive(Debug)]
pub(crate) struct ParamDef {
    pub head: [u16; 3],
    pub param_id: u32,
    pub short_name: &'static str,
    pub name: &'static str,
    pub units: &'static str,
    /// ecCodes' `cfVarName` when it differs from `short_name` (cfgrib's variable name).
    cf_var_name: &'static str,
    /// CF standard name, when ecCodes knows one.
    pub cf_name: &'static str,
    pub conditions: &'static [(Key, i64)],
}

impl ParamDef {
    pub fn cf_var_name(&self) -> &'static str {
        if self.cf_var_name.is_empty() {
            self.short_name
        } else {
            self.cf_var_name
        }
    }
}

// The generated table calls this once per entry; a struct literal per entry would double
// its size.
#[allow(clippy::too_many_arguments)]
const fn p(
    head: [u16; 3],
    param_id: u32,
    short_name: &'static str,
    name: &'static str,
    units: &'static str,
    cf_var_name: &'static str,
    cf_name: &'static str,
    conditions: &'static [(Key, i64)],
) -> ParamDef {
    ParamDef {
        head,
        param_id,
        short_name,
        name,
        units,
        cf_var_name,
        cf_name,
        conditions,
    }
}

#[derive(Debug)]
pub(crate) struct LevelDef {
    pub name: &'static str,
    pub conditions: &'static [(Key, i64)],
}

/// Values of a message's keys, as concept conditions see them.
pub(crate) trait KeySource {
    fn key(&self, key: Key) -> Option<i64>;
}

fn holds(source: &dyn KeySource, conditions: &[(Key, i64)]) -> bool {
    conditions
        .iter()
        .all(|&(key, value)| source.key(key) == Some(value))
}

/// Best match over `lists` taken in order (ties go to the later entry).
fn best_param<'a>(
    source: &dyn KeySource,
    head: [u16; 3],
    lists: &[&'a [ParamDef]],
) -> Option<&'a ParamDef> {
    let mut best: Option<(&ParamDef, usize)> = None;
    for list in lists {
        let start = list.partition_point(|d| d.head < head);
        for def in list[start..].iter().take_while(|d| d.head == head) {
            if !holds(source, def.conditions) {
                continue;
            }
            let count = def.conditions.len();
            if best.is_none_or(|(_, c)| count >= c) {
                best = Some((def, count));
            }
        }
    }
    best.map(|(d, _)| d)
}

// Concept lists in evaluation order: the centre's local file, then the WMO master file.
static NCEP_GRIB2: [&[ParamDef]; 2] = [table::GRIB2_KWBC, table::GRIB2_MASTER];
static ECMWF_GRIB2: [&[ParamDef]; 2] = [table::GRIB2_ECMF, table::GRIB2_MASTER];
static MASTER_GRIB2: [&[ParamDef]; 1] = [table::GRIB2_MASTER];
static ECMWF_GRIB1: [&[ParamDef]; 2] = [table::GRIB1_ECMF, table::GRIB1_MASTER];
static MASTER_GRIB1: [&[ParamDef]; 1] = [table::GRIB1_MASTER];
static ECMWF_ONLY_GRIB1: [&[ParamDef]; 1] = [table::GRIB1_ECMF];
static NCEP_LEVELS: [&[LevelDef]; 2] = [table::GRIB2_KWBC_LEVELS, table::GRIB2_LEVELS];
static MASTER_LEVELS: [&[LevelDef]; 1] = [table::GRIB2_LEVELS];
static GRIB1_LEVELS: [&[LevelDef]; 1] = [table::GRIB1_LEVELS];

const ECMWF: u16 = 98;
const NCEP: u16 = 7;
/// ECMWF's local GRIB2 discipline whose categories are GRIB1 table versions.
const ECMWF_LOCAL_DISCIPLINE: u16 = 192;

/// The parameter of a GRIB2 field (`None` = ecCodes' `unknown`).
pub(crate) fn grib2_param(
    source: &dyn KeySource,
    centre: u16,
    discipline: u8,
    category: u8,
    number: u8,
) -> Option<&'static ParamDef> {
    let head = [
        u16::from(discipline),
        u16::from(category),
        u16::from(number),
    ];
    if head[0] == ECMWF_LOCAL_DISCIPLINE {
        return best_param(source, [head[1], head[2], 0], &ECMWF_ONLY_GRIB1);
    }
    let local: &[&[ParamDef]] = match centre {
        NCEP => &NCEP_GRIB2,
        ECMWF => &ECMWF_GRIB2,
        _ => &MASTER_GRIB2,
    };
    best_param(source, head, local).or_else(|| best_param(source, head, &ECMWF_GRIB2))
}

/// The parameter of a GRIB1 field.
pub(crate) fn grib1_param(
    source: &dyn KeySource,
    centre: u16,
    table2_version: u8,
    indicator: u8,
) -> Option<&'static ParamDef> {
    let head = [u16::from(table2_version), u16::from(indicator), 0];
    let local: &[&[ParamDef]] = if centre == ECMWF {
        &ECMWF_GRIB1
    } else {
        &MASTER_GRIB1
    };
    best_param(source, head, local).or_else(|| best_param(source, head, &ECMWF_GRIB1))
}

fn best_level(source: &dyn KeySource, lists: &[&'static [LevelDef]]) -> Option<&'static str> {
    let mut best: Option<(&'static str, usize)> = None;
    for list in lists {
        for def in list.iter() {
            if holds(source, def.conditions) && best.is_none_or(|(_, c)| def.conditions.len() >= c)
            {
                best = Some((def.name, def.conditions.len()));
            }
        }
    }
    best.map(|(n, _)| n)
}

/// GRIB2 `typeOfLevel`. Isobaric surfaces are special in ecCodes (the name depends on
/// the unit the level is expressed in) and are resolved by the caller.
pub(crate) fn grib2_level_type(source: &dyn KeySource, centre: u16) -> &'static str {
    let lists: &[&'static [LevelDef]] = if centre == NCEP {
        &NCEP_LEVELS
    } else {
        &MASTER_LEVELS
    };
    best_level(source, lists).unwrap_or("unknown")
}

/// GRIB1 `typeOfLevel`.
pub(crate) fn grib1_level_type(source: &dyn KeySource) -> &'static str {
    best_level(source, &GRIB1_LEVELS).unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keys(Vec<(Key, i64)>);

    impl KeySource for Keys {
        fn key(&self, key: Key) -> Option<i64> {
            self.0.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
        }
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for list in [
            table::GRIB2_MASTER,
            table::GRIB2_ECMF,
            table::GRIB2_KWBC,
            table::GRIB1_MASTER,
            table::GRIB1_ECMF,
        ] {
            assert!(list.windows(2).all(|w| w[0].head <= w[1].head));
        }
    }

    #[test]
    fn more_specific_entries_win() {
        use Key::*;
        let mut keys = Keys(vec![
            (TypeOfFirstFixedSurface, 100),
            (TypeOfSecondFixedSurface, 255),
        ]);
        assert_eq!(grib2_param(&keys, 98, 0, 0, 0).unwrap().short_name, "t");
        keys.0[0] = (TypeOfFirstFixedSurface, 103);
        keys.0.push((ScaleFactorOfFirstFixedSurface, 0));
        keys.0.push((ScaledValueOfFirstFixedSurface, 2));
        let t2m = grib2_param(&keys, 98, 0, 0, 0).unwrap();
        assert_eq!(
            (t2m.short_name, t2m.param_id, t2m.cf_var_name()),
            ("2t", 167, "t2m")
        );
        assert!(grib2_param(&keys, 98, 0, 0, 250).is_none());
        // ECMWF's local discipline 192 maps onto the GRIB1 table of the same number.
        let g = grib2_param(&keys, 98, 192, 128, 130).unwrap();
        assert_eq!(g.short_name, "t");
    }

    #[test]
    fn grib1_ecmwf_and_levels() {
        use Key::*;
        let keys = Keys(vec![(IndicatorOfTypeOfLevel, 100)]);
        assert_eq!(grib1_param(&keys, 98, 128, 129).unwrap().short_name, "z");
        assert_eq!(grib1_level_type(&keys), "isobaricInhPa");
        let keys = Keys(vec![
            (TypeOfFirstFixedSurface, 1),
            (TypeOfSecondFixedSurface, 8),
        ]);
        assert_eq!(grib2_level_type(&keys, 98), "entireAtmosphere");
        let keys = Keys(vec![
            (TypeOfFirstFixedSurface, 241),
            (TypeOfSecondFixedSurface, 255),
        ]);
        assert_eq!(grib2_level_type(&keys, 7), "orderedSequenceData");
        assert_eq!(grib2_level_type(&keys, 98), "unknown");
    }
}
