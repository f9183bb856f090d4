//! Soft links: a group member named by a path instead of an object address. netCDF-C lists
//! the object a soft link names under the link's name — a variable (kerchunk's
//! `air_linked.nc` test file has `lat_soft` beside `lat`) or a whole group — and so do h5py
//! users reading `f["lat_soft"]`. A link's path can point anywhere in the file, so links are
//! collected while the groups are read and resolved once the whole tree is known (in rounds:
//! a linked group can hold soft links of its own). A link to one of its own ancestors is
//! refused like any link cycle; links that resolve to nothing (dangling) are left out, as
//! netCDF-C and h5py cannot open them either.

use super::scanner::{State, Task};
use super::tree::{Kind, Tree};
use crate::sansio::Stop;

/// Soft links kept per file (each becomes at most one more object to read).
pub const MAX_SOFT_LINKS: usize = 1 << 16;

/// Path components followed per link (a longer path is hostile or broken).
const MAX_PATH_COMPONENTS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftLink {
    /// The group holding the link.
    pub group: usize,
    pub name: String,
    pub creation_order: Option<u64>,
    /// Absolute (`/a/b`) or relative to `group`.
    pub path: String,
}

impl Tree {
    /// The node `path` names, starting at `from` for relative paths. As in HDF5, `.` is the
    /// current group and there is no `..` (it would be a member's name).
    pub fn lookup(&self, from: usize, path: &str) -> Option<usize> {
        let mut at = if path.starts_with('/') { 0 } else { from };
        for (k, part) in path.split('/').enumerate() {
            if k >= MAX_PATH_COMPONENTS {
                return None;
            }
            at = match part {
                "" | "." => at,
                name => *self.nodes[at]
                    .children()
                    .iter()
                    .find(|&&c| self.nodes[c].name == name)?,
            };
        }
        Some(at)
    }
}

impl State {
    /// Adds every collected soft link that names a dataset or group as one more member of its
    /// group; returns the tasks that read them (none when there is nothing left to resolve).
    pub fn resolve_soft_links(&mut self) -> Vec<Task> {
        let mut spawn = Vec::new();
        for link in std::mem::take(&mut self.soft_links) {
            let target = match self.tree.lookup(link.group, &link.path) {
                Some(t)
                    if matches!(
                        self.tree.nodes[t].kind,
                        Kind::Dataset(_) | Kind::Group { .. }
                    ) =>
                {
                    t
                }
                _ => continue,
            };
            let addr = self.tree.nodes[target].addr;
            match self.add_child(link.group, link.name, link.creation_order, addr, &mut spawn) {
                Ok(()) => {}
                Err(Stop::Fail(e)) => {
                    self.fatal = Some(e);
                    break;
                }
                // Adding a member reads nothing.
                Err(Stop::Need(_)) => {}
            }
        }
        spawn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdf5::tree::{Node, Role};

    #[test]
    fn looks_up_absolute_and_relative_paths_as_hdf5_does() {
        // / ── a (group) ── x ; / ── y
        let mut tree = Tree::default();
        for (name, parent) in [("", None), ("a", Some(0)), ("x", Some(1)), ("y", Some(0))] {
            tree.nodes
                .push(Node::new(name.to_string(), parent, 0, Role::InScope));
        }
        tree.nodes[0].kind = Kind::Group {
            children: vec![1, 3],
        };
        tree.nodes[1].kind = Kind::Group { children: vec![2] };
        assert_eq!(tree.lookup(1, "/a/x"), Some(2));
        assert_eq!(tree.lookup(1, "x"), Some(2));
        assert_eq!(tree.lookup(1, "./x"), Some(2));
        assert_eq!(tree.lookup(2, "/y"), Some(3));
        // No `..` in HDF5 paths, and dangling links resolve to nothing.
        assert_eq!(tree.lookup(1, "../y"), None);
        assert_eq!(tree.lookup(0, "/nowhere"), None);
        assert_eq!(tree.lookup(0, &"a/".repeat(300)), None);
    }
}
