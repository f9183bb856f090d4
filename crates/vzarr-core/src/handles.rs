//! Handle tables: objects owned by the core and named by a `u32` across a binding.
//!
//! Both bindings keep their manifests and scanners in a table like this, so the JavaScript
//! side holds plain numbers and frees them explicitly (with a FinalizationRegistry as the
//! safety net). Ids are never reused, so a stale handle fails cleanly instead of aliasing.

use crate::error::{Error, Result};
use std::collections::HashMap;

pub struct HandleTable<T> {
    next: u32,
    items: HashMap<u32, T>,
    what: &'static str,
}

impl<T> HandleTable<T> {
    pub fn new(what: &'static str) -> HandleTable<T> {
        HandleTable {
            next: 1,
            items: HashMap::new(),
            what,
        }
    }

    pub fn insert(&mut self, item: T) -> Result<u32> {
        let id = self.next;
        self.next = self
            .next
            .checked_add(1)
            .ok_or_else(|| Error::limit(format!("ran out of {} handles", self.what)))?;
        self.items.insert(id, item);
        Ok(id)
    }

    pub fn get(&self, id: u32) -> Result<&T> {
        self.items.get(&id).ok_or_else(|| self.stale(id))
    }

    pub fn get_mut(&mut self, id: u32) -> Result<&mut T> {
        let what = self.what;
        self.items
            .get_mut(&id)
            .ok_or_else(|| Error::invalid(format!("{} handle {} is freed or unknown", what, id)))
    }

    /// Removes and returns the item; freeing twice is an error, not a crash.
    pub fn remove(&mut self, id: u32) -> Result<T> {
        self.items.remove(&id).ok_or_else(|| self.stale(id))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn stale(&self, id: u32) -> Error {
        Error::invalid(format!("{} handle {} is freed or unknown", self.what, id))
    }
}
