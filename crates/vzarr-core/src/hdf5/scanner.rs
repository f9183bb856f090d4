//! The HDF5 scanner's state machine.
//!
//! Work is a queue of small restartable [`Task`]s (parse one object header, one B-tree node,
//! one heap object, ...). Each `advance` runs every task the held bytes allow; a task that
//! lacks bytes stops with the range it needs and is retried after the host feeds it. Tasks
//! spawned by finished tasks run in the same pass, so all nodes of one tree level are asked
//! for together. Two phases: the structure (groups, datasets, attributes, chunk indexes),
//! then the values of variable-length string variables, which need complete chunk lists.

use super::btree_v2::{self, NodeRef};
use super::chunk_tasks::ChunkTask;
use super::global_heap::GlobalHeap;
use super::io::{Geometry, Source};
use super::links::DenseStorage;
use super::soft_links::SoftLink;
use super::superblock::{self, Superblock};
use super::symbol_table::LocalHeap;
use super::tree::{Kind, Node, Role, Tree};
use crate::error::{Error, Result};
use crate::manifest::MAX_CHUNKS;
use crate::sansio::{drain_tasks, normalize_needs, ByteCache, ByteRange, Step, Stop};
use crate::scan::{FormatScanner, ScanOptions, ScannedFile};
use std::collections::HashSet;
use std::sync::Arc;

/// Objects (links followed) per file; more come from hostile link structures.
pub const MAX_OBJECTS: usize = 1 << 20;

/// What a dense (fractal heap + v2 B-tree) store holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dense {
    Links,
    Attributes,
}

pub enum Task {
    Superblock,
    /// Parse the object header of a node and act on it.
    Object(usize),
    /// An old-style group: read its local heap, then walk its B-tree.
    SymbolTable {
        group: usize,
        btree: u64,
        heap: u64,
    },
    GroupTreeNode {
        group: usize,
        addr: u64,
        heap: LocalHeap,
    },
    SymbolNode {
        group: usize,
        addr: u64,
        heap: LocalHeap,
    },
    /// Dense links or attributes of a node: read the name-index B-tree header.
    DenseTree {
        owner: usize,
        what: Dense,
        storage: DenseStorage,
    },
    DenseTreeNode {
        owner: usize,
        what: Dense,
        storage: DenseStorage,
        tree: Arc<btree_v2::Header>,
        node: NodeRef,
    },
    /// One link or attribute message stored in a fractal heap.
    HeapObject {
        owner: usize,
        what: Dense,
        heap: u64,
        id: Vec<u8>,
        order: u64,
    },
    Chunks(ChunkTask),
    /// Decode the strings of a variable-length string variable.
    VlenValues(usize),
    /// Bring the chunks that skipped filters others applied to the common codec list.
    MixedChunks(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Structure,
    Values,
    Done,
}

/// Everything the tasks read and write.
pub struct State {
    pub url: String,
    pub file_size: u64,
    pub superblock: Option<Superblock>,
    pub tree: Tree,
    pub heap: GlobalHeap,
    /// Chunks the remaining variables may still allocate (bounded memory on hostile input).
    pub chunk_budget: u64,
    /// Path components of the selected group.
    pub scope: Vec<String>,
    pub drop_variables: Vec<String>,
    /// An error that ends the whole scan.
    pub fatal: Option<Error>,
    /// Tree nodes already processed, per owner (cycle guard).
    pub visited: HashSet<(usize, u64)>,
    /// Soft links met so far, resolved when the groups have all been read.
    pub soft_links: Vec<SoftLink>,
}

pub struct Hdf5Scanner {
    phase: Phase,
    tasks: Vec<Task>,
    state: State,
}

impl Hdf5Scanner {
    pub fn new(url: &str, file_size: u64, options: &ScanOptions) -> Hdf5Scanner {
        let scope = options
            .group
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        // Budget: one chunk per file byte, at least 4 Mi chunks, at most the manifest limit.
        let chunk_budget = file_size.clamp(1 << 22, MAX_CHUNKS);
        Hdf5Scanner {
            phase: Phase::Structure,
            tasks: vec![Task::Superblock],
            state: State {
                url: url.to_string(),
                file_size,
                superblock: None,
                tree: Tree::default(),
                heap: GlobalHeap::new(),
                chunk_budget,
                scope,
                drop_variables: options.drop_variables.clone(),
                fatal: None,
                visited: HashSet::new(),
                soft_links: Vec::new(),
            },
        }
    }
}

impl FormatScanner for Hdf5Scanner {
    fn advance(&mut self, cache: &ByteCache) -> Result<Vec<ByteRange>> {
        loop {
            if self.phase == Phase::Done {
                return Ok(Vec::new());
            }
            let mut extra = Vec::new();
            let state = &mut self.state;
            let needs = drain_tasks(&mut self.tasks, |task, spawn| {
                state.run(task, cache, spawn, &mut extra)
            })?;
            if let Some(e) = self.state.fatal.take() {
                return Err(e);
            }
            if !needs.is_empty() || !extra.is_empty() {
                let mut all = needs;
                all.extend(extra);
                return Ok(normalize_needs(all));
            }
            // No task is waiting: the phase is complete.
            match self.phase {
                Phase::Structure => {
                    // Soft links can point anywhere: they are resolved once the tree is read,
                    // and the objects they add are read before the phase ends.
                    let linked = self.state.resolve_soft_links();
                    if let Some(e) = self.state.fatal.take() {
                        return Err(e);
                    }
                    if !linked.is_empty() {
                        self.tasks = linked;
                        continue;
                    }
                    self.phase = Phase::Values;
                    self.tasks = self.state.value_tasks();
                }
                _ => self.phase = Phase::Done,
            }
        }
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        if self.phase != Phase::Done {
            return Err(Error::invalid("the HDF5 scan has not finished"));
        }
        super::output::build(self.state)
    }
}

impl State {
    pub fn geometry(&self) -> Option<Geometry> {
        self.superblock.as_ref().map(|s| s.geo)
    }

    /// Runs one task. Every kind of task is a function of its own (`#[inline(never)]`), kept
    /// out of this dispatcher and of `run_chunk_task`: V8 charges a wasm function's whole size
    /// against its tier-up budget on every call, so a dispatcher with every reader inlined
    /// (44 KB of wasm) counted as hot after a few dozen tasks and kept the other core in the
    /// optimising compiler for ~50 ms -- ahead of the small per-chunk loops that needed it --
    /// in a scan that takes 20 ms natively.
    fn run(
        &mut self,
        task: &Task,
        cache: &ByteCache,
        spawn: &mut Vec<Task>,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        if let Task::Superblock = task {
            return self.read_superblock(cache, spawn, extra);
        }
        let geo = match self.geometry() {
            Some(g) => g,
            None => return Ok(()),
        };
        let src = Source::new(cache, geo);
        let result = match task {
            Task::Superblock => Ok(()),
            Task::Object(id) => self.visit(*id, &src, spawn, extra),
            Task::SymbolTable { group, btree, heap } => {
                self.symbol_table(*group, *btree, *heap, &src, spawn)
            }
            Task::GroupTreeNode { group, addr, heap } => {
                self.group_tree_node(*group, *addr, heap, &src, spawn)
            }
            Task::SymbolNode { group, addr, heap } => {
                self.symbol_node(*group, *addr, heap, &src, spawn)
            }
            Task::DenseTree {
                owner,
                what,
                storage,
            } => self.dense_tree(*owner, *what, storage, &src, spawn),
            Task::DenseTreeNode {
                owner,
                what,
                storage,
                tree,
                node,
            } => self.dense_tree_node(*owner, *what, storage, tree, node, &src, spawn),
            Task::HeapObject {
                owner,
                what,
                heap,
                id,
                order,
            } => self.heap_object(*owner, *what, *heap, id, *order, &src, spawn, extra),
            Task::Chunks(t) => self.run_chunk_task(t, &src, spawn),
            Task::VlenValues(id) => self.load_vlen_values(*id, &src, extra),
            Task::MixedChunks(id) => self.reencode_mixed_chunks(*id, &src, extra),
        };
        match result {
            Err(Stop::Fail(e)) => {
                self.fail_task(task, e);
                Ok(())
            }
            other => other,
        }
    }

    /// Records a failure where it belongs: the object, group or variable the task served.
    /// Failures of the root group end the scan.
    fn fail_task(&mut self, task: &Task, e: Error) {
        let owner = match task {
            Task::Superblock => None,
            Task::Object(id) | Task::VlenValues(id) | Task::MixedChunks(id) => Some(*id),
            Task::SymbolTable { group, .. }
            | Task::GroupTreeNode { group, .. }
            | Task::SymbolNode { group, .. } => Some(*group),
            Task::DenseTree { owner, what, .. }
            | Task::DenseTreeNode { owner, what, .. }
            | Task::HeapObject { owner, what, .. } => {
                if *what == Dense::Attributes {
                    let node = &mut self.tree.nodes[*owner];
                    node.attr_errors
                        .push(("(dense attribute storage)".to_string(), e));
                    return;
                }
                Some(*owner)
            }
            Task::Chunks(t) => {
                self.fail_variable(t.var(), e);
                return;
            }
        };
        match owner {
            Some(0) | None => {
                if self.fatal.is_none() {
                    self.fatal = Some(e);
                }
            }
            Some(id) => {
                if let Kind::Dataset(_) = self.tree.nodes[id].kind {
                    self.fail_variable(id, e);
                } else {
                    self.tree.nodes[id].kind = Kind::Failed(e);
                }
            }
        }
    }

    /// Marks a variable as not representable; it is reported in its group's skipped list.
    pub fn fail_variable(&mut self, id: usize, e: Error) {
        if let Some(d) = self.tree.nodes[id].dataset_mut() {
            if d.spec.is_ok() {
                d.spec = Err(e);
            }
            d.table = None;
        }
    }

    #[inline(never)] // a task of its own: see State::run
    fn read_superblock(
        &mut self,
        cache: &ByteCache,
        spawn: &mut Vec<Task>,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let result = superblock::locate(cache, extra)
            .and_then(|position| superblock::parse(cache, position));
        match result {
            Ok(sb) => {
                let role = if self.scope.is_empty() {
                    Role::InScope
                } else {
                    Role::OnPath
                };
                self.tree
                    .nodes
                    .push(Node::new(String::new(), None, sb.root, role));
                self.superblock = Some(sb);
                spawn.push(Task::Object(0));
                Ok(())
            }
            Err(Stop::Fail(e)) => {
                self.fatal = Some(e);
                Ok(())
            }
            Err(need) => Err(need),
        }
    }

    /// Adds a member to a group and schedules a visit, unless the link closes a cycle or
    /// the member is not needed for the selected group.
    pub fn add_child(
        &mut self,
        group: usize,
        name: String,
        creation_order: Option<u64>,
        addr: u64,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        if !matches!(self.tree.nodes[group].kind, Kind::Group { .. }) {
            return Ok(());
        }
        if self.tree.is_ancestor_addr(group, addr) {
            return Ok(());
        }
        if self.tree.nodes.len() >= MAX_OBJECTS {
            return Err(Stop::Fail(Error::limit(format!(
                "the file links more than {} objects",
                MAX_OBJECTS
            ))));
        }
        let depth = self.depth(group);
        let role = match self.tree.nodes[group].role {
            Role::InScope => Role::InScope,
            Role::OnPath => {
                if self.scope.get(depth).map(String::as_str) == Some(name.as_str()) {
                    if depth + 1 == self.scope.len() {
                        Role::InScope
                    } else {
                        Role::OnPath
                    }
                } else {
                    Role::Beside
                }
            }
            Role::Beside => return Ok(()),
        };
        let id = self.tree.nodes.len();
        let mut node = Node::new(name, Some(group), addr, role);
        node.creation_order = creation_order;
        self.tree.nodes.push(node);
        if let Kind::Group { children } = &mut self.tree.nodes[group].kind {
            children.push(id);
        }
        spawn.push(Task::Object(id));
        Ok(())
    }

    /// Number of links from the root to `id`.
    pub fn depth(&self, id: usize) -> usize {
        let mut d = 0;
        let mut at = self.tree.nodes[id].parent;
        while let Some(p) = at {
            d += 1;
            at = self.tree.nodes[p].parent;
        }
        d
    }

    /// True when the dataset was named in `drop_variables` (by full path, by path relative
    /// to the selected group, or by bare name).
    pub fn is_dropped(&self, id: usize) -> bool {
        if self.drop_variables.is_empty() {
            return false;
        }
        let full = self.tree.path(id);
        let scope = self.scope.join("/");
        let relative = if scope.is_empty() {
            full.as_str()
        } else {
            full.strip_prefix(&scope)
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(full.as_str())
        };
        let name = self.tree.nodes[id].name.as_str();
        let bare = name.strip_prefix("_nc4_non_coord_").unwrap_or(name);
        self.drop_variables.iter().any(|d| {
            let d = d.trim_start_matches('/');
            d == full || d == relative || d == name || d == bare
        })
    }

    /// Phase two: one task per in-scope variable-length string variable, and per dataset
    /// whose chunks skipped different filters.
    fn value_tasks(&self) -> Vec<Task> {
        self.tree
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(id, n)| {
                let d = n.dataset()?;
                let spec = d.spec.as_ref().ok()?;
                if !d.scanned {
                    None
                } else if spec.vlen_string.is_some() {
                    Some(Task::VlenValues(id))
                } else if d.table.as_ref().is_some_and(|t| t.masks.is_some()) {
                    Some(Task::MixedChunks(id))
                } else {
                    None
                }
            })
            .collect()
    }
}
