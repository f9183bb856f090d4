//! Chunk indexes that are B-trees: the version-1 B-tree of layouts 1–3 (keys hold element
//! offsets) and the version-2 B-tree of layout 4 (records of type 10 or 11 hold scaled
//! chunk coordinates). Each task reads one node and queues its children, so a whole tree
//! level is asked for in one round trip.

use super::btree_v1;
use super::btree_v2::{self, NodeRef};
use super::chunk_table::ChunkTable;
use super::chunk_tasks::{ChunkTask, Context};
use super::io::{all_ones, le_uint, Source};
use super::scanner::{State, Task};
use crate::error::Error;
use crate::sansio::{Step, Stop};
use std::sync::Arc;

impl State {
    #[inline(never)] // a task of its own: see State::run
    pub(super) fn btree_v1_node(
        &mut self,
        var: usize,
        addr: u64,
        ctx: &Context,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let k = self
            .superblock
            .as_ref()
            .map_or(32, |s| usize::from(s.chunk_btree_k));
        let key_len = btree_v1::chunk_key_len(ctx.rank);
        let mut node = btree_v1::read_node(src, addr, btree_v1::CHUNK_NODE, key_len, 2 * k)?;
        self.guard_visit(var, addr)?;
        let table = match self.table_mut(var) {
            Some(t) => t,
            None => return Ok(()),
        };
        let mut children = Vec::new();
        let chunk = &ctx.chunk;
        let mut scaled = [0u64; 33];
        btree_v1::for_each_chunk(
            &mut node,
            ctx.rank,
            |child| children.push(child),
            |e| {
                for (d, (&off, &c)) in e.offsets.iter().zip(chunk).enumerate() {
                    if off % c != 0 {
                        return Err(Error::corrupt(format!(
                            "a chunk starts at element offset {} on axis {}, not a multiple \
                             of the chunk size {}",
                            off, d, c
                        )));
                    }
                    scaled[d] = off / c;
                }
                table.set_scaled(
                    &scaled[..e.offsets.len()],
                    e.addr,
                    u64::from(e.stored_size),
                    e.filter_mask,
                );
                Ok(())
            },
        )?;
        for child in children {
            spawn.push(Task::Chunks(ChunkTask::BtreeV1 { var, addr: child }));
        }
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    pub(super) fn btree_v2_node(
        &mut self,
        var: usize,
        tree: &Arc<btree_v2::Header>,
        node: &NodeRef,
        ctx: &Context,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let geo = src.geo;
        let o = geo.o;
        let rank = ctx.rank;
        let filtered = tree.record_type == 11;
        let fixed = o + 8 * rank + if filtered { 4 } else { 0 };
        let size_width = tree.record_size.checked_sub(fixed).unwrap_or(usize::MAX);
        let valid = if filtered {
            (1..=8).contains(&size_width)
        } else {
            size_width == 0
        };
        if !valid || rank > 32 {
            return Err(Stop::Fail(Error::corrupt(format!(
                "v2 B-tree chunk records of {} bytes do not fit rank {}",
                tree.record_size, rank
            ))));
        }
        let layout = ChunkRecord {
            size: tree.record_size,
            o,
            rank,
            size_width: if filtered { Some(size_width) } else { None },
            chunk_bytes: ctx.chunk_bytes,
        };
        let mut children = Vec::new();
        let table = match self.table_mut(var) {
            Some(t) => t,
            None => return Ok(()),
        };
        let records = btree_v2::read_node_records(src, tree, node, &mut children)?;
        record_chunks(table, records, &layout);
        self.guard_visit(var, node.addr)?;
        for child in children {
            spawn.push(Task::Chunks(ChunkTask::BtreeV2Node {
                var,
                tree: tree.clone(),
                node: child,
            }));
        }
        Ok(())
    }
}

/// Layout of a v2 B-tree chunk record (type 10 unfiltered, 11 filtered): address, then for
/// filtered chunks a size of `size_width` bytes and a filter mask, then `rank` scaled
/// offsets of 8 bytes. `size` equals the sum, as checked against the tree's record size.
struct ChunkRecord {
    size: usize,
    o: usize,
    rank: usize,
    size_width: Option<usize>,
    chunk_bytes: u64,
}

/// Records a leaf's chunk records. A small loop of its own, called once per node and not
/// inlined, for the reason given at `record_run` in chunk_tasks.rs (wasm tier-up).
#[inline(never)]
fn record_chunks(table: &mut ChunkTable, records: &[u8], layout: &ChunkRecord) {
    let mut scaled = [0u64; 32];
    let o = layout.o;
    for rec in records.chunks_exact(layout.size) {
        let raw = &rec[..o];
        let mut at = o;
        let (len, mask) = match layout.size_width {
            Some(w) => {
                let len = le_uint(&rec[at..at + w]);
                let m = &rec[at + w..at + w + 4];
                at += w + 4;
                (len, u32::from_le_bytes([m[0], m[1], m[2], m[3]]))
            }
            None => (layout.chunk_bytes, 0),
        };
        for s in scaled.iter_mut().take(layout.rank) {
            *s = le_uint(&rec[at..at + 8]);
            at += 8;
        }
        if !all_ones(raw) {
            table.set_scaled(&scaled[..layout.rank], le_uint(raw), len, mask);
        }
    }
}
