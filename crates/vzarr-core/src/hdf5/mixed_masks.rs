//! Datasets whose chunks skipped different filters (kerchunk's `hdf5_mali_chunk*.h5`; HDF5
//! writes them when an optional compressor cannot shrink a chunk). The codec list's filter
//! mask is the intersection of all chunks' masks — every filter some chunk applied — and
//! each chunk that skipped more gets the missing filters applied (`reencode`) and is inlined
//! in the manifest. That works when the filters
//! a chunk skipped come after every filter it applied (they can then be applied on top of
//! its stored bytes), can be applied here, and the chunks to inline are few and small;
//! otherwise the variable is left out with the reason, as before.

use super::chunk_table::ChunkTable;
use super::filters::Filter;
use super::io::Source;
use super::reencode;
use super::scanner::State;
use crate::error::{Error, Result};
use crate::sansio::{ByteRange, Step, Stop};

/// Chunks one dataset may have inlined this way, and their total stored size.
const MAX_CHUNKS: usize = 4096;
const MAX_BYTES: u64 = 64 << 20;

/// The codec list's filter mask and the chunks to bring to it.
pub struct MaskPlan {
    pub mask: u32,
    /// (flat index, the chunk's own mask)
    pub chunks: Vec<(u64, u32)>,
}

pub fn plan(table: &ChunkTable, masks: &[u32], filters: &[Filter]) -> Result<MaskPlan> {
    let present = || (0..table.len()).filter(|&i| table.get(i).is_some());
    let mask = present().fold(u32::MAX, |m, i| m & masks[i]);
    let mut chunks = Vec::new();
    let mut bytes = 0u64;
    for i in present() {
        let own = masks[i];
        if own == mask {
            continue;
        }
        check_applicable(own, mask, filters).map_err(|why| {
            Error::unsupported(format!(
                "chunk {:?} skips different filters (filter mask {:#x}) than others (mask {:#x}) \
                 and {}",
                table.coords(i as u64),
                own,
                mask,
                why
            ))
        })?;
        bytes += table.get(i).map_or(0, |(_, len)| len);
        chunks.push((i as u64, own));
        if chunks.len() > MAX_CHUNKS || bytes > MAX_BYTES {
            return Err(Error::unsupported(format!(
                "more than {} chunks (or {} bytes) skip filters the others apply; one Zarr \
                 codec list cannot describe them and they are too many to inline",
                MAX_CHUNKS, MAX_BYTES
            )));
        }
    }
    Ok(MaskPlan { mask, chunks })
}

/// Why the filters in `own & !target` cannot be applied on top of a chunk stored with `own`.
fn check_applicable(own: u32, target: u32, filters: &[Filter]) -> std::result::Result<(), String> {
    let extra = own & !target;
    let last_applied = (0..filters.len()).filter(|&k| own & (1 << k) == 0).max();
    let first_extra = (0..filters.len()).find(|&k| extra & (1 << k) != 0);
    if let (Some(a), Some(e)) = (last_applied, first_extra) {
        if a > e {
            return Err(format!(
                "skipped filter {} comes before filter {} it applied",
                filters[e].id, filters[a].id
            ));
        }
    }
    match (0..filters.len()).find(|&k| extra & (1 << k) != 0 && !reencode::can_apply(&filters[k])) {
        Some(k) => Err(format!(
            "vzarr cannot apply HDF5 filter {} to it",
            filters[k].id
        )),
        None => Ok(()),
    }
}

impl State {
    /// Reads the chunks that skipped filters others applied, applies those filters and
    /// keeps them for inlining; decides the dataset's filter mask.
    #[inline(never)] // a task of its own: see State::run
    pub(super) fn reencode_mixed_chunks(
        &mut self,
        id: usize,
        src: &Source,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let d = match self.tree.nodes[id].dataset() {
            Some(d) => d,
            None => return Ok(()),
        };
        let (spec, table) = match (&d.spec, &d.table) {
            (Ok(s), Some(t)) => (s, t),
            _ => return Ok(()),
        };
        let masks = match &table.masks {
            Some(m) => m,
            None => return Ok(()),
        };
        let plan = plan(table, masks, &spec.filters)?;
        spec.codecs(plan.mask)?;
        let mut first_need = None;
        let mut inlined = Vec::with_capacity(plan.chunks.len());
        for &(index, own) in &plan.chunks {
            let (position, len) = table.get(index as usize).unwrap_or((0, 0));
            let mut bytes = match src.read_position(position, len) {
                Ok(b) => b.to_vec(),
                Err(Stop::Need(r)) => {
                    if first_need.is_none() {
                        first_need = Some(r);
                    } else {
                        extra.push(r);
                    }
                    continue;
                }
                Err(fail) => return Err(fail),
            };
            for (k, filter) in spec.filters.iter().enumerate() {
                if (own & !plan.mask) & (1 << k) != 0 {
                    bytes = reencode::apply(filter, &bytes, spec.item_size as usize)?;
                }
            }
            inlined.push((index, bytes));
        }
        if let Some(r) = first_need {
            return Err(Stop::Need(r));
        }
        if let Some(d) = self.tree.nodes[id].dataset_mut() {
            d.reencoded = Some((plan.mask, inlined));
        }
        Ok(())
    }
}
