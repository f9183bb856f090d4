//! The object tree the scanner builds while it walks the file: one node per link it followed,
//! filled in as headers, attributes and chunk indexes arrive.

use super::attribute::AttrValue;
use super::chunk_table::ChunkTable;
use super::dataset::VariableSpec;
use super::dataspace::Dataspace;
use crate::error::Error;
use crate::json::Json;

/// How a node relates to the group the caller asked for (`ScanOptions::group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Inside the selected subtree: reported, chunk indexes scanned.
    InScope,
    /// A group on the path from the root to the selected group: its datasets are read for
    /// their dimensions only.
    OnPath,
    /// A member of an on-path group that is not on the path: datasets are read for
    /// dimension scales, groups are not entered.
    Beside,
}

#[derive(Clone, Debug)]
pub struct Attr {
    /// Creation order when tracked, else the position it was found in.
    pub order: u64,
    pub name: String,
    pub value: AttrValue,
}

/// A filter mask and (flat chunk index, encoded bytes) of the chunks brought to it.
pub type Reencoded = (u32, Vec<(u64, Vec<u8>)>);

#[derive(Clone, Debug)]
pub struct DatasetNode {
    pub space: Dataspace,
    /// The Zarr description, or why the variable cannot be represented.
    pub spec: Result<VariableSpec, Error>,
    /// Chunk locations (absent for vlen strings until their values load, and for
    /// variables that are not scanned).
    pub table: Option<ChunkTable>,
    /// Loaded values (vlen strings).
    pub values: Option<Json>,
    /// Whether the chunk index is read (in scope and not dropped).
    pub scanned: bool,
    /// For chunks that skipped different filters: the codec list's filter mask and the
    /// chunks brought to it, to inline (`mixed_masks`).
    pub reencoded: Option<Reencoded>,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// Header not parsed yet.
    Pending,
    Group {
        children: Vec<usize>,
    },
    Dataset(Box<DatasetNode>),
    /// Committed datatypes and objects vzarr has no use for.
    Other,
    Failed(Error),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub parent: Option<usize>,
    pub addr: u64,
    /// Link creation order when the group tracks it.
    pub creation_order: Option<u64>,
    pub role: Role,
    pub kind: Kind,
    pub attrs: Vec<Attr>,
    /// Attributes that could not be decoded (reported with the variable's skipped list).
    pub attr_errors: Vec<(String, Error)>,
}

impl Node {
    pub fn new(name: String, parent: Option<usize>, addr: u64, role: Role) -> Node {
        Node {
            name,
            parent,
            addr,
            creation_order: None,
            role,
            kind: Kind::Pending,
            attrs: Vec::new(),
            attr_errors: Vec::new(),
        }
    }

    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|a| a.name == name).map(|a| &a.value)
    }

    /// A string attribute's text.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        match self.attr(name) {
            Some(AttrValue::Json(Json::String(s))) => Some(s),
            _ => None,
        }
    }

    pub fn dataset(&self) -> Option<&DatasetNode> {
        match &self.kind {
            Kind::Dataset(d) => Some(d),
            _ => None,
        }
    }

    pub fn dataset_mut(&mut self) -> Option<&mut DatasetNode> {
        match &mut self.kind {
            Kind::Dataset(d) => Some(d),
            _ => None,
        }
    }

    pub fn children(&self) -> &[usize] {
        match &self.kind {
            Kind::Group { children } => children,
            _ => &[],
        }
    }
}

#[derive(Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Path of a node from the file's root (`a/b/c`; `""` for the root).
    pub fn path(&self, id: usize) -> String {
        let mut parts = Vec::new();
        let mut at = Some(id);
        while let Some(i) = at {
            let n = &self.nodes[i];
            if n.parent.is_some() {
                parts.push(n.name.as_str());
            }
            at = n.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// True when `addr` is the address of `id` or one of its ancestors (a link cycle).
    pub fn is_ancestor_addr(&self, id: usize, addr: u64) -> bool {
        let mut at = Some(id);
        while let Some(i) = at {
            if self.nodes[i].addr == addr {
                return true;
            }
            at = self.nodes[i].parent;
        }
        false
    }

    /// Children of a group in link order: creation order when every link has one, else
    /// by name (HDF5's default index).
    pub fn ordered_children(&self, id: usize) -> Vec<usize> {
        let mut children = self.nodes[id].children().to_vec();
        let by_order = children
            .iter()
            .all(|&c| self.nodes[c].creation_order.is_some());
        if by_order {
            children.sort_by_key(|&c| self.nodes[c].creation_order);
        } else {
            children.sort_by(|&a, &b| self.nodes[a].name.cmp(&self.nodes[b].name));
        }
        children
    }
}
