/**
 * The Core over the WebAssembly module (`crates/vzarr-wasm`, raw C ABI). Each call copies
 * its arguments into wasm memory in one buffer, runs the export, and copies the result out.
 * No Node built-ins here: this file is part of the browser bundle.
 */
import { errorFromCoreJson, makeError } from "../errors/vzarr-error.js";
import type { Core, Handle } from "./core.js";
import { ArgWriter, ResultReader } from "./wire.js";

type Export = (ptr: number, len: number) => number;

interface WasmExports {
  memory: WebAssembly.Memory;
  vz_alloc(len: number): number;
  vz_free(ptr: number, len: number): void;
  vz_result_ptr(): number;
  vz_result_len(): number;
  vz_scan_feed(handle: number, offset: number, ptr: number, len: number): number;
  [name: `vz_${string}`]: Export | ((...args: number[]) => unknown) | WebAssembly.Memory;
}

const decoder = new TextDecoder();

export async function compileWasm(bytes: BufferSource): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes);
}

export function createWasmCore(module: WebAssembly.Module): Core {
  const instance = new WebAssembly.Instance(module, {});
  const ex = instance.exports as unknown as WasmExports;

  /** Runs an export; a trap becomes an Internal error, a failure status the core's error. */
  function invoke(name: string, run: () => number, cleanup?: () => void): ResultReader {
    let status: number;
    try {
      status = run();
    } catch (e) {
      // A trap means a bug in the core; say so instead of surfacing "unreachable".
      throw makeError("Internal", `the wasm core trapped in ${name}: ${(e as Error).message}`, { cause: e });
    } finally {
      cleanup?.();
    }
    const out = new Uint8Array(ex.memory.buffer, ex.vz_result_ptr() >>> 0, ex.vz_result_len() >>> 0).slice();
    if (status !== 0) throw errorFromCoreJson(decoder.decode(out));
    return new ResultReader(out);
  }

  /** Copies `bytes` into a fresh wasm allocation; the caller frees it or hands it over. */
  function copyIn(bytes: Uint8Array | readonly Uint8Array[], size: number): number {
    const ptr = ex.vz_alloc(size) >>> 0;
    // Take the view after allocating: allocation may grow (and detach) memory.
    const mem = new Uint8Array(ex.memory.buffer, ptr, size);
    if (bytes instanceof Uint8Array) {
      mem.set(bytes);
    } else {
      let at = 0;
      for (const part of bytes) {
        mem.set(part, at);
        at += part.byteLength;
      }
    }
    return ptr;
  }

  function call(name: string, write?: (w: ArgWriter) => void): ResultReader {
    const w = new ArgWriter();
    write?.(w);
    const fn = ex[`vz_${name}`] as Export | undefined;
    if (typeof fn !== "function") throw makeError("Internal", `the wasm module has no export vz_${name}`);
    const ptr = w.size > 0 ? copyIn(w.parts, w.size) : 0;
    return invoke(name, () => fn(ptr, w.size), w.size > 0 ? () => ex.vz_free(ptr, w.size) : undefined);
  }

  /**
   * A scan is fed thousands of ranges: they go straight into a buffer the core takes over
   * (scalar arguments, no argument buffer to encode, copy and free).
   */
  function scanFeed(h: Handle, offset: number, bytes: Uint8Array): void {
    const ptr = copyIn(bytes, bytes.byteLength);
    invoke("scan_feed", () => ex.vz_scan_feed(h, offset, ptr, bytes.byteLength));
  }

  function scanFeedInto(h: Handle, offset: number, length: number, fill: (dest: Uint8Array) => void): void {
    const ptr = ex.vz_alloc(length) >>> 0;
    try {
      fill(new Uint8Array(ex.memory.buffer, ptr, length));
    } catch (e) {
      ex.vz_free(ptr, length);
      throw e;
    }
    invoke("scan_feed", () => ex.vz_scan_feed(h, offset, ptr, length));
  }

  const handle = (name: string, write: (w: ArgWriter) => void): Handle => call(name, write).u32();

  return {
    kind: "wasm",
    version: () => call("version").string(),
    manifestFromColumns: (shape, table, ids, offsets, lengths) =>
      handle("manifest_from_columns", (w) => w.column(shape).strings(table).column(ids).column(offsets).column(lengths)),
    manifestEmpty: (shape) => handle("manifest_empty", (w) => w.column(shape)),
    manifestFree: (h) => void call("manifest_free", (w) => w.u32(h)),
    manifestLiveCount: () => call("manifest_live_count").u32(),
    manifestShape: (h) => Array.from(call("manifest_shape", (w) => w.u32(h)).f64s()),
    manifestEntry: (h, index) => {
      const r = call("manifest_entry", (w) => w.u32(h).f64(index));
      return { kind: r.u32(), path: r.string(), offset: r.f64(), length: r.f64(), data: r.bytes() };
    },
    manifestColumns: (h) => {
      const r = call("manifest_columns", (w) => w.u32(h));
      return { table: r.strings(), ids: r.u32s(), offsets: r.u64s(), lengths: r.u64s() };
    },
    manifestInlined: (h) => {
      const r = call("manifest_inlined", (w) => w.u32(h));
      return { indices: r.f64s(), data: r.bytes(), lengths: r.u32s() };
    },
    manifestSetInlined: (h, index, bytes) => void call("manifest_set_inlined", (w) => w.u32(h).f64(index).bytes(bytes)),
    manifestConcat: (hs, axis) => handle("manifest_concat", (w) => w.column(hs).u32(axis)),
    manifestStack: (hs, axis) => handle("manifest_stack", (w) => w.column(hs).u32(axis)),
    manifestBroadcast: (h, shape) => handle("manifest_broadcast", (w) => w.u32(h).column(shape)),
    manifestSlice: (h, starts, stops) => handle("manifest_slice", (w) => w.u32(h).column(starts).column(stops)),
    manifestMapPaths: (h, table) => handle("manifest_map_paths", (w) => w.u32(h).strings(table)),
    manifestEquals: (a, b) => call("manifest_equals", (w) => w.u32(a).u32(b)).u32() === 1,
    manifestStats: (h) => Array.from(call("manifest_stats", (w) => w.u32(h)).f64s()),
    scanOpen: (url, size, format, options) => handle("scan_open", (w) => w.string(url).f64(size).string(format).string(options)),
    scanAdvance: (h) => call("scan_advance", (w) => w.u32(h)).f64s(),
    scanAdvanceReads: (h) => call("scan_advance_reads", (w) => w.u32(h)).f64s(),
    scanFeed,
    scanFeedInto,
    scanFinish: (h) => {
      const r = call("scan_finish", (w) => w.u32(h));
      return { json: r.string(), manifests: r.u32s(), loaded: r.bytes() };
    },
    scanFree: (h) => void call("scan_free", (w) => w.u32(h)),
    codecDecode: (codec, input, dtype, shape) =>
      call("codec_decode", (w) => w.string(codec).bytes(input).string(dtype).column(shape)).rest(),
    codecSupported: () => call("codec_supported").strings(),
    gribJpeg2000Codestream: (m) => call("grib_jpeg2000_codestream", (w) => w.bytes(m)).f64s(),
    gribDecodeSamples: (m, s, dtype, shape) => call("grib_decode_samples", (w) => w.bytes(m).column(s).string(dtype).column(shape)).rest(),
  } satisfies Core;
}
