//! HDF4 scanner (docs/formats/hdf4.md): scientific data sets (the SD interface, which
//! pyhdf and NASA's MODIS archives use) as Zarr arrays over the file's bytes.
//!
//! Reads, in as few rounds as the file allows:
//! 1. the first [`FIRST_BLOCK`] bytes and the chain of DD blocks (`dd.rs`);
//! 2. every Vgroup, Vdata header, number type, dimension record and NDG (`catalog.rs`);
//! 3. the attribute Vdata, the chunk tables and the special-element headers of the data
//!    sets (`sds.rs`, `storage.rs`), repeating while one object leads to another
//!    (linked-block tables, the headers of compressed chunks).
//!
//! Contiguous data sets are one chunk; chunked ones (special element CHUNKED) keep their
//! chunk grid; deflate-compressed data (COMP, alone or per chunk) is `numcodecs.zlib`.
//! Every count and offset is checked against the file size and limits.

mod by_ref;
mod catalog;
mod dd;
mod objects;
mod reader;
mod sds;
mod storage;
mod tree;
mod values;

pub use dd::is_hdf4;

use crate::error::{Error, Result};
use crate::sansio::{normalize_needs, ByteCache, ByteRange};
use crate::scan::{
    drop_variables, select_group, FormatScanner, ScanOptions, ScannedFile, ScannedGroup,
};
use catalog::{read_catalog, Catalog};
use dd::DdChain;
use reader::Reader;

/// Bytes requested first (the magic, the first DD block and, often, the objects).
pub const FIRST_BLOCK: u64 = 64 << 10;

pub struct Hdf4Scanner {
    url: String,
    options: ScanOptions,
    chain: DdChain,
    chain_done: bool,
    /// The descriptive objects, once all are held (later passes only read data-set parts).
    catalog: Option<Catalog>,
    result: Option<ScannedFile>,
}

impl Hdf4Scanner {
    pub fn new(url: &str, options: &ScanOptions) -> Hdf4Scanner {
        Hdf4Scanner {
            url: url.to_string(),
            options: options.clone(),
            chain: DdChain::new(),
            chain_done: false,
            catalog: None,
            result: None,
        }
    }

    /// One pass over the data sets: the root group, or `None` with `r.needs` filled.
    fn build(&self, r: &mut Reader, c: &Catalog) -> Result<Option<ScannedGroup>> {
        let defs = sds::definitions(c);
        let mut sets = Vec::with_capacity(defs.len());
        for def in &defs {
            match sds::variable(r, c, def, &self.url) {
                Ok(Some(v)) => sets.push((def.ndg, def.name.clone(), Ok(v))),
                Ok(None) => {}
                Err(e) => sets.push((
                    def.ndg,
                    def.name.clone(),
                    Err(e.with_variable(def.name.clone())),
                )),
            }
        }
        let attrs = sds::attributes(r, c, &tree::file_attribute_refs(c))?;
        if !r.needs.is_empty() {
            return Ok(None);
        }
        let mut root = tree::build_tree(c, sets);
        root.attrs = attrs.unwrap_or_default();
        Ok(Some(root))
    }
}

impl FormatScanner for Hdf4Scanner {
    fn advance(&mut self, cache: &ByteCache) -> Result<Vec<ByteRange>> {
        if self.result.is_some() {
            return Ok(Vec::new());
        }
        if !self.chain_done {
            if let Some(next) = self.chain.walk(cache)? {
                return Ok(vec![next]);
            }
            self.chain_done = true;
        }
        if self.catalog.is_none() {
            let mut r = Reader::new(cache, &self.chain.table);
            match read_catalog(&mut r, &self.chain.table)? {
                Some(c) => self.catalog = Some(c),
                None => return Ok(normalize_needs(r.needs)),
            }
        }
        let catalog = self.catalog.as_ref().expect("read above");
        let mut r = Reader::new(cache, &self.chain.table);
        let root = match self.build(&mut r, catalog)? {
            Some(root) => root,
            None => {
                let needs = normalize_needs(std::mem::take(&mut r.needs));
                if needs.is_empty() {
                    return Err(Error::invalid("the HDF4 scan stopped without a request"));
                }
                return Ok(needs);
            }
        };
        let mut root = select_group(root, &self.options.group, "HDF4 file")?;
        drop_variables(&mut root, &self.options.drop_variables, "");
        self.result = Some(ScannedFile {
            format: "hdf4".to_string(),
            root,
        });
        Ok(Vec::new())
    }

    fn finish(self: Box<Self>) -> Result<ScannedFile> {
        self.result
            .ok_or_else(|| Error::invalid("the HDF4 scan has not finished"))
    }
}
