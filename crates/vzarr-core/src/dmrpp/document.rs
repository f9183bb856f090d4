//! Reads a DMR++ document into a group tree in one pass over the tokenizer's events: a stack
//! of the open elements, each with what is being collected for it. Elements DMR++ does not
//! define for HDF5 data (`Map`, `Enumeration`, ...) are passed over; variables of types that
//! have no Zarr form (`Structure`, `Sequence`, `Opaque`) are listed as skipped.

use super::types::DapType;
use super::variable::{ChunkList, InlineData, VariableElement};
use super::xml::{attributes, local_name, text, unescape, Event, Tokenizer};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::scan::{ScannedGroup, SkippedItem};
use std::collections::HashMap;

/// What a sidecar's chunks point at when neither they nor the dataset name a file: Hyrax's
/// placeholder for "the data file beside this sidecar".
pub const DATA_ACCESS_PLACEHOLDER: &str = "OPeNDAP_DMRpp_DATA_ACCESS_URL";

/// Nesting deeper than this is refused (no recursion here, but a bound keeps memory bounded).
const MAX_DEPTH: usize = 512;

struct GroupFrame {
    group: ScannedGroup,
    /// Fully qualified name: `""` for the dataset, `/a/b` below it.
    path: String,
    phony_dims: usize,
}

/// Where a finished attribute goes: its owner's attributes, where a bad one is reported, and
/// the owning variable's name (empty for a group).
type AttributeTarget<'a> = (
    &'a mut Vec<(String, Json)>,
    Option<&'a mut Vec<SkippedItem>>,
    String,
);

struct AttributeFrame {
    name: String,
    dap: Option<DapType>,
    container: bool,
    values: Vec<String>,
    children: Vec<(String, Json)>,
    error: Option<Error>,
}

enum TextKind {
    Value,
    ChunkDimensionSizes,
    Compact,
    Missing,
    /// A `dmrpp:vlsa` value, repeated `count` times.
    VlsaValue(u64),
}

enum Frame {
    Group(GroupFrame),
    Variable(Box<VariableElement>),
    Attribute(AttributeFrame),
    Chunks,
    Vlsa,
    Text(TextKind, String),
    /// An element whose content is not read.
    Skip,
}

struct Open<'a> {
    name: &'a [u8],
    frame: Frame,
}

pub struct Reader<'a> {
    stack: Vec<Open<'a>>,
    /// Dimension sizes by fully qualified name.
    dimensions: HashMap<String, u64>,
    dataset_href: String,
    ordered_filters: bool,
    root: Option<ScannedGroup>,
}

fn attr_text(value: &[u8], at: usize) -> Result<String> {
    Ok(unescape(value, at)?.into_owned())
}

/// Digits only; `None` for anything else or an overflow.
#[inline]
fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

fn bad_number(what: &str, value: &[u8], at: usize) -> Error {
    Error::corrupt(format!("{} {:?} is not a number", what, text(value))).at_offset(at as u64)
}

/// `[0,1023,10235]` (spaces allowed) appended to `out`; the number of coordinates.
fn parse_position(b: &[u8], out: &mut Vec<u64>, at: usize) -> Result<usize> {
    let inner = b
        .strip_prefix(b"[")
        .and_then(|r| r.strip_suffix(b"]"))
        .ok_or_else(|| bad_number("chunkPositionInArray", b, at))?;
    let mut n = 0;
    for part in inner.split(|&c| c == b',' || c == b' ') {
        if part.is_empty() {
            continue;
        }
        out.push(parse_u64(part).ok_or_else(|| bad_number("chunkPositionInArray", b, at))?);
        n += 1;
    }
    Ok(n)
}

impl<'a> Reader<'a> {
    pub fn read(src: &'a [u8]) -> Result<(ScannedGroup, String)> {
        let mut reader = Reader {
            stack: Vec::new(),
            dimensions: HashMap::new(),
            dataset_href: DATA_ACCESS_PLACEHOLDER.to_string(),
            ordered_filters: false,
            root: None,
        };
        let mut tokens = Tokenizer::new(src);
        while let Some(event) = tokens.next_event()? {
            match event {
                Event::Start {
                    name,
                    attrs,
                    empty,
                    at,
                } => {
                    if reader.root.is_some() {
                        return Err(Error::corrupt("content after the Dataset element")
                            .at_offset(at as u64));
                    }
                    if reader.stack.len() >= MAX_DEPTH {
                        return Err(Error::limit(format!(
                            "elements nested more than {} deep",
                            MAX_DEPTH
                        ))
                        .at_offset(at as u64));
                    }
                    let frame = reader.start(local_name(name), attrs, at)?;
                    reader.stack.push(Open { name, frame });
                    if empty {
                        reader.end(at)?;
                    }
                }
                Event::End { name, at } => {
                    match reader.stack.last() {
                        Some(open) if open.name == name => {}
                        Some(open) => {
                            return Err(Error::corrupt(format!(
                                "malformed XML: </{}> closes <{}>",
                                text(name),
                                text(open.name)
                            ))
                            .at_offset(at as u64))
                        }
                        None => {
                            return Err(Error::corrupt(format!(
                                "malformed XML: </{}> without an open element",
                                text(name)
                            ))
                            .at_offset(at as u64))
                        }
                    }
                    reader.end(at)?;
                }
                Event::Text(t) => reader.text(t, false)?,
                Event::CData(t) => reader.text(t, true)?,
            }
        }
        if let Some(open) = reader.stack.last() {
            return Err(Error::corrupt(format!(
                "malformed XML: the document ends inside <{}>",
                text(open.name)
            ))
            .at_offset(src.len() as u64));
        }
        let root = reader
            .root
            .ok_or_else(|| Error::corrupt("not a DMR++ document: no Dataset element"))?;
        Ok((root, reader.dataset_href))
    }

    fn text(&mut self, t: &[u8], literal: bool) -> Result<()> {
        if let Some(Open {
            frame: Frame::Text(_, buf),
            ..
        }) = self.stack.last_mut()
        {
            if literal {
                buf.push_str(&text(t));
            } else {
                buf.push_str(&unescape(t, 0)?);
            }
        }
        Ok(())
    }

    fn start(&mut self, name: &[u8], attrs: &[u8], at: usize) -> Result<Frame> {
        let Some(parent) = self.stack.last_mut() else {
            if name != b"Dataset" {
                return Err(Error::corrupt(format!(
                    "not a DMR++ document: the root element is <{}>, not <Dataset>",
                    text(name)
                ))
                .at_offset(at as u64));
            }
            for a in attributes(attrs, at) {
                let (k, v) = a?;
                match local_name(k) {
                    b"href" => self.dataset_href = attr_text(v, at)?,
                    b"version" if k.starts_with(b"dmrpp:") => self.ordered_filters = true,
                    _ => {}
                }
            }
            return Ok(Frame::Group(GroupFrame {
                group: ScannedGroup::default(),
                path: String::new(),
                phony_dims: 0,
            }));
        };
        match &mut parent.frame {
            Frame::Group(g) => {
                let path = g.path.clone();
                self.in_group(name, attrs, at, path)
            }
            Frame::Variable(v) => in_variable(v, name, attrs, at, &self.dataset_href),
            Frame::Attribute(_) => Ok(match name {
                b"Value" => Frame::Text(TextKind::Value, String::new()),
                b"Attribute" => Frame::Attribute(attribute_frame(attrs, at)?),
                _ => Frame::Skip,
            }),
            Frame::Chunks => {
                let Some(Open {
                    frame: Frame::Variable(v),
                    ..
                }) = self.stack.iter_mut().rev().nth(1)
                else {
                    return Ok(Frame::Skip);
                };
                in_chunks(v, name, attrs, at, &self.dataset_href)
            }
            Frame::Vlsa => Ok(match name {
                b"v" => {
                    let mut count = 1;
                    for a in attributes(attrs, at) {
                        let (k, val) = a?;
                        if local_name(k) == b"c" {
                            count = parse_u64(val).ok_or_else(|| bad_number("count", val, at))?;
                        }
                    }
                    Frame::Text(TextKind::VlsaValue(count), String::new())
                }
                _ => Frame::Skip,
            }),
            Frame::Text(..) | Frame::Skip => Ok(Frame::Skip),
        }
    }

    fn in_group(&mut self, name: &[u8], attrs: &[u8], at: usize, path: String) -> Result<Frame> {
        let mut element_name = None;
        let mut size = None;
        let read_name_size = |element_name: &mut Option<String>, size: &mut Option<u64>| {
            for a in attributes(attrs, at) {
                let (k, v) = a?;
                match k {
                    b"name" => *element_name = Some(attr_text(v, at)?),
                    b"size" => *size = Some(parse_u64(v).ok_or_else(|| bad_number("size", v, at))?),
                    _ => {}
                }
            }
            Ok::<(), Error>(())
        };
        match name {
            b"Dimension" => {
                read_name_size(&mut element_name, &mut size)?;
                let (Some(n), Some(s)) = (element_name, size) else {
                    return Err(
                        Error::corrupt("a Dimension without name or size").at_offset(at as u64)
                    );
                };
                self.dimensions.insert(format!("{}/{}", path, n), s);
                if let Some(Open {
                    frame: Frame::Group(g),
                    ..
                }) = self.stack.last_mut()
                {
                    g.group.dims.push((n, s));
                }
                Ok(Frame::Skip)
            }
            b"Group" => {
                read_name_size(&mut element_name, &mut size)?;
                let n = element_name
                    .ok_or_else(|| Error::corrupt("a Group without a name").at_offset(at as u64))?;
                Ok(Frame::Group(GroupFrame {
                    group: ScannedGroup {
                        name: n.clone(),
                        ..ScannedGroup::default()
                    },
                    path: format!("{}/{}", path, n),
                    phony_dims: 0,
                }))
            }
            b"Attribute" => Ok(Frame::Attribute(attribute_frame(attrs, at)?)),
            b"Structure" | b"Sequence" | b"Opaque" | b"Enum" => {
                read_name_size(&mut element_name, &mut size)?;
                if let (
                    Some(n),
                    Some(Open {
                        frame: Frame::Group(g),
                        ..
                    }),
                ) = (element_name, self.stack.last_mut())
                {
                    g.group.skipped.push(SkippedItem {
                        name: n,
                        error: Error::unsupported(format!(
                            "DAP {} variables have no Zarr form",
                            text(name)
                        ))
                        .at_offset(at as u64),
                    });
                }
                Ok(Frame::Skip)
            }
            _ => match DapType::from_name(name) {
                Some(dap) => {
                    read_name_size(&mut element_name, &mut size)?;
                    let n = element_name.ok_or_else(|| {
                        Error::corrupt("a variable without a name").at_offset(at as u64)
                    })?;
                    Ok(Frame::Variable(Box::new(VariableElement {
                        name: n,
                        dap,
                        dims: Vec::new(),
                        attrs: Vec::new(),
                        chunks: None,
                        inline: None,
                        string_length: None,
                        strings: None,
                        skipped_attrs: Vec::new(),
                        ordered_filters: self.ordered_filters,
                        error: None,
                    })))
                }
                None => Ok(Frame::Skip),
            },
        }
    }

    fn end(&mut self, at: usize) -> Result<()> {
        let open = self.stack.pop().expect("an element is open");
        match open.frame {
            Frame::Group(g) => match self.stack.last_mut() {
                Some(Open {
                    frame: Frame::Group(parent),
                    ..
                }) => parent.group.groups.push(g.group),
                _ => self.root = Some(g.group),
            },
            Frame::Variable(mut v) => {
                let name = v.name.clone();
                if v.error.is_none() {
                    if let Err(e) = self.resolve_dims(&mut v) {
                        v.error = Some(e.at_offset(at as u64));
                    }
                }
                if let Some(Open {
                    frame: Frame::Group(g),
                    ..
                }) = self.stack.last_mut()
                {
                    g.group.skipped.append(&mut v.skipped_attrs);
                    match v.build() {
                        Ok(var) => g.group.variables.push(var),
                        Err(error) => g.group.skipped.push(SkippedItem {
                            name: name.clone(),
                            error: error.with_variable(name),
                        }),
                    }
                }
            }
            Frame::Attribute(a) => self.attribute_done(a),
            Frame::Text(kind, buf) => self.text_done(kind, buf, at)?,
            Frame::Chunks | Frame::Vlsa | Frame::Skip => {}
        }
        Ok(())
    }

    fn attribute_done(&mut self, a: AttributeFrame) {
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        let AttributeFrame {
            name,
            dap,
            container,
            values,
            children,
            error,
        } = a;
        let (target, skipped, owner): AttributeTarget<'_> = match &mut parent.frame {
            Frame::Group(g) => (
                &mut g.group.attrs,
                Some(&mut g.group.skipped),
                String::new(),
            ),
            Frame::Variable(v) => (&mut v.attrs, Some(&mut v.skipped_attrs), v.name.clone()),
            Frame::Attribute(p) => (&mut p.children, None, String::new()),
            _ => return,
        };
        if container {
            // Hyrax's own provenance is not the file's; HDF5_GLOBAL holds the root's.
            match name.as_str() {
                "build_dmrpp_metadata" => {}
                "HDF5_GLOBAL" => target.extend(children),
                _ => target.push((name, Json::Object(children))),
            }
            return;
        }
        if let Some(e) = error {
            if let Some(s) = skipped {
                s.push(SkippedItem {
                    name: format!("{}@{}", owner, name),
                    error: e,
                });
            }
            return;
        }
        let Some(dap) = dap else { return };
        let mut parsed = Vec::with_capacity(values.len());
        for v in &values {
            match dap.value(v) {
                Some(j) => parsed.push(j),
                None => {
                    if let Some(s) = skipped {
                        s.push(SkippedItem {
                            name: format!("{}@{}", owner, name),
                            error: Error::corrupt(format!(
                                "attribute value {:?} is not of its type",
                                v
                            )),
                        });
                    }
                    return;
                }
            }
        }
        let value = match parsed.len() {
            1 => parsed.pop().expect("one value"),
            0 if matches!(dap, DapType::String | DapType::Char) => Json::from(""),
            _ => Json::Array(parsed),
        };
        target.push((name, value));
    }

    fn text_done(&mut self, kind: TextKind, buf: String, at: usize) -> Result<()> {
        let Some(parent) = self.stack.last_mut() else {
            return Ok(());
        };
        match (kind, &mut parent.frame) {
            (TextKind::Value, Frame::Attribute(a)) => a.values.push(buf),
            (TextKind::ChunkDimensionSizes, Frame::Chunks) => {
                let sizes = buf
                    .split_whitespace()
                    .map(|s| {
                        parse_u64(s.as_bytes())
                            .ok_or_else(|| bad_number("chunk size", s.as_bytes(), at))
                    })
                    .collect::<Result<Vec<u64>>>()?;
                if let Some(Open {
                    frame: Frame::Variable(v),
                    ..
                }) = self.stack.iter_mut().rev().nth(1)
                {
                    if let Some(c) = v.chunks.as_mut() {
                        c.chunk_shape = Some(sizes);
                    }
                }
            }
            (TextKind::Compact, Frame::Variable(v)) => v.inline = Some(InlineData::Compact(buf)),
            (TextKind::Missing, Frame::Variable(v)) => v.inline = Some(InlineData::Missing(buf)),
            (TextKind::VlsaValue(count), Frame::Vlsa) => {
                if let Some(Open {
                    frame: Frame::Variable(v),
                    ..
                }) = self.stack.iter_mut().rev().nth(1)
                {
                    let strings = v.strings.get_or_insert_with(Vec::new);
                    if strings.len() as u64 + count > 1 << 24 {
                        return Err(Error::limit("dmrpp:vlsa holds more than 2^24 values"));
                    }
                    strings.extend(std::iter::repeat_n(Json::String(buf), count as usize));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Names and sizes of a variable's `Dim`s: references to declared dimensions, and
    /// anonymous sizes as the group's `phony_dim_N` (one per distinct size, a second one
    /// where a variable has two axes of that size, as netCDF names them).
    fn resolve_dims(&mut self, v: &mut VariableElement) -> Result<()> {
        let mut resolved = Vec::with_capacity(v.dims.len());
        for (reference, size) in std::mem::take(&mut v.dims) {
            if !reference.is_empty() {
                let d = self.dimension(&reference).ok_or_else(|| {
                    Error::corrupt(format!("Dim {:?} names no declared Dimension", reference))
                })?;
                resolved.push(d);
                continue;
            }
            if size == u64::MAX {
                return Err(Error::corrupt("a Dim without name or size"));
            }
            let Some(Open {
                frame: Frame::Group(g),
                ..
            }) = self.stack.last_mut()
            else {
                return Err(Error::corrupt("a variable outside a group"));
            };
            let reuse = g
                .group
                .dims
                .iter()
                .find(|(n, s)| {
                    *s == size
                        && n.starts_with("phony_dim_")
                        && !resolved.iter().any(|(r, _): &(String, u64)| r == n)
                })
                .map(|(n, _)| n.clone());
            let name = reuse.unwrap_or_else(|| {
                let n = format!("phony_dim_{}", g.phony_dims);
                g.phony_dims += 1;
                g.group.dims.push((n.clone(), size));
                n
            });
            resolved.push((name, size));
        }
        v.dims = resolved;
        Ok(())
    }

    /// The size of a `Dim name` reference: fully qualified, or looked up from the current
    /// group outwards.
    fn dimension(&self, reference: &str) -> Option<(String, u64)> {
        let base = reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
        if reference.starts_with('/') {
            return self.dimensions.get(reference).map(|&s| (base, s));
        }
        let mut scope = self
            .stack
            .iter()
            .rev()
            .find_map(|o| match &o.frame {
                Frame::Group(g) => Some(g.path.clone()),
                _ => None,
            })
            .unwrap_or_default();
        loop {
            if let Some(&s) = self.dimensions.get(&format!("{}/{}", scope, reference)) {
                return Some((base, s));
            }
            match scope.rfind('/') {
                Some(i) => scope.truncate(i),
                None => return None,
            }
        }
    }
}

fn attribute_frame(attrs: &[u8], at: usize) -> Result<AttributeFrame> {
    let mut frame = AttributeFrame {
        name: String::new(),
        dap: None,
        container: false,
        values: Vec::new(),
        children: Vec::new(),
        error: None,
    };
    for a in attributes(attrs, at) {
        let (k, v) = a?;
        match k {
            b"name" => frame.name = attr_text(v, at)?,
            b"type" => match v {
                b"Container" | b"Structure" => frame.container = true,
                other => match DapType::from_name(other) {
                    Some(t) => frame.dap = Some(t),
                    None => {
                        frame.error = Some(Error::unsupported(format!(
                            "attributes of DAP type {} are not supported",
                            text(other)
                        )))
                    }
                },
            },
            _ => {}
        }
    }
    Ok(frame)
}

fn in_variable(
    v: &mut VariableElement,
    name: &[u8],
    attrs: &[u8],
    at: usize,
    dataset_href: &str,
) -> Result<Frame> {
    match name {
        b"Dim" => {
            let mut reference = None;
            let mut size = None;
            for a in attributes(attrs, at) {
                let (k, val) = a?;
                match k {
                    b"name" => reference = Some(attr_text(val, at)?),
                    b"size" => {
                        size = Some(parse_u64(val).ok_or_else(|| bad_number("size", val, at))?)
                    }
                    _ => {}
                }
            }
            // Resolved when the element ends (needs the reader's dimension table).
            v.dims
                .push((reference.unwrap_or_default(), size.unwrap_or(u64::MAX)));
            Ok(Frame::Skip)
        }
        b"Attribute" => Ok(Frame::Attribute(attribute_frame(attrs, at)?)),
        b"chunks" => {
            let mut list = ChunkList::default();
            list.path_id(dataset_href);
            for a in attributes(attrs, at) {
                let (k, val) = a?;
                match local_name(k) {
                    b"compressionType" => list.compression = attr_text(val, at)?,
                    b"deflateLevel" | b"deflate_level" => {
                        list.deflate_level = text(val)
                            .split_whitespace()
                            .next()
                            .and_then(|s| s.parse().ok())
                    }
                    b"fillValue" => list.fill_value = Some(attr_text(val, at)?),
                    b"byteOrder" => list.big_endian = Some(val != b"LE"),
                    b"href" => {
                        let href = attr_text(val, at)?;
                        list.paths[0] = href;
                    }
                    b"LBChunk" if val == b"true" => {
                        v.error.get_or_insert(Error::unsupported(
                            "HDF4 linked-block chunks are not one byte range each",
                        ));
                    }
                    b"structOffset" => {
                        v.error
                            .get_or_insert(Error::unsupported("DMR++ structures"));
                    }
                    _ => {}
                }
            }
            v.chunks = Some(list);
            Ok(Frame::Chunks)
        }
        // A contiguous variable's single chunk may sit directly in the variable.
        b"chunk" => {
            if v.chunks.is_none() {
                let mut list = ChunkList::default();
                list.path_id(dataset_href);
                v.chunks = Some(list);
            }
            chunk(v, attrs, at)?;
            Ok(Frame::Skip)
        }
        b"compact" => Ok(Frame::Text(TextKind::Compact, String::new())),
        b"missingdata" => Ok(Frame::Text(TextKind::Missing, String::new())),
        b"vlsa" => Ok(Frame::Vlsa),
        b"FixedLengthStringArray" => {
            for a in attributes(attrs, at) {
                let (k, val) = a?;
                if k == b"string_length" {
                    v.string_length =
                        Some(parse_u64(val).ok_or_else(|| bad_number("string_length", val, at))?);
                }
            }
            Ok(Frame::Skip)
        }
        b"specialstructuredata" => {
            v.error
                .get_or_insert(Error::unsupported("DMR++ special structure data"));
            Ok(Frame::Skip)
        }
        _ => Ok(Frame::Skip),
    }
}

fn in_chunks(
    v: &mut VariableElement,
    name: &[u8],
    attrs: &[u8],
    at: usize,
    _dataset_href: &str,
) -> Result<Frame> {
    match name {
        b"chunkDimensionSizes" => Ok(Frame::Text(TextKind::ChunkDimensionSizes, String::new())),
        b"chunk" => {
            chunk(v, attrs, at)?;
            Ok(Frame::Skip)
        }
        b"block" => {
            v.error.get_or_insert(Error::unsupported(
                "HDF4 linked blocks (dmrpp:block) are not one byte range each",
            ));
            Ok(Frame::Skip)
        }
        _ => Ok(Frame::Skip),
    }
}

/// One `dmrpp:chunk`: the hot loop of a large sidecar.
fn chunk(v: &mut VariableElement, attrs: &[u8], at: usize) -> Result<()> {
    let list = v.chunks.as_mut().expect("the chunk list exists");
    let mut offset = None;
    let mut length = None;
    let mut positioned = false;
    let mut path = 0u32;
    for a in attributes(attrs, at) {
        let (k, val) = a?;
        match k {
            b"offset" => {
                offset = Some(parse_u64(val).ok_or_else(|| bad_number("offset", val, at))?)
            }
            b"nBytes" => {
                length = Some(parse_u64(val).ok_or_else(|| bad_number("nBytes", val, at))?)
            }
            b"chunkPositionInArray" => {
                parse_position(val, &mut list.positions, at)?;
                positioned = true;
            }
            b"fm" => list.filter_mask |= parse_u64(val) != Some(0),
            b"href" | b"dmrpp:href" => path = list.path_id(&attr_text(val, at)?),
            b"LinkedBlockIndex" => {
                v.error.get_or_insert(Error::unsupported(
                    "HDF4 linked-block chunks are not one byte range each",
                ));
            }
            _ => {}
        }
    }
    let (Some(o), Some(n)) = (offset, length) else {
        return Err(Error::corrupt("a dmrpp:chunk without offset or nBytes").at_offset(at as u64));
    };
    list.offsets.push(o);
    list.lengths.push(n);
    list.path_ids.push(path);
    if positioned {
        list.positioned += 1;
    }
    Ok(())
}
