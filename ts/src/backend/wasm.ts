/**
 * The Core over the WebAssembly module (`crates/vzarr-wasm`, raw C ABI). Exports are looked
 * up once; each call writes its arguments in place into a buffer the glue keeps in wasm
 * memory, runs the export, and reads the result where the module left it, copying out only
 * what the caller keeps (`wire.ts`). No Node built-ins here: this file is part of the
 * browser bundle.
 */
import { errorFromCoreJson, makeError } from "../errors/vzarr-error.js";
import type { Core, Handle } from "./core.js";
import { ArgWriter, columnSize, MemoryViews, ResultReader, stringBound, trapError, type WireExports } from "./wire.js";

/** An export over an argument buffer: `vz_<name>(args_ptr, args_len) -> status`. */
type Export = (ptr: number, len: number) => number;

interface WasmExports extends WireExports {
  /** The address of the last call's `[result ptr, result len]` (two u32). */
  vz_result_at(): number;
  vz_scan_feed(handle: number, offset: number, ptr: number, len: number): number;
}

/** The exports of the form `vz_<name>(ptr, len)`, resolved when the instance is created. */
const CALLS = [
  "version",
  "manifest_from_columns",
  "manifest_empty",
  "manifest_free",
  "manifest_live_count",
  "manifest_shape",
  "manifest_entry",
  "manifest_columns",
  "manifest_paths",
  "manifest_inlined",
  "manifest_set_inlined",
  "manifest_concat",
  "manifest_stack",
  "manifest_broadcast",
  "manifest_slice",
  "manifest_map_paths",
  "manifest_equals",
  "manifest_stats",
  "scan_open",
  "scan_advance",
  "scan_advance_reads",
  "scan_finish",
  "scan_free",
  "codec_decode",
  "codec_supported",
  "grib_jpeg2000_codestream",
  "grib_decode_samples",
] as const;
type CallName = (typeof CALLS)[number];

interface Call {
  readonly name: CallName;
  readonly f: Export;
}

const decoder = new TextDecoder();

export async function compileWasm(bytes: BufferSource): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes);
}

function exportOf<T>(exports: WebAssembly.Exports, name: string): T {
  const value = exports[name];
  if (typeof value !== "function") throw makeError("Internal", `the wasm module has no export ${name}`);
  return value as T;
}

export function createWasmCore(module: WebAssembly.Module): Core {
  const exports = new WebAssembly.Instance(module, {}).exports;
  if (!(exports.memory instanceof WebAssembly.Memory)) throw makeError("Internal", "the wasm module exports no memory");
  const ex: WasmExports = {
    memory: exports.memory,
    vz_alloc: exportOf(exports, "vz_alloc"),
    vz_free: exportOf(exports, "vz_free"),
    vz_result_at: exportOf(exports, "vz_result_at"),
    vz_scan_feed: exportOf(exports, "vz_scan_feed"),
  };
  // With its name for trap messages (one wasm function may be exported under several).
  const fn = {} as Record<CallName, Call>;
  for (const name of CALLS) fn[name] = { name, f: exportOf<Export>(exports, `vz_${name}`) };

  const mem = new MemoryViews(ex.memory);
  const args = new ArgWriter(ex, mem);
  const result = new ResultReader(mem);
  const resultAt = ex.vz_result_at() >>> 0;

  /** The status of the call just made: the result for 0, else the core's error thrown. */
  function finish(status: number): ResultReader {
    mem.refresh();
    const ptr = mem.dv.getUint32(resultAt, true);
    const len = mem.dv.getUint32(resultAt + 4, true);
    if (status !== 0) throw errorFromCoreJson(decoder.decode(mem.u8.subarray(ptr, ptr + len)));
    return result.reset(ptr, len);
  }

  /**
   * Runs an export over the arguments written since `args.begin()`, or over none; a trap
   * becomes an Internal error. The result is valid until the next call.
   */
  function run(call: Call, withArgs?: ArgWriter): ResultReader {
    let status: number;
    try {
      status = withArgs === undefined ? call.f(0, 0) : call.f(withArgs.ptr, withArgs.size);
    } catch (e) {
      throw trapError(call.name, e);
    } finally {
      withArgs?.release();
    }
    return finish(status);
  }

  /** A wasm allocation of `len` bytes (views refreshed). */
  function alloc(len: number): number {
    let ptr: number;
    try {
      ptr = ex.vz_alloc(len) >>> 0;
    } catch (e) {
      throw trapError("vz_alloc", e);
    }
    mem.refresh();
    return ptr;
  }

  /** Hands `ptr..ptr+len` (from `alloc`, filled) to the scan. */
  function feed(h: Handle, offset: number, ptr: number, len: number): void {
    let status: number;
    try {
      status = ex.vz_scan_feed(h, offset, ptr, len);
    } catch (e) {
      throw trapError("scan_feed", e);
    }
    if (status !== 0) finish(status);
  }

  /**
   * A scan is fed thousands of ranges: each goes straight into a buffer the core takes over
   * (scalar arguments, no argument buffer).
   */
  function scanFeed(h: Handle, offset: number, bytes: Uint8Array): void {
    const len = bytes.byteLength;
    const ptr = alloc(len);
    mem.u8.set(bytes, ptr);
    feed(h, offset, ptr, len);
  }

  function scanFeedInto(h: Handle, offset: number, length: number, fill: (dest: Uint8Array) => void): void {
    const ptr = alloc(length);
    try {
      fill(mem.u8.subarray(ptr, ptr + length));
    } catch (e) {
      ex.vz_free(ptr, length);
      throw e;
    }
    feed(h, offset, ptr, length);
  }

  const handleOf = (call: Call, a: ArgWriter): Handle => run(call, a).u32();

  return {
    kind: "wasm",
    version: () => run(fn.version).string(),
    manifestFromColumns: (shape, table, ids, offsets, lengths) => {
      const tableSize = table.reduce((n, s) => n + stringBound(s), 4);
      const size = columnSize(shape) + tableSize + columnSize(ids) + columnSize(offsets) + columnSize(lengths);
      return handleOf(fn.manifest_from_columns, args.begin(size).column(shape).strings(table).column(ids).column(offsets).column(lengths));
    },
    manifestEmpty: (shape) => handleOf(fn.manifest_empty, args.begin().column(shape)),
    manifestFree: (h) => void run(fn.manifest_free, args.begin().u32(h)),
    manifestLiveCount: () => run(fn.manifest_live_count).u32(),
    manifestShape: (h) => run(fn.manifest_shape, args.begin().u32(h)).numbers(),
    manifestEntry: (h, index) => {
      const r = run(fn.manifest_entry, args.begin().u32(h).f64(index));
      return { kind: r.u32(), path: r.string(), offset: r.f64(), length: r.f64(), data: r.bytes() };
    },
    manifestColumns: (h) => {
      const r = run(fn.manifest_columns, args.begin().u32(h));
      return { table: r.strings(), ids: r.u32s(), offsets: r.u64s(), lengths: r.u64s() };
    },
    manifestPaths: (h) => run(fn.manifest_paths, args.begin().u32(h)).strings(),
    manifestInlined: (h) => {
      const r = run(fn.manifest_inlined, args.begin().u32(h));
      return { indices: r.f64s(), data: r.bytes(), lengths: r.u32s() };
    },
    manifestSetInlined: (h, index, bytes) => {
      run(
        fn.manifest_set_inlined,
        args
          .begin(16 + bytes.byteLength)
          .u32(h)
          .f64(index)
          .bytes(bytes),
      );
    },
    manifestConcat: (hs, axis) => handleOf(fn.manifest_concat, args.begin().column(hs).u32(axis)),
    manifestStack: (hs, axis) => handleOf(fn.manifest_stack, args.begin().column(hs).u32(axis)),
    manifestBroadcast: (h, shape) => handleOf(fn.manifest_broadcast, args.begin().u32(h).column(shape)),
    manifestSlice: (h, starts, stops) => handleOf(fn.manifest_slice, args.begin().u32(h).column(starts).column(stops)),
    manifestMapPaths: (h, table) => handleOf(fn.manifest_map_paths, args.begin().u32(h).strings(table)),
    manifestEquals: (a, b) => run(fn.manifest_equals, args.begin().u32(a).u32(b)).u32() === 1,
    manifestStats: (h) => run(fn.manifest_stats, args.begin().u32(h)).numbers(),
    scanOpen: (url, size, format, options) => handleOf(fn.scan_open, args.begin().string(url).f64(size).string(format).string(options)),
    scanAdvance: (h) => run(fn.scan_advance, args.begin().u32(h)).f64s(),
    scanAdvanceReads: (h) => run(fn.scan_advance_reads, args.begin().u32(h)).f64s(),
    scanFeed,
    scanFeedInto,
    scanFinish: (h) => {
      const r = run(fn.scan_finish, args.begin().u32(h));
      return { json: r.string(), manifests: r.u32s(), loaded: r.bytes() };
    },
    scanFree: (h) => void run(fn.scan_free, args.begin().u32(h)),
    codecDecode: (codec, input, dtype, shape) => {
      const size = stringBound(codec) + 4 + input.byteLength + stringBound(dtype) + columnSize(shape);
      return run(fn.codec_decode, args.begin(size).string(codec).bytes(input).string(dtype).column(shape)).rest();
    },
    codecSupported: () => run(fn.codec_supported).strings(),
    gribJpeg2000Codestream: (m) => run(fn.grib_jpeg2000_codestream, args.begin(4 + m.byteLength).bytes(m)).f64s(),
    gribDecodeSamples: (m, s, dtype, shape) => {
      const size = 4 + m.byteLength + columnSize(s) + stringBound(dtype) + columnSize(shape);
      return run(fn.grib_decode_samples, args.begin(size).bytes(m).column(s).string(dtype).column(shape)).rest();
    },
  } satisfies Core;
}
