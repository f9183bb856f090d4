//! What a scanner produces, and the session a binding drives.
//!
//! Every format scanner (HDF5/netCDF4, netCDF3, GRIB) returns the same [`ScannedFile`]: a
//! group tree whose variables carry Zarr v3 array metadata plus a [`ChunkManifest`] whose
//! paths are the URL the host gave. The TypeScript layer turns it into a VirtualDataset.

use crate::error::{Error, Result};
use crate::json::Json;
use crate::load::{LoadPlan, LoadSpec, LoadedValues};
use crate::manifest::ChunkManifest;
use crate::sansio::{ByteCache, ByteRange};

/// One format's scanner. `advance` does as much as the held bytes allow and returns the
/// ranges still needed; an empty list means the scan is complete and `finish` may be called.
pub trait FormatScanner: Send {
    fn advance(&mut self, bytes: &ByteCache) -> Result<Vec<ByteRange>>;
    fn finish(self: Box<Self>) -> Result<ScannedFile>;
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScannedFile {
    /// `"hdf5"`, `"netcdf4"`, `"netcdf3"`, `"grib"`, ...
    pub format: String,
    pub root: ScannedGroup,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScannedGroup {
    /// Name within the parent (`""` for the root).
    pub name: String,
    pub attrs: Vec<(String, Json)>,
    /// Dimensions defined in this group, in definition order.
    pub dims: Vec<(String, u64)>,
    pub variables: Vec<ScannedVariable>,
    pub groups: Vec<ScannedGroup>,
    /// Members the scanner found but could not represent (a variable with an unsupported
    /// dtype, filter or corrupt chunk index; an attribute it cannot decode), each with the
    /// tagged reason. The rest of the file is still scanned. Names are the variable's name,
    /// `name@attribute` for a variable's attribute, `@attribute` for the group's own.
    pub skipped: Vec<SkippedItem>,
}

impl ScannedGroup {
    /// The group at `path` (`a/b`, relative to this one) as a root of its own (name `""`),
    /// or `NotFound` naming every group the file has, so the user can pick one.
    pub fn into_subgroup(self, path: &str, file_kind: &str) -> Result<ScannedGroup> {
        let wanted = path.trim_matches('/');
        let all = self.group_paths();
        let mut g = self;
        for part in wanted.split('/') {
            match g.groups.iter().position(|s| s.name == part) {
                Some(i) => g = g.groups.swap_remove(i),
                None => {
                    return Err(Error::not_found(format!(
                        "no group {:?} in the {} file; groups: {}",
                        wanted,
                        file_kind,
                        if all.is_empty() {
                            "none".to_string()
                        } else {
                            all.join(", ")
                        }
                    )))
                }
            }
        }
        g.name = String::new();
        Ok(g)
    }

    /// Paths of every group below this one (`a`, `a/b`, ...), depth first.
    pub fn group_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in &self.groups {
            out.push(sub.name.clone());
            out.extend(
                sub.group_paths()
                    .into_iter()
                    .map(|p| format!("{}/{}", sub.name, p)),
            );
        }
        out
    }
}

/// Something a scanner left out of its result, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedItem {
    pub name: String,
    pub error: Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScannedVariable {
    pub name: String,
    /// One name per axis (`phony_dim_N` when the file names none).
    pub dims: Vec<String>,
    pub shape: Vec<u64>,
    /// Chunk shape; for an unchunked (contiguous) variable it equals `shape`.
    pub chunks: Vec<u64>,
    /// NumPy-style dtype of the *stored* bytes, with byte order: `<f4`, `>i2`, `|u1`,
    /// `|b1`, `|S8`. Zarr v3 `data_type` is derived from it in one place (TypeScript).
    pub dtype: String,
    /// Zarr v3 codecs in order: array→array, exactly one array→bytes (`bytes` with
    /// `endian`, or a format codec such as `grib`), then bytes→bytes.
    pub codecs: Vec<Json>,
    /// Zarr v3 form (`"NaN"`, integers, ...); `Json::Null` when the file defines none.
    pub fill_value: Json,
    pub attrs: Vec<(String, Json)>,
    /// Where each chunk lives. `None` for variables whose values are given in `values`.
    pub manifest: Option<ChunkManifest>,
    /// Values decoded during the scan (variable-length strings, which have no byte
    /// range a Zarr reader could decode). JSON array in C order.
    pub values: Option<Json>,
    /// Values the session loaded after the scan (`ScanOptions::load`); the manifest is
    /// dropped then.
    pub loaded: Option<LoadedValues>,
}

impl ScannedFile {
    /// Metadata as JSON, with each manifest replaced by its position in `manifests()` order
    /// (`"manifest": 3`). Bindings register the manifests and pass the handles alongside.
    pub fn to_json(&self) -> Json {
        let mut counter = Numbering::default();
        Json::object(vec![
            ("format", Json::from(self.format.as_str())),
            ("root", group_json(&self.root, &mut counter)),
        ])
    }

    /// The loaded values, concatenated in the order `to_json` gave them offsets.
    pub fn take_loaded(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        take_group_loaded(&mut self.root, &mut out);
        out
    }

    /// Moves the manifests out, in the order `to_json` numbered them (depth-first: a
    /// group's variables, then its subgroups).
    pub fn take_manifests(&mut self) -> Vec<ChunkManifest> {
        let mut out = Vec::new();
        take_group_manifests(&mut self.root, &mut out);
        out
    }
}

fn attrs_json(attrs: &[(String, Json)]) -> Json {
    Json::Object(attrs.to_vec())
}

/// Running numbers while writing the JSON: manifests by position, loaded values by offset.
#[derive(Default)]
struct Numbering {
    manifests: usize,
    loaded_bytes: usize,
}

fn group_json(g: &ScannedGroup, counter: &mut Numbering) -> Json {
    let variables = g
        .variables
        .iter()
        .map(|v| (v.name.clone(), variable_json(v, counter)))
        .collect();
    let groups = g
        .groups
        .iter()
        .map(|sub| (sub.name.clone(), group_json(sub, counter)))
        .collect();
    Json::object(vec![
        ("attrs", attrs_json(&g.attrs)),
        (
            "dims",
            Json::Object(
                g.dims
                    .iter()
                    .map(|(n, l)| (n.clone(), Json::UInt(*l)))
                    .collect(),
            ),
        ),
        ("variables", Json::Object(variables)),
        ("groups", Json::Object(groups)),
        (
            "skipped",
            Json::Object(
                g.skipped
                    .iter()
                    .map(|s| (s.name.clone(), error_json(&s.error)))
                    .collect(),
            ),
        ),
    ])
}

fn error_json(e: &Error) -> Json {
    let mut fields = vec![
        ("kind", Json::from(e.kind.as_str())),
        ("message", Json::from(e.message.as_str())),
    ];
    if let Some(o) = e.offset {
        fields.push(("offset", Json::UInt(o)));
    }
    Json::object(fields)
}

fn u64s(v: &[u64]) -> Json {
    Json::Array(v.iter().map(|&x| Json::UInt(x)).collect())
}

fn variable_json(v: &ScannedVariable, counter: &mut Numbering) -> Json {
    let mut fields = vec![
        (
            "dims",
            Json::Array(v.dims.iter().map(|d| Json::from(d.as_str())).collect()),
        ),
        ("shape", u64s(&v.shape)),
        ("chunks", u64s(&v.chunks)),
        ("dtype", Json::from(v.dtype.as_str())),
        ("codecs", Json::Array(v.codecs.clone())),
        ("fill_value", v.fill_value.clone()),
        ("attrs", attrs_json(&v.attrs)),
    ];
    if v.manifest.is_some() {
        fields.push(("manifest", Json::UInt(counter.manifests as u64)));
        counter.manifests += 1;
    }
    if let Some(values) = &v.values {
        fields.push(("values", values.clone()));
    }
    if let Some(loaded) = &v.loaded {
        let n = loaded.bytes.len();
        fields.push((
            "loaded",
            Json::object(vec![
                ("dtype", Json::from(loaded.dtype.as_str())),
                ("offset", Json::UInt(counter.loaded_bytes as u64)),
                ("length", Json::UInt(n as u64)),
            ]),
        ));
        counter.loaded_bytes += n;
    }
    Json::object(fields)
}

fn take_group_loaded(g: &mut ScannedGroup, out: &mut Vec<u8>) {
    for v in &mut g.variables {
        if let Some(loaded) = v.loaded.take() {
            out.extend_from_slice(&loaded.bytes);
        }
    }
    for sub in &mut g.groups {
        take_group_loaded(sub, out);
    }
}

fn take_group_manifests(g: &mut ScannedGroup, out: &mut Vec<ChunkManifest>) {
    for v in &mut g.variables {
        if let Some(m) = v.manifest.take() {
            out.push(m);
        }
    }
    for sub in &mut g.groups {
        take_group_manifests(sub, out);
    }
}

/// The group at `path` (like `forecast/member_01`) as the root; the whole tree for `""`.
/// `what` names the file kind in the error ("TIFF file"), which lists the groups there are.
pub(crate) fn select_group(g: ScannedGroup, path: &str, what: &str) -> Result<ScannedGroup> {
    let path = path.trim_matches('/');
    if path.is_empty() {
        return Ok(g);
    }
    g.into_subgroup(path, what.trim_end_matches(" file"))
}

/// Leaves out the variables named in `drop` (full paths below `prefix`, or bare names).
pub(crate) fn drop_variables(g: &mut ScannedGroup, drop: &[String], prefix: &str) {
    g.variables.retain(|v| {
        let path = format!("{}{}", prefix, v.name);
        !drop
            .iter()
            .any(|d| d.trim_start_matches('/') == path || *d == v.name)
    });
    for sub in &mut g.groups {
        let p = format!("{}{}/", prefix, sub.name);
        drop_variables(sub, drop, &p);
    }
}

/// Which scanner to use; `Auto` decides from the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Auto,
    Hdf5,
    NetCdf3,
    Grib,
    Tiff,
    Hdf4,
    Fits,
    Dmrpp,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        match name {
            "" | "auto" => Ok(Format::Auto),
            "hdf5" | "netcdf4" | "nc4" | "h5" => Ok(Format::Hdf5),
            "netcdf3" | "nc3" => Ok(Format::NetCdf3),
            "grib" | "grib1" | "grib2" => Ok(Format::Grib),
            "tiff" | "geotiff" | "cog" | "tif" => Ok(Format::Tiff),
            "hdf4" | "hdf" | "h4" => Ok(Format::Hdf4),
            "fits" | "fit" | "fts" => Ok(Format::Fits),
            "dmrpp" | "dmr++" => Ok(Format::Dmrpp),
            other => Err(Error::invalid(format!(
                "unknown format {:?} (expected auto, hdf5, netcdf3, grib, tiff, hdf4, fits or dmrpp)",
                other
            ))),
        }
    }
}

/// Options every scanner understands.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Only this group (path like `forecast/member_01`) and below; empty = everything.
    pub group: String,
    /// Variables (full paths or bare names) to leave out.
    pub drop_variables: Vec<String>,
    /// Variables to load once the scan is done (see `load.rs`).
    pub load: LoadSpec,
}

/// The object a binding holds while a scan runs: bytes fed so far plus the scanner.
pub struct ScanSession {
    url: String,
    format: Format,
    options: ScanOptions,
    cache: ByteCache,
    scanner: Option<Box<dyn FormatScanner>>,
    /// The scanner's result while its chosen variables are being loaded.
    loading: Option<(ScannedFile, LoadPlan)>,
    result: Option<ScannedFile>,
    done: bool,
}

/// How many leading bytes `Format::Auto` needs to decide (HDF5 may also start at 512,
/// 1024, ..., which is checked when these bytes match nothing).
const SNIFF_BYTES: u64 = 8;

impl ScanSession {
    pub fn new(url: &str, file_size: u64, format: Format, options: ScanOptions) -> ScanSession {
        ScanSession {
            url: url.to_string(),
            format,
            options,
            cache: ByteCache::new(file_size),
            scanner: None,
            loading: None,
            result: None,
            done: false,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn feed(&mut self, offset: u64, bytes: Vec<u8>) {
        self.cache.insert(offset, bytes);
    }

    /// Advances the scan; returns the ranges to feed next, or an empty list when done.
    pub fn advance(&mut self) -> Result<Vec<ByteRange>> {
        if self.done {
            return Ok(Vec::new());
        }
        if self.scanner.is_none() {
            let url = self.url.clone();
            match self.create_scanner().map_err(|e| e.with_file(url))? {
                Ok(s) => self.scanner = Some(s),
                Err(needs) => return Ok(needs),
            }
        }
        let url = self.url.clone();
        if self.loading.is_none() {
            let scanner = self.scanner.as_mut().expect("scanner was just created");
            let needs = scanner
                .advance(&self.cache)
                .map_err(|e| e.with_file(url.clone()))?;
            if !needs.is_empty() {
                return Ok(needs);
            }
            let scanner = self.scanner.take().expect("the scanner is still held");
            let file = scanner.finish().map_err(|e| e.with_file(url.clone()))?;
            let plan = LoadPlan::new(&file, &self.options.load, &url);
            self.loading = Some((file, plan));
        }
        let (file, plan) = self.loading.as_mut().expect("loading was just set");
        let needs = plan.needs(file, &self.cache);
        if !needs.is_empty() {
            return Ok(crate::sansio::normalize_needs(needs));
        }
        let (mut file, plan) = self.loading.take().expect("loading is set");
        plan.apply(&mut file, &self.cache);
        self.result = Some(file);
        self.done = true;
        Ok(Vec::new())
    }

    /// The scanner, or the ranges `Format::Auto` still needs to decide the format.
    fn create_scanner(
        &mut self,
    ) -> Result<std::result::Result<Box<dyn FormatScanner>, Vec<ByteRange>>> {
        let format = match self.format {
            Format::Auto => match self.sniff()? {
                Ok(f) => f,
                Err(needs) => return Ok(Err(needs)),
            },
            f => f,
        };
        crate::formats::create_scanner(format, &self.url, self.cache.file_size(), &self.options)
            .map(Ok)
    }

    /// Detects the format from the first bytes; when they match nothing, looks for an HDF5
    /// signature behind a user block (offsets 512, 1024, ...), asking for all of them at once.
    fn sniff(&self) -> Result<std::result::Result<Format, Vec<ByteRange>>> {
        let size = self.cache.file_size();
        if size < 4 {
            return Err(Error::corrupt(format!(
                "the file is {} bytes long, too short for any supported format",
                size
            ))
            .with_file(self.url.clone()));
        }
        let n = SNIFF_BYTES.min(size);
        let head = match self.cache.read(0, n) {
            Ok(b) => b,
            Err(_) => return Ok(Err(vec![ByteRange::new(0, n)])),
        };
        let first_error = match crate::formats::detect(head) {
            Ok(f) => return Ok(Ok(f)),
            Err(e) => e.with_file(self.url.clone()),
        };
        let mut missing = Vec::new();
        for range in crate::formats::alternative_signature_ranges(size) {
            match self.cache.read(range.offset, range.length) {
                Ok(bytes) if missing.is_empty() && bytes == crate::hdf5::SIGNATURE => {
                    return Ok(Ok(Format::Hdf5))
                }
                Ok(_) => {}
                Err(_) => missing.push(range),
            }
        }
        if missing.is_empty() {
            Err(first_error)
        } else {
            Ok(Err(missing))
        }
    }

    /// The scan's result; an error if the scan is not complete.
    pub fn finish(&mut self) -> Result<ScannedFile> {
        if !self.done {
            return Err(Error::invalid(
                "the scan has not finished: feed the requested bytes first",
            )
            .with_file(self.url.clone()));
        }
        self.result
            .take()
            .ok_or_else(|| Error::invalid("the scan result was already taken"))
    }

    /// Bytes currently held by the session's cache.
    pub fn held_bytes(&self) -> usize {
        self.cache.held()
    }
}
