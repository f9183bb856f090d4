//! Node-API addon: each export converts JavaScript values, calls `vzarr_core::api`, and
//! converts back. Errors become JavaScript errors whose message is the core's tagged JSON
//! behind a `vzarr:` marker, which the TypeScript backend turns into error classes.

use napi::bindgen_prelude::{AsyncTask, BigUint64Array, Float64Array, Uint32Array, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use vzarr_core::api;

// Manifests are large, short-lived column allocations; glibc returns them to the OS each
// time (mmap threshold) and pays page faults on every rebuild. mimalloc keeps them warm.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    fn mi_option_set_default(option: std::os::raw::c_int, value: std::os::raw::c_long);
    fn mi_option_get(option: std::os::raw::c_int) -> std::os::raw::c_long;
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (v2 and v3 alike: retired options
/// keep their slots, so the indices stay put).
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// How long freed memory stays with mimalloc before it goes back to the OS (milliseconds).
/// Its default, 10 ms, hands back a decoded chunk's pages between one chunk and the next of
/// a large read (a GRIB field is 8 MB of float64), and purging costs system calls: on the
/// 2-vCPU VM of bench/compare, a process on one of its CPUs decoded GRIB 15× slower for it.
/// A second keeps memory warm through a read and still returns it when idle.
const PURGE_DELAY_MS: std::os::raw::c_long = 1000;

/// `mi_option_allow_thp` in mimalloc v3's `mi_option_t` (libmimalloc-sys builds v3 unless
/// its `v2` feature is on; in v2 it is 37). The test reads it back through the environment
/// variable, which proves the index.
const MI_OPTION_ALLOW_THP: std::os::raw::c_int = 43;

#[napi_derive::module_init]
fn tune_allocator() {
    // An explicit MIMALLOC_ALLOW_THP (1 keeps huge pages) is left to mimalloc, which reads it.
    let thp_from_env = std::env::var_os("MIMALLOC_ALLOW_THP").is_some();
    // SAFETY: sets options of the mimalloc linked into this library by their index;
    // `_default` leaves MIMALLOC_PURGE_DELAY from the environment in force.
    unsafe {
        mi_option_set_default(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        // No transparent huge pages: on kernels in THP `madvise` mode, a fresh huge page is
        // zeroed (and, when memory is fragmented, compacted) in the faulting call, so the same
        // 200 × 10,000-chunk concat took 4 ms in one process and 77–140 ms in the next, and a
        // 4 MiB chunk decode 10 ms instead of 3. With small pages the cost is steady
        // (docs/benchmarks.md, "Native allocations").
        if !thp_from_env {
            mi_option_set_default(MI_OPTION_ALLOW_THP, 0);
        }
    }
    // mimalloc disables THP for the process (prctl) only at its own start, before this
    // option is set; do it here as it would with MIMALLOC_ALLOW_THP=0 (an explicit
    // MIMALLOC_ALLOW_THP=1 keeps huge pages).
    #[cfg(target_os = "linux")]
    if std::env::var("MIMALLOC_ALLOW_THP").map_or(true, |v| v.trim() == "0") {
        extern "C" {
            fn prctl(option: std::os::raw::c_int, ...) -> std::os::raw::c_int;
        }
        const PR_SET_THP_DISABLE: std::os::raw::c_int = 41;
        // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) only changes this process's THP
        // policy; a failure (old kernels) leaves it as it was.
        unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::os::raw::c_ulong,
                0 as std::os::raw::c_ulong,
                0 as std::os::raw::c_ulong,
                0 as std::os::raw::c_ulong,
            );
        }
    }
}

/// Whether mimalloc may use transparent huge pages (0 by default), for tests.
#[napi]
#[allow(clippy::useless_conversion)]
pub fn allocator_allow_thp() -> i64 {
    // SAFETY: reads an option of the linked mimalloc by its index.
    i64::from(unsafe { mi_option_get(MI_OPTION_ALLOW_THP) })
}

/// mimalloc's purge delay in force (milliseconds), so tests can see the setting took.
#[napi]
#[allow(clippy::useless_conversion)] // c_long is 32 bits on Windows
pub fn allocator_purge_delay_ms() -> i64 {
    // SAFETY: reads an option of the linked mimalloc by its index.
    i64::from(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) })
}

fn js(e: vzarr_core::Error) -> napi::Error {
    napi::Error::from_reason(format!("vzarr:{}", e.to_json()))
}

// Exports must spell their return type `Result<..>`: napi-derive recognises fallible
// functions by that name, and an alias would make errors come back as values.
use napi::Result;

#[napi]
pub fn version() -> String {
    api::version()
}

#[napi]
pub fn manifest_from_columns(
    shape: Float64Array,
    table: Vec<String>,
    ids: Uint32Array,
    offsets: BigUint64Array,
    lengths: BigUint64Array,
) -> Result<u32> {
    api::manifest_from_columns(
        &shape,
        table,
        ids.to_vec(),
        offsets.to_vec(),
        lengths.to_vec(),
    )
    .map_err(js)
}

#[napi]
pub fn manifest_empty(shape: Float64Array) -> Result<u32> {
    api::manifest_empty(&shape).map_err(js)
}

#[napi]
pub fn manifest_free(handle: u32) -> Result<()> {
    api::manifest_free(handle).map_err(js)
}

#[napi]
pub fn manifest_live_count() -> u32 {
    api::manifest_live_count() as u32
}

#[napi]
pub fn manifest_shape(handle: u32) -> Result<Vec<f64>> {
    api::manifest_shape(handle).map_err(js)
}

#[napi(object)]
pub struct EntryParts {
    pub kind: u32,
    pub path: String,
    pub offset: f64,
    pub length: f64,
    pub data: Uint8Array,
}

#[napi]
pub fn manifest_entry(handle: u32, index: f64) -> Result<EntryParts> {
    let (kind, path, offset, length, data) = api::manifest_entry(handle, index).map_err(js)?;
    Ok(EntryParts {
        kind,
        path,
        offset: offset as f64,
        length: length as f64,
        data: data.into(),
    })
}

#[napi(object)]
pub struct Columns {
    pub table: Vec<String>,
    pub ids: Uint32Array,
    pub offsets: BigUint64Array,
    pub lengths: BigUint64Array,
}

#[napi]
pub fn manifest_paths(handle: u32) -> Result<Vec<String>> {
    api::manifest_paths(handle).map_err(js)
}

#[napi]
pub fn manifest_columns(handle: u32) -> Result<Columns> {
    let (table, ids, offsets, lengths) = api::manifest_columns(handle).map_err(js)?;
    Ok(Columns {
        table,
        ids: ids.into(),
        offsets: offsets.into(),
        lengths: lengths.into(),
    })
}

#[napi(object)]
pub struct Inlined {
    pub indices: Float64Array,
    pub data: Uint8Array,
    pub lengths: Uint32Array,
}

#[napi]
pub fn manifest_inlined(handle: u32) -> Result<Inlined> {
    let (indices, data, lengths) = api::manifest_inlined(handle).map_err(js)?;
    Ok(Inlined {
        indices: indices.into(),
        data: data.into(),
        lengths: lengths.into(),
    })
}

#[napi]
pub fn manifest_set_inlined(handle: u32, index: f64, bytes: Uint8Array) -> Result<()> {
    api::manifest_set_inlined(handle, index, bytes.to_vec()).map_err(js)
}

#[napi]
pub fn manifest_concat(handles: Uint32Array, axis: u32) -> Result<u32> {
    api::manifest_concat(&handles, axis).map_err(js)
}

#[napi]
pub fn manifest_stack(handles: Uint32Array, axis: u32) -> Result<u32> {
    api::manifest_stack(&handles, axis).map_err(js)
}

#[napi]
pub fn manifest_broadcast(handle: u32, shape: Float64Array) -> Result<u32> {
    api::manifest_broadcast(handle, &shape).map_err(js)
}

#[napi]
pub fn manifest_slice(handle: u32, starts: Float64Array, stops: Float64Array) -> Result<u32> {
    api::manifest_slice(handle, &starts, &stops).map_err(js)
}

#[napi]
pub fn manifest_map_paths(handle: u32, table: Vec<String>) -> Result<u32> {
    api::manifest_map_paths(handle, table).map_err(js)
}

#[napi]
pub fn manifest_equals(a: u32, b: u32) -> Result<bool> {
    api::manifest_equals(a, b).map_err(js)
}

#[napi]
pub fn manifest_stats(handle: u32) -> Result<Vec<f64>> {
    api::manifest_stats(handle).map_err(js)
}

#[napi]
pub fn scan_open(url: String, file_size: f64, format: String, options_json: String) -> Result<u32> {
    api::scan_open(&url, file_size, &format, &options_json).map_err(js)
}

#[napi]
pub fn scan_advance(handle: u32) -> Result<Float64Array> {
    api::scan_advance(handle).map(Into::into).map_err(js)
}

#[napi]
pub fn scan_feed(handle: u32, offset: f64, bytes: Uint8Array) -> Result<()> {
    api::scan_feed(handle, offset, bytes.to_vec()).map_err(js)
}

#[napi(object)]
pub struct ScanResult {
    pub json: String,
    pub manifests: Uint32Array,
    pub loaded: Uint8Array,
}

#[napi]
pub fn scan_finish(handle: u32) -> Result<ScanResult> {
    let out = api::scan_finish(handle).map_err(js)?;
    Ok(ScanResult {
        json: out.json,
        manifests: out.manifests.into(),
        loaded: out.loaded.into(),
    })
}

/// A local file scanned on a libuv thread: the sans-IO loop of `parsers/scan.ts` with the
/// reads done here (`pread`), so a scan costs the JavaScript thread nothing until its result.
pub struct ScanLocalFile {
    path: String,
    url: String,
    format: String,
    options_json: String,
}

/// A local scan's result, with the file's identity as `fs.statSync` would give it.
#[napi(object)]
pub struct LocalScanResult {
    pub json: String,
    pub manifests: Uint32Array,
    pub loaded: Uint8Array,
    pub size: f64,
    pub mtime_ms: f64,
}

pub struct LocalScanOutput {
    out: api::ScanOutput,
    size: u64,
    mtime_ms: f64,
}

impl Task for ScanLocalFile {
    type Output = LocalScanOutput;
    type JsValue = LocalScanResult;

    fn compute(&mut self) -> Result<LocalScanOutput> {
        let io = |what: &str, e: std::io::Error| {
            js(vzarr_core::Error::new(
                vzarr_core::ErrorKind::Io,
                format!("cannot {} {}: {}", what, self.path, e),
            )
            .with_file(self.url.clone()))
        };
        let file = std::fs::File::open(&self.path).map_err(|e| io("open", e))?;
        let meta = file.metadata().map_err(|e| io("stat", e))?;
        if !meta.is_file() {
            return Err(io("scan", std::io::Error::other("not a regular file")));
        }
        let mtime_ms = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        let out = api::scan_with_reader(
            &self.url,
            meta.len(),
            &self.format,
            &self.options_json,
            |offset, length| {
                let mut buf = vec![0u8; length as usize];
                read_exact_at(&file, &mut buf, offset).map_err(|e| {
                    vzarr_core::Error::new(
                        vzarr_core::ErrorKind::Io,
                        format!("cannot read {} bytes at {}: {}", length, offset, e),
                    )
                    .at_offset(offset)
                })?;
                Ok(buf)
            },
        )
        .map_err(js)?;
        Ok(LocalScanOutput {
            out,
            size: meta.len(),
            mtime_ms,
        })
    }

    fn resolve(&mut self, _env: Env, r: LocalScanOutput) -> Result<LocalScanResult> {
        Ok(LocalScanResult {
            json: r.out.json,
            manifests: r.out.manifests.into(),
            loaded: r.out.loaded.into(),
            size: r.size as f64,
            mtime_ms: r.mtime_ms,
        })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[napi]
pub fn scan_local_file(
    path: String,
    url: String,
    format: String,
    options_json: String,
) -> AsyncTask<ScanLocalFile> {
    AsyncTask::new(ScanLocalFile {
        path,
        url,
        format,
        options_json,
    })
}

#[napi]
pub fn scan_free(handle: u32) -> Result<()> {
    api::scan_free(handle).map_err(js)
}

#[napi]
pub fn codec_decode(
    codec_json: String,
    input: Uint8Array,
    dtype: String,
    chunk_shape: Float64Array,
) -> Result<Uint8Array> {
    api::codec_decode(&codec_json, &input, &dtype, &chunk_shape)
        .map(Into::into)
        .map_err(js)
}

#[napi]
pub fn grib_jpeg2000_codestream(message: Uint8Array) -> Result<Vec<f64>> {
    api::grib_jpeg2000_codestream(&message).map_err(js)
}

#[napi]
pub fn grib_decode_samples(
    message: Uint8Array,
    samples: Uint32Array,
    dtype: String,
    chunk_shape: Float64Array,
) -> Result<Uint8Array> {
    api::grib_decode_samples(&message, &samples, &dtype, &chunk_shape)
        .map(Into::into)
        .map_err(js)
}

#[napi]
pub fn codec_supported() -> Vec<String> {
    api::codec_supported()
}
