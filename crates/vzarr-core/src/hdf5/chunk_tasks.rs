//! Scanner tasks that read chunk indexes into a variable's [`ChunkTable`]: fixed and
//! extensible arrays here, B-trees in `chunk_trees`; single-chunk, implicit, contiguous and
//! compact storage need no reads at all.

use super::btree_v2::{self, NodeRef};
use super::chunk_table::{grid_shape, ChunkTable, Linearization};
use super::dataset::Storage;
use super::extensible_array::{self as ea, Block};
use super::fixed_array as fa;
use super::io::{Geometry, Source};
use super::layout::ChunkIndex;
use super::scanner::{State, Task};
use crate::error::{Error, Result};
use crate::manifest::checked_product;
use crate::sansio::{Step, Stop};
use std::sync::Arc;

pub enum ChunkTask {
    BtreeV1 {
        var: usize,
        addr: u64,
    },
    FixedArray {
        var: usize,
        addr: u64,
    },
    FixedArrayBlock {
        var: usize,
        header: fa::Header,
    },
    ExtensibleArray {
        var: usize,
        addr: u64,
    },
    EaIndex {
        var: usize,
        header: Arc<ea::Header>,
    },
    EaBlock {
        var: usize,
        header: Arc<ea::Header>,
        block: Block,
    },
    BtreeV2 {
        var: usize,
        addr: u64,
    },
    BtreeV2Node {
        var: usize,
        tree: Arc<btree_v2::Header>,
        node: NodeRef,
    },
}

impl ChunkTask {
    pub fn var(&self) -> usize {
        match self {
            ChunkTask::BtreeV1 { var, .. }
            | ChunkTask::FixedArray { var, .. }
            | ChunkTask::FixedArrayBlock { var, .. }
            | ChunkTask::ExtensibleArray { var, .. }
            | ChunkTask::EaIndex { var, .. }
            | ChunkTask::EaBlock { var, .. }
            | ChunkTask::BtreeV2 { var, .. }
            | ChunkTask::BtreeV2Node { var, .. } => *var,
        }
    }
}

/// What the index tasks of one variable need to know.
pub struct Context {
    pub rank: usize,
    pub chunk: Vec<u64>,
    pub chunk_bytes: u64,
    pub lin: Linearization,
    /// The axis of the (single) unlimited dimension, for extensible arrays.
    unlimited_axis: Option<usize>,
}

fn max_grid(max_shape: &[Option<u64>], chunk: &[u64]) -> Vec<Option<u64>> {
    max_shape
        .iter()
        .zip(chunk)
        .map(|(m, &c)| m.map(|m| m / c + u64::from(m % c != 0)))
        .collect()
}

impl State {
    /// Creates the variable's chunk table and schedules the reads of its index.
    pub(super) fn start_chunks(&mut self, id: usize, spawn: &mut Vec<Task>) {
        if let Err(e) = self.try_start_chunks(id, spawn) {
            self.fail_variable(id, e);
        }
    }

    fn try_start_chunks(&mut self, id: usize, spawn: &mut Vec<Task>) -> Result<()> {
        let base = self.geometry().map_or(0, |g| g.base);
        let (shape, chunks, storage) = match self.tree.nodes[id].dataset() {
            Some(d) => match &d.spec {
                Ok(s) => (s.shape.clone(), s.chunks.clone(), s.storage.clone()),
                Err(_) => return Ok(()),
            },
            None => return Ok(()),
        };
        let grid = grid_shape(&shape, &chunks);
        let n = checked_product(&grid)?;
        if n > self.chunk_budget {
            return Err(Error::limit(format!(
                "the variable's {} chunks exceed the scan's remaining budget of {} chunks \
                 (at most one chunk per byte of file, at least 4 Mi per file)",
                n, self.chunk_budget
            )));
        }
        self.chunk_budget -= n;
        let mut table = ChunkTable::new(grid.clone(), base, self.file_size, n)?;
        match &storage {
            Storage::Compact(_) => {}
            Storage::Contiguous { addr, len } => {
                if let Some(a) = addr {
                    table.set(0, *a, *len, 0);
                }
            }
            Storage::Chunked {
                index,
                addr,
                chunk_bytes,
                max_shape,
            } => {
                if let Some(addr) = *addr {
                    let addr_task = |var| match index {
                        ChunkIndex::BtreeV1 => Some(ChunkTask::BtreeV1 { var, addr }),
                        ChunkIndex::FixedArray { .. } => Some(ChunkTask::FixedArray { var, addr }),
                        ChunkIndex::ExtensibleArray { .. } => {
                            Some(ChunkTask::ExtensibleArray { var, addr })
                        }
                        ChunkIndex::BtreeV2 { .. } => Some(ChunkTask::BtreeV2 { var, addr }),
                        _ => None,
                    };
                    match index {
                        ChunkIndex::Single { filtered } => {
                            let (len, mask) = filtered.unwrap_or((*chunk_bytes, 0));
                            table.set(0, addr, len, mask);
                        }
                        ChunkIndex::Implicit => {
                            let mg = max_grid(max_shape, &chunks);
                            implicit(&mut table, &grid, &mg, addr, *chunk_bytes)?;
                        }
                        _ => {
                            if let Some(t) = addr_task(id) {
                                spawn.push(Task::Chunks(t));
                            }
                        }
                    }
                }
            }
        }
        if let Some(d) = self.tree.nodes[id].dataset_mut() {
            d.table = Some(table);
        }
        Ok(())
    }

    fn context(&self, var: usize) -> Option<Context> {
        let d = self.tree.nodes[var].dataset()?;
        d.table.as_ref()?;
        let spec = d.spec.as_ref().ok()?;
        let (chunk_bytes, max_shape) = match &spec.storage {
            Storage::Chunked {
                chunk_bytes,
                max_shape,
                ..
            } => (*chunk_bytes, max_shape),
            _ => return None,
        };
        let grid = grid_shape(&spec.shape, &spec.chunks);
        let mg = max_grid(max_shape, &spec.chunks);
        let unlimited_axis = max_shape.iter().position(Option::is_none);
        let swizzle = match &spec.storage {
            Storage::Chunked {
                index: ChunkIndex::ExtensibleArray { .. },
                ..
            } => unlimited_axis,
            _ => None,
        };
        Some(Context {
            rank: spec.shape.len(),
            chunk: spec.chunks.clone(),
            chunk_bytes,
            lin: Linearization::new(&mg, &grid, swizzle),
            unlimited_axis,
        })
    }

    pub(super) fn table_mut(&mut self, var: usize) -> Option<&mut ChunkTable> {
        self.tree.nodes[var].dataset_mut()?.table.as_mut()
    }

    /// Runs one chunk-index task; each kind is a function of its own, for the reason given
    /// at `State::run`.
    #[inline(never)] // a task of its own: see State::run
    pub(super) fn run_chunk_task(
        &mut self,
        task: &ChunkTask,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let var = task.var();
        let ctx = match self.context(var) {
            Some(c) => c,
            // The variable failed meanwhile: nothing left to do.
            None => return Ok(()),
        };
        match task {
            ChunkTask::BtreeV1 { addr, .. } => self.btree_v1_node(var, *addr, &ctx, src, spawn),
            ChunkTask::FixedArray { addr, .. } => fixed_array_header(var, *addr, src, spawn),
            ChunkTask::FixedArrayBlock { header, .. } => {
                self.fixed_array_block(var, header, &ctx, src)
            }
            ChunkTask::ExtensibleArray { addr, .. } => {
                self.extensible_array_header(var, *addr, &ctx, src, spawn)
            }
            ChunkTask::EaIndex { header, .. } => self.ea_index_block(var, header, &ctx, src, spawn),
            ChunkTask::EaBlock { header, block, .. } => {
                self.ea_block(var, header, block, &ctx, src, spawn)
            }
            ChunkTask::BtreeV2 { addr, .. } => btree_v2_header(var, *addr, src, spawn),
            ChunkTask::BtreeV2Node { tree, node, .. } => {
                self.btree_v2_node(var, tree, node, &ctx, src, spawn)
            }
        }
    }

    #[inline(never)]
    fn fixed_array_block(
        &mut self,
        var: usize,
        header: &fa::Header,
        ctx: &Context,
        src: &Source,
    ) -> Step<()> {
        let layout = EntryLayout::new(src, header.filtered, header.entry_size, ctx);
        let table = match self.table_mut(var) {
            Some(t) => t,
            None => return Ok(()),
        };
        // The block is read whole before the first entry is recorded, so a retry after a
        // stop for bytes finds the table untouched.
        fa::read_data_block(src, header, |first, run| {
            record_run(table, &ctx.lin, first, run, &layout)
        })
    }

    #[inline(never)]
    fn extensible_array_header(
        &mut self,
        var: usize,
        addr: u64,
        ctx: &Context,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        if ctx.unlimited_axis.is_none() {
            return Err(Stop::Fail(Error::corrupt(
                "an extensible array indexes a dataset with no unlimited dimension",
            )));
        }
        let header = ea::read_header(src, addr)?;
        self.guard_visit(var, addr)?;
        spawn.push(Task::Chunks(ChunkTask::EaIndex {
            var,
            header: Arc::new(header),
        }));
        Ok(())
    }

    #[inline(never)]
    fn ea_index_block(
        &mut self,
        var: usize,
        header: &Arc<ea::Header>,
        ctx: &Context,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let limit = self.ea_limit(var, ctx, header);
        let layout = EntryLayout::new(src, header.filtered, header.entry_size, ctx);
        let table = match self.table_mut(var) {
            Some(t) => t,
            None => return Ok(()),
        };
        let blocks = ea::read_index_block(src, header, limit, |first, run| {
            record_run(table, &ctx.lin, first, run, &layout)
        })?;
        push_ea_blocks(spawn, var, header, blocks);
        Ok(())
    }

    #[inline(never)]
    fn ea_block(
        &mut self,
        var: usize,
        header: &Arc<ea::Header>,
        block: &Block,
        ctx: &Context,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let limit = self.ea_limit(var, ctx, header);
        match block {
            Block::Super { addr, index } => {
                let blocks = ea::read_super_block(src, header, *addr, *index, limit)?;
                self.guard_visit(var, *addr)?;
                push_ea_blocks(spawn, var, header, blocks);
                Ok(())
            }
            Block::Data {
                addr,
                first,
                elements,
                pages,
            } => {
                let layout = EntryLayout::new(src, header.filtered, header.entry_size, ctx);
                let table = match self.table_mut(var) {
                    Some(t) => t,
                    None => return Ok(()),
                };
                ea::read_data_block(
                    src,
                    header,
                    *addr,
                    *first,
                    *elements,
                    pages.as_deref(),
                    |first, run| record_run(table, &ctx.lin, first, run, &layout),
                )
            }
        }
    }

    /// Number of extensible array elements worth reading: those that can fall inside the
    /// current extent and that the array ever set.
    fn ea_limit(&self, var: usize, ctx: &Context, header: &ea::Header) -> u64 {
        let grid = self
            .tree
            .nodes
            .get(var)
            .and_then(|n| n.dataset())
            .and_then(|d| d.table.as_ref())
            .map(|t| t.grid.clone())
            .unwrap_or_default();
        ctx.lin.span(&grid).min(header.max_index_set)
    }
}

#[inline(never)]
fn fixed_array_header(var: usize, addr: u64, src: &Source, spawn: &mut Vec<Task>) -> Step<()> {
    let header = fa::read_header(src, addr)?;
    spawn.push(Task::Chunks(ChunkTask::FixedArrayBlock { var, header }));
    Ok(())
}

#[inline(never)]
fn btree_v2_header(var: usize, addr: u64, src: &Source, spawn: &mut Vec<Task>) -> Step<()> {
    let tree = btree_v2::read_header(src, addr, &[10, 11])?;
    if let Some(node) = tree.root {
        spawn.push(Task::Chunks(ChunkTask::BtreeV2Node {
            var,
            tree: Arc::new(tree),
            node,
        }));
    }
    Ok(())
}

/// How fixed/extensible array entries of one index decode into chunk references.
struct EntryLayout {
    geo: Geometry,
    filtered: bool,
    /// Bytes per entry (checked against the client when the header was read).
    size: usize,
    /// Stored size of every chunk of an unfiltered dataset.
    chunk_bytes: u64,
}

impl EntryLayout {
    /// Entries are bare 8-byte addresses (what `ChunkTable::set_unfiltered_run` reads).
    fn unfiltered_addresses(&self) -> bool {
        !self.filtered && self.geo.o == 8 && self.size == 8
    }

    fn new(src: &Source, filtered: bool, size: usize, ctx: &Context) -> EntryLayout {
        EntryLayout {
            geo: src.geo,
            filtered,
            size,
            chunk_bytes: ctx.chunk_bytes,
        }
    }
}

/// Records a run of consecutive fixed/extensible array entries (`run` holds whole entries),
/// the first at linear index `first`.
// Called once per block or page, never inlined, and so are the two loops it picks from:
// V8 runs wasm in its baseline tier until a function is hot and switches to optimised code
// only on the next call, so the loop that runs once per chunk must be re-entered often and
// compile quickly. Inside each loop everything is inlined (`decode_entry`,
// `Linearization::set`, `ChunkTable::set`): a call per chunk costs more than the work in the
// baseline tier.
#[inline(never)]
fn record_run(
    table: &mut ChunkTable,
    lin: &Linearization,
    first: u64,
    run: &[u8],
    layout: &EntryLayout,
) {
    if layout.unfiltered_addresses()
        && lin.is_identity()
        && table.set_unfiltered_run(first, run, layout.chunk_bytes)
    {
        return;
    }
    record_entries(table, lin, first, run, layout)
}

/// `record_run`'s general case: filtered entries, 4-byte addresses, swizzled numbering, the
/// first chunk's mask still to learn.
#[inline(never)]
fn record_entries(
    table: &mut ChunkTable,
    lin: &Linearization,
    first: u64,
    run: &[u8],
    layout: &EntryLayout,
) {
    for (k, bytes) in run.chunks_exact(layout.size).enumerate() {
        let e = fa::decode_entry(bytes, layout.geo, layout.filtered);
        if let Some(addr) = e.addr {
            let len = e.size.unwrap_or(layout.chunk_bytes);
            lin.set(table, first + k as u64, addr, len, e.mask);
        }
    }
}

/// Queues the blocks an extensible array's index or super block points to.
fn push_ea_blocks(spawn: &mut Vec<Task>, var: usize, header: &Arc<ea::Header>, blocks: Vec<Block>) {
    spawn.extend(blocks.into_iter().map(|block| {
        Task::Chunks(ChunkTask::EaBlock {
            var,
            header: header.clone(),
            block,
        })
    }));
}

/// Implicit index: chunk i of the max-dims grid is at `addr + i * chunk_bytes`.
fn implicit(
    table: &mut ChunkTable,
    grid: &[u64],
    max_grid: &[Option<u64>],
    addr: u64,
    chunk_bytes: u64,
) -> Result<()> {
    let rank = grid.len();
    let extents: Vec<u64> = (0..rank)
        .map(|a| max_grid[a].unwrap_or(grid[a]).max(grid[a]))
        .collect();
    let mut strides = vec![1u64; rank];
    for a in (0..rank.saturating_sub(1)).rev() {
        strides[a] = strides[a + 1]
            .checked_mul(extents[a + 1])
            .ok_or_else(|| Error::limit("implicit chunk index overflows"))?;
    }
    let n = table.len() as u64;
    let mut coords = vec![0u64; rank];
    for flat in 0..n {
        let linear: u64 = coords.iter().zip(&strides).map(|(c, s)| c * s).sum();
        let at = linear
            .checked_mul(chunk_bytes)
            .and_then(|o| o.checked_add(addr))
            .ok_or_else(|| Error::limit("implicit chunk address overflows"))?;
        table.set(flat, at, chunk_bytes, 0);
        for a in (0..rank).rev() {
            coords[a] += 1;
            if coords[a] < grid[a] {
                break;
            }
            coords[a] = 0;
        }
    }
    Ok(())
}
