//! WebAssembly module with a raw C ABI: each export reads its arguments from one buffer,
//! calls `vzarr_core::api`, and leaves its result (or the tagged error JSON) in a result
//! buffer that the TypeScript glue reads in place. See `wire.rs` for the byte layout and
//! docs/ARCHITECTURE.md for why this is not wasm-bindgen.

#[cfg(target_arch = "wasm32")]
mod growth;
mod wire;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: growth::GeometricGrowth = growth::GeometricGrowth::new();

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use vzarr_core::{api, Result};
use wire::{Reader, Writer};

/// The last call's result and the values it refers to; valid until the next call.
static RESULT: Mutex<Writer> = Mutex::new(Writer::EMPTY);

/// Where the last call's result is, `[ptr, len]`, at an address the glue asks for once
/// (`vz_result_at`): reading two words of memory costs less than calling two more exports
/// after every call.
static RESULT_AT: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Status codes returned by every export.
const OK: i32 = 0;
const FAILED: i32 = 1;

fn finish(outcome: Result<Writer>) -> i32 {
    let mut result = RESULT.lock().unwrap_or_else(|p| p.into_inner());
    let status = match outcome {
        Ok(w) => {
            *result = w;
            OK
        }
        Err(e) => {
            *result = Writer::raw(e.to_json().into_bytes());
            FAILED
        }
    };
    RESULT_AT[0].store(result.buf.as_ptr() as usize, Ordering::Relaxed);
    RESULT_AT[1].store(result.buf.len(), Ordering::Relaxed);
    status
}

/// Runs `f` over the argument buffer at `ptr..ptr+len` (a `vz_alloc` buffer the glue owns,
/// reuses across calls, and frees).
fn call(ptr: *const u8, len: usize, f: impl FnOnce(&mut Reader) -> Result<Writer>) -> i32 {
    let args: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: the glue allocated `len` bytes at `ptr` with `vz_alloc` and filled them.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    };
    finish(f(&mut Reader::new(args)))
}

fn one_u32(v: u32) -> Writer {
    let mut w = Writer::default();
    w.u32(v);
    w
}

fn nothing(_: ()) -> Writer {
    Writer::default()
}

#[no_mangle]
pub extern "C" fn vz_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// # Safety
/// `ptr` must come from `vz_alloc(len)` and not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn vz_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

/// The address of `[result ptr, result len]` (two `usize`), updated by every call.
#[no_mangle]
pub extern "C" fn vz_result_at() -> *const usize {
    RESULT_AT.as_ptr().cast()
}

#[no_mangle]
pub extern "C" fn vz_version(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |_| {
        let mut w = Writer::default();
        w.string(&api::version());
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_from_columns(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let shape = r.f64s()?;
        let table = r.strings()?;
        let ids = r.u32s()?;
        let offsets = r.u64s()?;
        let lengths = r.u64s()?;
        api::manifest_from_columns(&shape, table, ids, offsets, lengths).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_empty(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| api::manifest_empty(&r.f64s()?).map(one_u32))
}

#[no_mangle]
pub extern "C" fn vz_manifest_free(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| api::manifest_free(r.u32()?).map(nothing))
}

#[no_mangle]
pub extern "C" fn vz_manifest_live_count(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |_| Ok(one_u32(api::manifest_live_count() as u32)))
}

#[no_mangle]
pub extern "C" fn vz_manifest_shape(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let shape = api::manifest_shape(r.u32()?)?;
        let mut w = Writer::default();
        w.column(shape);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_entry(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let (kind, path, offset, length, data) = api::manifest_entry(r.u32()?, r.f64()?)?;
        let mut w = Writer::default();
        w.u32(kind)
            .string(&path)
            .f64(offset as f64)
            .f64(length as f64)
            .bytes(data);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_paths(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let table = api::manifest_paths(r.u32()?)?;
        let mut w = Writer::default();
        w.strings(&table);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_columns(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let (table, ids, offsets, lengths) = api::manifest_columns(r.u32()?)?;
        let mut w = Writer::default();
        w.strings(&table)
            .column(ids)
            .column(offsets)
            .column(lengths);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_inlined(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let (indices, data, lengths) = api::manifest_inlined(r.u32()?)?;
        let mut w = Writer::default();
        w.column(indices).bytes(data).column(lengths);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_set_inlined(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handle = r.u32()?;
        let index = r.f64()?;
        let bytes = r.bytes()?.to_vec();
        api::manifest_set_inlined(handle, index, bytes).map(nothing)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_concat(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handles = r.u32s()?;
        api::manifest_concat(&handles, r.u32()?).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_stack(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handles = r.u32s()?;
        api::manifest_stack(&handles, r.u32()?).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_broadcast(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handle = r.u32()?;
        api::manifest_broadcast(handle, &r.f64s()?).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_slice(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handle = r.u32()?;
        let starts = r.f64s()?;
        let stops = r.f64s()?;
        api::manifest_slice(handle, &starts, &stops).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_map_paths(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let handle = r.u32()?;
        api::manifest_map_paths(handle, r.strings()?).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_equals(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let a = r.u32()?;
        let b = r.u32()?;
        api::manifest_equals(a, b).map(|eq| one_u32(eq as u32))
    })
}

#[no_mangle]
pub extern "C" fn vz_manifest_stats(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let stats = api::manifest_stats(r.u32()?)?;
        let mut w = Writer::default();
        w.column(stats);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_scan_open(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let url = r.string()?;
        let size = r.f64()?;
        let format = r.string()?;
        let options = r.string()?;
        api::scan_open(&url, size, &format, &options).map(one_u32)
    })
}

#[no_mangle]
pub extern "C" fn vz_scan_advance(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let needs = api::scan_advance(r.u32()?)?;
        let mut w = Writer::default();
        w.column(needs);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_scan_advance_reads(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let reads = api::scan_advance_reads(r.u32()?)?;
        let mut w = Writer::default();
        w.column(reads);
        Ok(w)
    })
}

/// Feeds the bytes the glue wrote into a buffer from `vz_alloc(len)`, which the scan takes
/// over. Scalar arguments and no argument buffer: a scan is fed every byte it needs, often
/// in thousands of small ranges, and the general path would copy each range twice more.
///
/// # Safety
/// `ptr` must come from `vz_alloc(len)`, be filled, and not be used or freed afterwards.
#[no_mangle]
pub unsafe extern "C" fn vz_scan_feed(handle: u32, offset: f64, ptr: *mut u8, len: usize) -> i32 {
    // The capacity is what vz_alloc reserved.
    let bytes = Vec::from_raw_parts(ptr, len, len.max(1));
    finish(api::scan_feed(handle, offset, bytes).map(nothing))
}

#[no_mangle]
pub extern "C" fn vz_scan_finish(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let out = api::scan_finish(r.u32()?)?;
        let mut w = Writer::default();
        w.string(&out.json).column(out.manifests).bytes(out.loaded);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_scan_free(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| api::scan_free(r.u32()?).map(nothing))
}

#[no_mangle]
pub extern "C" fn vz_codec_decode(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let codec = r.string()?;
        let input = r.bytes()?;
        let dtype = r.string()?;
        let shape = r.f64s()?;
        let out = api::codec_decode(&codec, input, &dtype, &shape)?;
        Ok(Writer::raw(out))
    })
}

#[no_mangle]
pub extern "C" fn vz_grib_jpeg2000_codestream(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let parts = api::grib_jpeg2000_codestream(r.bytes()?)?;
        let mut w = Writer::default();
        w.column(parts);
        Ok(w)
    })
}

#[no_mangle]
pub extern "C" fn vz_grib_decode_samples(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |r| {
        let message = r.bytes()?;
        let samples = r.u32s()?;
        let dtype = r.string()?;
        let shape = r.f64s()?;
        let out = api::grib_decode_samples(message, &samples, &dtype, &shape)?;
        Ok(Writer::raw(out))
    })
}

#[no_mangle]
pub extern "C" fn vz_codec_supported(ptr: *const u8, len: usize) -> i32 {
    call(ptr, len, |_| {
        let mut w = Writer::default();
        w.strings(&api::codec_supported());
        Ok(w)
    })
}
