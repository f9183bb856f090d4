//! Objects by reference number. References are 16-bit, so a dense table of positions finds
//! one in a step without a hash map (whose code, once per key and value type, would weigh on
//! the browser's wasm module).

pub struct ByRef<T> {
    items: Vec<(u16, T)>,
    /// Position + 1 in `items` of each reference (0: absent).
    slot: Vec<u32>,
}

impl<T> Default for ByRef<T> {
    fn default() -> Self {
        ByRef {
            items: Vec::new(),
            slot: vec![0; 1 << 16],
        }
    }
}

impl<T> ByRef<T> {
    /// Adds or replaces the object of `reference`; the first insertion keeps its place.
    pub fn insert(&mut self, reference: u16, value: T) {
        match self.slot[usize::from(reference)] {
            0 => {
                self.items.push((reference, value));
                self.slot[usize::from(reference)] = self.items.len() as u32;
            }
            at => self.items[at as usize - 1].1 = value,
        }
    }

    /// Adds the object of `reference` unless one is there.
    pub fn insert_first(&mut self, reference: u16, value: T) {
        if !self.contains(reference) {
            self.insert(reference, value);
        }
    }

    pub fn get(&self, reference: u16) -> Option<&T> {
        match self.slot[usize::from(reference)] {
            0 => None,
            at => Some(&self.items[at as usize - 1].1),
        }
    }

    pub fn contains(&self, reference: u16) -> bool {
        self.slot[usize::from(reference)] != 0
    }
}
