//! The parsed descriptive objects of the file, read in one pass: every Vgroup, Vdata
//! header, number type, dimension record and numeric data group (all small, usually
//! together near the DD blocks).

use super::by_ref::ByRef;
use super::dd::{DdTable, NDG, NT, SDD, VG, VH};
use super::objects::{
    parse_ndg, parse_sdd, parse_vdata, parse_vgroup, Dimensions, NumberType, Vdata, Vgroup,
};
use super::reader::Reader;
use crate::error::{Error, Result};

/// The (tag, ref) pairs an NDG lists.
pub type Members = Vec<(u16, u16)>;

#[derive(Default)]
pub struct Catalog {
    /// In DD order.
    pub vgroups: Vec<Vgroup>,
    vgroup_at: ByRef<usize>,
    pub vdata: ByRef<Result<Vdata>>,
    pub number_types: ByRef<Result<NumberType>>,
    pub dimensions: ByRef<Result<Dimensions>>,
    /// NDG ref → members, in DD order.
    pub ndgs: Vec<(u16, Result<Members>)>,
}

impl Catalog {
    pub fn vgroup(&self, reference: u16) -> Option<&Vgroup> {
        self.vgroup_at.get(reference).map(|&i| &self.vgroups[i])
    }
}

/// `None` when some objects' bytes are not held yet (their ranges are in `r.needs`).
/// A Vgroup that cannot be parsed fails the scan (the structure is lost); other objects
/// carry their error to the data set or attribute that uses them.
pub fn read_catalog(r: &mut Reader, dds: &DdTable) -> Result<Option<Catalog>> {
    let mut c = Catalog::default();
    for dd in dds
        .dds
        .iter()
        .filter(|d| matches!(d.tag, VG | VH | NT | SDD | NDG))
    {
        if dd.special {
            return Err(Error::unsupported(format!(
                "object {}/{} stored as a special element",
                dd.tag, dd.reference
            )));
        }
        let Some(b) = r.stored(dd)? else { continue };
        if !r.needs.is_empty() {
            continue;
        }
        match dd.tag {
            VG => {
                c.vgroup_at.insert(dd.reference, c.vgroups.len());
                c.vgroups
                    .push(parse_vgroup(dd, b).map_err(|e| e.at_offset(dd.offset))?);
            }
            VH => {
                c.vdata.insert(dd.reference, parse_vdata(dd, b));
            }
            NT => {
                c.number_types
                    .insert(dd.reference, NumberType::from_nt(dd, b));
            }
            SDD => {
                c.dimensions.insert(dd.reference, parse_sdd(dd, b));
            }
            _ => c.ndgs.push((dd.reference, parse_ndg(dd, b))),
        }
    }
    Ok(r.needs.is_empty().then_some(c))
}
