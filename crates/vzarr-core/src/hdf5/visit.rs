//! Scanner tasks that walk the object graph: object headers, group members (symbol tables,
//! link messages, dense link storage) and attributes (compact and dense).
//!
//! Every task reads first and changes the tree only once all its reads succeeded, so a task
//! that stops for bytes can simply run again.

use super::attribute;
use super::btree_v1;
use super::btree_v2::{self, NodeRef};
use super::dataset;
use super::fractal_heap;
use super::io::{Cursor, Source};
use super::links::{self, DenseStorage, LinkTarget};
use super::object_header::{kind, read_object_header, Message, ObjectHeader};
use super::scanner::{Dense, State, Task};
use super::soft_links::{SoftLink, MAX_SOFT_LINKS};
use super::symbol_table::{self, LocalHeap};
use super::tree::{Attr, DatasetNode, Kind, Role};
use crate::error::Error;
use crate::sansio::{ByteRange, Step, Stop};
use std::sync::Arc;

/// Group B-tree nodes hold up to 2K children (HDF5's default K is 16); only a read-ahead
/// hint, the node's own entry count decides.
const GROUP_BTREE_ENTRIES: usize = 32;

fn is_group(header: &ObjectHeader) -> bool {
    header.has(kind::SYMBOL_TABLE)
        || header.has(kind::LINK_INFO)
        || header.has(kind::LINK)
        || header.has(kind::GROUP_INFO)
}

/// Decoded attributes of one header, and the ones that failed (name, error).
type DecodedAttrs = (Vec<Attr>, Vec<(String, Error)>);

impl State {
    #[inline(never)] // a task of its own: see State::run
    pub(super) fn visit(
        &mut self,
        id: usize,
        src: &Source,
        spawn: &mut Vec<Task>,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let addr = self.tree.nodes[id].addr;
        let header = read_object_header(src, addr)?;
        let (attrs, attr_errors) = self.compact_attributes(&header, src, extra)?;
        let dense_attrs = match header.find(kind::ATTRIBUTE_INFO) {
            Some(m) => links::parse_attribute_info(&mut m.cursor(src, "attribute info"))?,
            None => None,
        };
        let role = self.tree.nodes[id].role;
        if dataset::is_dataset(&header) {
            let space = dataset::read_dataspace(&header, src)?;
            let spec = match dataset::read_messages(&header, src)? {
                Ok(m) => dataset::describe(&m, src),
                Err(e) => Err(e),
            };
            // All reads done: commit.
            let scanned = role == Role::InScope && !self.is_dropped(id);
            let node = &mut self.tree.nodes[id];
            node.attrs = attrs;
            node.attr_errors = attr_errors;
            node.kind = Kind::Dataset(Box::new(DatasetNode {
                space,
                spec,
                table: None,
                values: None,
                scanned,
                reencoded: None,
            }));
            if scanned {
                self.start_chunks(id, spawn);
            }
        } else if is_group(&header) {
            let mut members = Vec::new();
            for m in header.all(kind::LINK) {
                members.push(links::parse_link(&mut m.cursor(src, "link message"))?);
            }
            let symbol_table = match header.find(kind::SYMBOL_TABLE) {
                Some(m) => Some(links::parse_symbol_table(
                    &mut m.cursor(src, "symbol table message"),
                )?),
                None => None,
            };
            let dense_links = match header.find(kind::LINK_INFO) {
                Some(m) => links::parse_link_info(&mut m.cursor(src, "link info"))?,
                None => None,
            };
            let node = &mut self.tree.nodes[id];
            node.attrs = attrs;
            node.attr_errors = attr_errors;
            node.kind = Kind::Group {
                children: Vec::new(),
            };
            if role == Role::Beside {
                // Groups beside the path to the selected group are not entered.
                return Ok(());
            }
            for link in members {
                self.add_link(id, link.name, link.creation_order, link.target, spawn)?;
            }
            if let Some((btree, heap)) = symbol_table {
                spawn.push(Task::SymbolTable {
                    group: id,
                    btree,
                    heap,
                });
            }
            if let Some(storage) = dense_links {
                spawn.push(Task::DenseTree {
                    owner: id,
                    what: Dense::Links,
                    storage,
                });
            }
        } else {
            let node = &mut self.tree.nodes[id];
            node.attrs = attrs;
            node.attr_errors = attr_errors;
            node.kind = Kind::Other;
            return Ok(());
        }
        if let Some(storage) = dense_attrs {
            spawn.push(Task::DenseTree {
                owner: id,
                what: Dense::Attributes,
                storage,
            });
        }
        Ok(())
    }

    /// Decodes the attribute messages of a header. Bytes missing for several attributes
    /// (global heap collections) are asked for together.
    fn compact_attributes(
        &mut self,
        header: &ObjectHeader,
        src: &Source,
        extra: &mut Vec<ByteRange>,
    ) -> Step<DecodedAttrs> {
        let mut attrs = Vec::new();
        let mut errors = Vec::new();
        let mut first_need = None;
        for m in header.all(kind::ATTRIBUTE) {
            let order = m.creation_order.map_or(m.index as u64, u64::from);
            match self.attribute(m, order, src, extra) {
                Ok(Ok(a)) => attrs.push(a),
                Ok(Err(named)) => errors.push(named),
                Err(Stop::Need(r)) => {
                    if first_need.is_none() {
                        first_need = Some(r);
                    } else {
                        extra.push(r);
                    }
                }
                Err(fail) => return Err(fail),
            }
        }
        match first_need {
            Some(r) => Err(Stop::Need(r)),
            None => Ok((attrs, errors)),
        }
    }

    /// Parses and decodes one attribute message.
    fn attribute(
        &mut self,
        m: &Message,
        order: u64,
        src: &Source,
        extra: &mut Vec<ByteRange>,
    ) -> Step<Result<Attr, (String, Error)>> {
        let raw = match attribute::parse(m, src) {
            Ok(raw) => raw,
            Err(Stop::Fail(e)) => return Ok(Err(("?".to_string(), e))),
            Err(need) => return Err(need),
        };
        match attribute::decode(&raw, src, &mut self.heap, extra) {
            Ok(Ok(value)) => Ok(Ok(Attr {
                order,
                name: raw.name,
                value,
            })),
            Ok(Err(e)) | Err(Stop::Fail(e)) => Ok(Err((raw.name, e))),
            Err(need) => Err(need),
        }
    }

    #[inline(never)] // a task of its own: see State::run
    pub(super) fn symbol_table(
        &mut self,
        group: usize,
        btree: u64,
        heap_addr: u64,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let heap = symbol_table::read_local_heap(src, heap_addr)?;
        spawn.push(Task::GroupTreeNode {
            group,
            addr: btree,
            heap,
        });
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    pub(super) fn group_tree_node(
        &mut self,
        group: usize,
        addr: u64,
        heap: &LocalHeap,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let mut node = btree_v1::read_node(
            src,
            addr,
            btree_v1::GROUP_NODE,
            src.geo.l,
            GROUP_BTREE_ENTRIES,
        )?;
        let children = btree_v1::group_children(&mut node)?;
        self.guard_visit(group, addr)?;
        for child in children {
            if node.level > 0 {
                spawn.push(Task::GroupTreeNode {
                    group,
                    addr: child,
                    heap: *heap,
                });
            } else {
                spawn.push(Task::SymbolNode {
                    group,
                    addr: child,
                    heap: *heap,
                });
            }
        }
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    pub(super) fn symbol_node(
        &mut self,
        group: usize,
        addr: u64,
        heap: &LocalHeap,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let leaf_k = self
            .superblock
            .as_ref()
            .map_or(4, |s| usize::from(s.group_leaf_k));
        let entries = symbol_table::read_symbol_node(src, addr, heap, 2 * leaf_k)?;
        self.guard_visit(group, addr)?;
        for e in entries {
            self.add_link(group, e.name, None, e.target, spawn)?;
        }
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    pub(super) fn dense_tree(
        &mut self,
        owner: usize,
        what: Dense,
        storage: &DenseStorage,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let record_type: &[u8] = match what {
            Dense::Links => &[5],
            Dense::Attributes => &[8],
        };
        let tree = btree_v2::read_header(src, storage.name_index, record_type)?;
        if let Some(node) = tree.root {
            spawn.push(Task::DenseTreeNode {
                owner,
                what,
                storage: *storage,
                tree: Arc::new(tree),
                node,
            });
        }
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    #[allow(clippy::too_many_arguments)]
    pub(super) fn dense_tree_node(
        &mut self,
        owner: usize,
        what: Dense,
        storage: &DenseStorage,
        tree: &Arc<btree_v2::Header>,
        node: &NodeRef,
        src: &Source,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        let mut objects = Vec::new();
        let mut children = Vec::new();
        let geo = src.geo;
        btree_v2::read_node(
            src,
            tree,
            node,
            |rec| {
                let mut c = Cursor::new(rec, geo, node.addr, "dense storage record");
                let (id, order) = match what {
                    // Link name record: hash, then a 7-byte heap ID.
                    Dense::Links => {
                        c.skip(4)?;
                        (c.bytes(c.remaining().min(7))?.to_vec(), 0)
                    }
                    // Attribute name record: 8-byte heap ID, flags, creation order, hash.
                    Dense::Attributes => {
                        let id = c.bytes(8)?.to_vec();
                        let flags = c.u8()?;
                        if flags & 0x02 != 0 {
                            return Err(Error::unsupported(
                                "an attribute stored in the shared message heap is not supported",
                            ));
                        }
                        (id, u64::from(c.u32()?))
                    }
                };
                objects.push((id, order));
                Ok(())
            },
            &mut children,
        )?;
        self.guard_visit(owner, node.addr)?;
        for child in children {
            spawn.push(Task::DenseTreeNode {
                owner,
                what,
                storage: *storage,
                tree: tree.clone(),
                node: child,
            });
        }
        for (id, order) in objects {
            spawn.push(Task::HeapObject {
                owner,
                what,
                heap: storage.heap,
                id,
                order,
            });
        }
        Ok(())
    }

    #[inline(never)] // a task of its own: see State::run
    #[allow(clippy::too_many_arguments)]
    pub(super) fn heap_object(
        &mut self,
        owner: usize,
        what: Dense,
        heap_addr: u64,
        id: &[u8],
        order: u64,
        src: &Source,
        spawn: &mut Vec<Task>,
        extra: &mut Vec<ByteRange>,
    ) -> Step<()> {
        let header = fractal_heap::read_header(src, heap_addr)?;
        let bytes = fractal_heap::read_object(src, &header, id)?;
        match what {
            Dense::Links => {
                let link = links::parse_link(&mut Cursor::new(&bytes, src.geo, heap_addr, "link"))?;
                self.add_link(owner, link.name, link.creation_order, link.target, spawn)?;
            }
            Dense::Attributes => {
                let m = Message {
                    kind: kind::ATTRIBUTE,
                    flags: 0,
                    data: bytes,
                    addr: heap_addr,
                    index: 0,
                    creation_order: None,
                };
                let node_attr = self.attribute(&m, order, src, extra)?;
                let node = &mut self.tree.nodes[owner];
                match node_attr {
                    Ok(a) => node.attrs.push(a),
                    Err(named) => node.attr_errors.push(named),
                }
            }
        }
        Ok(())
    }

    /// A group member: hard links are visited now; soft links wait until the tree they
    /// point into is known (`resolve_soft_links`); external links are not followed.
    fn add_link(
        &mut self,
        group: usize,
        name: String,
        creation_order: Option<u64>,
        target: LinkTarget,
        spawn: &mut Vec<Task>,
    ) -> Step<()> {
        match target {
            LinkTarget::Hard(addr) => self.add_child(group, name, creation_order, addr, spawn),
            LinkTarget::Soft(path) => {
                if self.soft_links.len() >= MAX_SOFT_LINKS {
                    return Err(Stop::Fail(Error::limit(format!(
                        "the file has more than {} soft links",
                        MAX_SOFT_LINKS
                    ))));
                }
                self.soft_links.push(SoftLink {
                    group,
                    name,
                    creation_order,
                    path,
                });
                Ok(())
            }
            LinkTarget::External => Ok(()),
        }
    }

    /// Refuses to process the same tree node twice for one owner (cyclic B-trees in hostile
    /// files).
    pub(super) fn guard_visit(&mut self, owner: usize, addr: u64) -> Step<()> {
        if !self.visited.insert((owner, addr)) {
            return Err(Stop::Fail(Error::corrupt(format!(
                "the tree node at address {:#x} is reached twice (a cycle)",
                addr
            ))));
        }
        Ok(())
    }
}
