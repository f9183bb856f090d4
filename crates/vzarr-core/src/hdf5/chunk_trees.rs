//! Chunk indexes that are B-trees: the version-1 B-tree of layouts 1–3 (keys hold element
//! offsets) and the version-2 B-tree of layout 4 (records of type 10 or 11 hold scaled
//! chunk coordinates). Each task reads one node and queues its children, so a whole tree
//! level is asked for in one round trip.

use super::btree_v1;
use super::btree_v2::{self, NodeRef};
use super::chunk_tasks::{ChunkTask, Context};
use super::io::{le_uint, Cursor, Source};
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
        let chunk_bytes = ctx.chunk_bytes;
        let mut children = Vec::new();
        let table = match self.table_mut(var) {
            Some(t) => t,
            None => return Ok(()),
        };
        let mut scaled = [0u64; 32];
        btree_v2::read_node(
            src,
            tree,
            node,
            |rec| {
                let mut c = Cursor::new(rec, geo, node.addr, "chunk record");
                let addr = c.addr()?;
                let (len, mask) = if filtered {
                    (le_uint(c.bytes(size_width)?), c.u32()?)
                } else {
                    (chunk_bytes, 0)
                };
                for s in scaled.iter_mut().take(rank) {
                    *s = c.u64()?;
                }
                if let Some(addr) = addr {
                    table.set_scaled(&scaled[..rank], addr, len, mask);
                }
                Ok(())
            },
            &mut children,
        )?;
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
