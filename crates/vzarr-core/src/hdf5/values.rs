//! Loading the values of variable-length string variables. Their chunks hold global heap
//! references, which no Zarr reader could follow, so the scan decodes the strings itself and
//! hands them over as `ScannedVariable::values`.

use super::attribute::vlen_string;
use super::dataset::Storage;
use super::global_heap::VlenRef;
use super::io::Source;
use super::scanner::State;
use crate::error::Error;
use crate::json::Json;
use crate::manifest::checked_product;
use crate::sansio::{ByteRange, Step, Stop};

/// Strings per variable; more would not fit a JSON value sensibly.
const MAX_STRINGS: u64 = 1 << 24;
/// Total decoded string bytes per variable.
const MAX_STRING_BYTES: usize = 256 << 20;

impl State {
    #[inline(never)] // a task of its own: see State::run
    pub(super) fn load_vlen_values(
        &mut self,
        id: usize,
        src: &Source,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let d = match self.tree.nodes[id].dataset() {
            Some(d) => d,
            None => return Ok(()),
        };
        let spec = match &d.spec {
            Ok(s) => s,
            Err(_) => return Ok(()),
        };
        let pad = match spec.vlen_string {
            Some(p) => p,
            None => return Ok(()),
        };
        if spec.has_filters {
            return Err(Stop::Fail(Error::unsupported(
                "variable-length strings stored with filters (compression) cannot be loaded: \
                 the core has no decompressor for them",
            )));
        }
        let n = checked_product(&spec.shape)?;
        // Each stored string takes a 16-byte reference in the file, so a small file cannot
        // legitimately hold millions of them (unwritten ones would all be empty).
        let limit = MAX_STRINGS.min(self.file_size.max(1 << 20));
        if n > limit {
            return Err(Stop::Fail(Error::limit(format!(
                "{} strings exceed the limit of {} for a loaded variable in this file",
                n, limit
            ))));
        }
        let item = spec.item_size as usize;
        let geo = src.geo;
        let mut refs: Vec<Option<VlenRef>> = vec![None; n as usize];
        // Gather the raw descriptors, asking for every missing chunk at once.
        let mut first_need = None;
        let mut need = |stop: Stop, extra: &mut Vec<ByteRange>| -> Step<()> {
            match stop {
                Stop::Need(r) => {
                    if first_need.is_none() {
                        first_need = Some(r);
                    } else {
                        extra.push(r);
                    }
                    Ok(())
                }
                fail => Err(fail),
            }
        };
        match &spec.storage {
            Storage::Compact(bytes) => fill_contiguous(&mut refs, bytes, item, geo)?,
            Storage::Contiguous { addr: Some(a), len } => match src.read(*a, *len) {
                Ok(bytes) => fill_contiguous(&mut refs, bytes, item, geo)?,
                Err(stop) => need(stop, extra)?,
            },
            Storage::Contiguous { addr: None, .. } => {}
            Storage::Chunked { chunk_bytes, .. } => {
                let table = match &d.table {
                    Some(t) => t,
                    None => return Ok(()),
                };
                for index in 0..table.len() {
                    let (pos, _len) = match table.get(index) {
                        Some(p) => p,
                        None => continue,
                    };
                    match src.read_position(pos, *chunk_bytes) {
                        Ok(bytes) => {
                            let coords = table.coords(index as u64);
                            fill_chunk(
                                &mut refs,
                                bytes,
                                &coords,
                                &spec.chunks,
                                &spec.shape,
                                item,
                                geo,
                            )?;
                        }
                        Err(stop) => need(stop, extra)?,
                    }
                }
            }
        }
        if let Some(r) = first_need {
            return Err(Stop::Need(r));
        }
        let mut collections: Vec<u64> =
            refs.iter().flatten().filter_map(|r| r.collection).collect();
        collections.sort_unstable();
        collections.dedup();
        self.heap.load_all(src, &collections, extra)?;
        let mut values = Vec::with_capacity(refs.len());
        let mut total = 0usize;
        for r in &refs {
            let text = match r {
                Some(r) => {
                    let bytes = self.heap.object(src, r)?;
                    let len = (r.len as usize).min(bytes.len());
                    vlen_string(&bytes[..len], pad)
                }
                None => String::new(),
            };
            total += text.len();
            if total > MAX_STRING_BYTES {
                return Err(Stop::Fail(Error::limit(format!(
                    "the strings of this variable exceed {} bytes",
                    MAX_STRING_BYTES
                ))));
            }
            values.push(Json::String(text));
        }
        if let Some(d) = self.tree.nodes[id].dataset_mut() {
            d.values = Some(Json::Array(values));
            d.table = None;
        }
        Ok(())
    }
}

fn fill_contiguous(
    refs: &mut [Option<VlenRef>],
    bytes: &[u8],
    item: usize,
    geo: super::io::Geometry,
) -> Step<()> {
    for (slot, raw) in refs.iter_mut().zip(bytes.chunks_exact(item)) {
        *slot = Some(VlenRef::parse(raw, geo)?);
    }
    Ok(())
}

/// Places the descriptors of one chunk (C order within the chunk, edge chunks full size)
/// at their positions in the array.
fn fill_chunk(
    refs: &mut [Option<VlenRef>],
    bytes: &[u8],
    chunk_coords: &[u64],
    chunk: &[u64],
    shape: &[u64],
    item: usize,
    geo: super::io::Geometry,
) -> Step<()> {
    let rank = shape.len();
    let mut local = vec![0u64; rank];
    for raw in bytes.chunks_exact(item) {
        let mut flat = 0u64;
        let mut inside = true;
        for a in 0..rank {
            let g = chunk_coords[a] * chunk[a] + local[a];
            if g >= shape[a] {
                inside = false;
                break;
            }
            flat = flat * shape[a] + g;
        }
        if inside {
            if let Some(slot) = refs.get_mut(flat as usize) {
                *slot = Some(VlenRef::parse(raw, geo)?);
            }
        }
        // Next element of the chunk, C order.
        let mut a = rank;
        loop {
            if a == 0 {
                return Ok(());
            }
            a -= 1;
            local[a] += 1;
            if local[a] < chunk[a] {
                break;
            }
            local[a] = 0;
        }
    }
    Ok(())
}
