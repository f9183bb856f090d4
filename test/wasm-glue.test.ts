import { describe, expect, it } from "vitest";
import { type Core, INLINED_ID, MISSING_ID } from "../ts/src/backend/core.js";
import { createWasmCore } from "../ts/src/backend/wasm.js";
import type { VzarrError } from "../ts/src/errors/vzarr-error.js";
import { bothBackends } from "./helpers/backend.js";

/**
 * The wasm glue (`ts/src/backend/wasm.ts`, `wire.ts`) keeps views over wasm memory between
 * calls, writes arguments into one reused buffer in the module and reads results in place:
 * these check what that could get wrong, against the native addon where there is a result.
 */
describe("wasm call glue", () => {
  const [native, wasm] = bothBackends() as [Core, Core];

  /** Chunk `i` refers to `table[i % table.length]`, except every seventh chunk (missing). */
  const idOf = (i: number, tableLength: number) => (i % 7 === 6 ? MISSING_ID : i % tableLength);
  const columnsOf = (core: Core, table: string[], n: number) => {
    const ids = Uint32Array.from({ length: n }, (_, i) => idOf(i, table.length));
    const offsets = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 65_537n + (1n << 40n));
    const lengths = BigUint64Array.from({ length: n }, (_, i) => BigInt(1 + (i % 1000)));
    return core.manifestFromColumns(new Float64Array([n]), table, ids, offsets, lengths);
  };

  it("writes strings as UTF-8 exactly as TextEncoder does (short, long, non-ASCII, lone surrogates)", () => {
    const table = [
      "a.nc",
      "ä/ö.nc",
      "x".repeat(23) + "é",
      "z".repeat(24),
      "w".repeat(25),
      "y".repeat(200),
      "ü".repeat(300),
      "🌍/data.nc",
      "bad\ud800half",
      "é".repeat(24),
    ];
    const out = [native, wasm].map((core) => {
      const h = columnsOf(core, table, table.length * 14);
      const cols = core.manifestColumns(h);
      const paths = Array.from({ length: table.length }, (_, i) => core.manifestEntry(h, i).path);
      core.manifestFree(h);
      return { table: cols.table, paths };
    });
    expect(out[1]).toEqual(out[0]);
    const decoded = table.map((s) => new TextDecoder().decode(new TextEncoder().encode(s)));
    expect(out[1]?.table).toEqual(decoded);
    expect(out[1]?.paths).toEqual(decoded.map((p, i) => (idOf(i, table.length) === MISSING_ID ? "" : p)));
  });

  it("keeps results that outlive the call intact across later calls and memory growth", () => {
    const h = wasm.manifestEmpty(new Float64Array([4]));
    wasm.manifestSetInlined(h, 1, new Uint8Array([1, 2, 3]));
    const entry = wasm.manifestEntry(h, 1);
    const inlined = wasm.manifestInlined(h);
    const shape = wasm.manifestShape(h);
    // A million chunks grow the module's memory (detaching every view taken before).
    const big = columnsOf(wasm, ["s3://b/1.nc", "s3://b/2.nc"], 1_000_000);
    const cols = wasm.manifestColumns(big);
    wasm.manifestSetInlined(h, 1, new Uint8Array([9, 9, 9, 9]));
    wasm.manifestFree(big);
    const after = columnsOf(wasm, ["other"], 1000);
    expect(entry).toEqual({ kind: 1, path: "", offset: 0, length: 3, data: new Uint8Array([1, 2, 3]) });
    expect(Array.from(inlined.indices)).toEqual([1]);
    expect(Array.from(inlined.data)).toEqual([1, 2, 3]);
    expect(shape).toEqual([4]);
    expect(cols.ids.length).toBe(1_000_000);
    expect(cols.ids[999_998]).toBe(idOf(999_998, 2));
    expect(cols.ids[999_999]).toBe(idOf(999_999, 2));
    expect(cols.offsets[999_999]).toBe(999_999n * 65_537n + (1n << 40n));
    expect(cols.lengths[999_999]).toBe(BigInt(1 + (999_999 % 1000)));
    // And calls after the growth read the new memory.
    expect(wasm.manifestEntry(h, 1).data).toEqual(new Uint8Array([9, 9, 9, 9]));
    expect(wasm.manifestEntry(after, 2)).toEqual({
      kind: 2,
      path: "other",
      offset: 2 * 65_537 + 2 ** 40,
      length: 3,
      data: new Uint8Array(),
    });
    expect(wasm.manifestColumns(h).ids[1]).toBe(INLINED_ID);
    wasm.manifestFree(h);
    wasm.manifestFree(after);
  });

  it("takes arguments larger than its reused buffer, and small ones after them", () => {
    const bytes = new Uint8Array(3 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 255;
    const table = Array.from({ length: 20_000 }, (_, i) => `s3://bucket/a/long/prefix/for/path/number/${i}/data.nc`);
    const out = [native, wasm].map((core) => {
      const h = core.manifestEmpty(new Float64Array([2]));
      core.manifestSetInlined(h, 0, bytes);
      const base = columnsOf(core, table, table.length);
      // No size hint for this one: the buffer grows while the table is written.
      const renamed = core.manifestMapPaths(
        base,
        table.map((p) => p.toUpperCase()),
      );
      const result = {
        inlined: core.manifestInlined(h).data,
        entry: core.manifestEntry(renamed, 19_999),
        stats: core.manifestStats(renamed),
        live: core.manifestLiveCount(),
      };
      for (const m of [h, base, renamed]) core.manifestFree(m);
      return result;
    });
    const [a, b] = out as [(typeof out)[0], (typeof out)[0]];
    expect({ ...b, inlined: undefined }).toEqual({ ...a, inlined: undefined });
    // (Compared as buffers: vitest's deep equality takes seconds over 3 MiB.)
    expect(Buffer.from(a.inlined).equals(bytes)).toBe(true);
    expect(Buffer.from(b.inlined).equals(bytes)).toBe(true);
  });

  it("reports the core's errors from a feed and leaves the next call unaffected", () => {
    const out = [native, wasm].map((core) => {
      const s = core.scanOpen("file.h5", 100, "hdf5", "");
      let error: unknown;
      try {
        core.scanFeed(s + 1000, 0, new Uint8Array(8));
      } catch (e) {
        error = { kind: (e as VzarrError).kind, message: (e as Error).message };
      }
      const needs = Array.from(core.scanAdvance(s));
      core.scanFree(s);
      return { error, needs };
    });
    expect(out[0]?.error).toBeDefined();
    expect(out[1]).toEqual(out[0]);
  });

  it("turns a trap into an Internal error naming the export", () => {
    const core = createWasmCore(new WebAssembly.Module(trappingModule()));
    const kindAndMessage = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return [(err as VzarrError).kind, (err as Error).message];
      }
      return undefined;
    };
    expect(kindAndMessage(() => core.version())).toEqual(["Internal", expect.stringMatching(/trapped in version: .*unreachable/)]);
    expect(kindAndMessage(() => core.manifestEntry(1, 2))).toEqual(["Internal", expect.stringMatching(/trapped in manifest_entry/)]);
    expect(kindAndMessage(() => core.scanFeed(1, 0, new Uint8Array(4)))).toEqual([
      "Internal",
      expect.stringMatching(/trapped in scan_feed/),
    ]);
  });
});

/**
 * A module with the glue's exports in which every call traps (`unreachable`), and an
 * allocator that hands out one fixed address.
 */
function trappingModule(): Uint8Array<ArrayBuffer> {
  const calls = [
    ...["version", "manifest_from_columns", "manifest_empty", "manifest_free", "manifest_live_count", "manifest_shape", "manifest_entry"],
    ...[
      "manifest_columns",
      "manifest_paths",
      "manifest_inlined",
      "manifest_set_inlined",
      "manifest_concat",
      "manifest_stack",
      "manifest_broadcast",
    ],
    ...["manifest_slice", "manifest_map_paths", "manifest_equals", "manifest_stats", "scan_open", "scan_advance", "scan_advance_reads"],
    ...["scan_finish", "scan_free", "codec_decode", "codec_supported", "grib_jpeg2000_codestream", "grib_decode_samples"],
  ];
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      const b = n & 0x7f;
      n >>>= 7;
      out.push(n === 0 ? b : b | 0x80);
    } while (n !== 0);
    return out;
  };
  const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
  const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
  const name = (s: string): number[] => {
    const b = Array.from(new TextEncoder().encode(s));
    return [...leb(b.length), ...b];
  };
  const [I32, F64] = [0x7f, 0x7c];
  const types = [
    [0x60, 2, I32, I32, 1, I32], // 0: vz_<call>(ptr, len) -> status
    [0x60, 1, I32, 1, I32], // 1: vz_alloc(len) -> ptr
    [0x60, 2, I32, I32, 0], // 2: vz_free(ptr, len)
    [0x60, 0, 1, I32], // 3: vz_result_at() -> ptr
    [0x60, 4, I32, F64, I32, I32, 1, I32], // 4: vz_scan_feed(handle, offset, ptr, len) -> status
  ];
  const bodies = [
    [0, 0x00, 0x0b], // unreachable
    [0, 0x41, ...leb(1024), 0x0b], // i32.const 1024
    [0, 0x0b],
    [0, 0x41, 0, 0x0b], // i32.const 0
    [0, 0x00, 0x0b],
  ];
  const exports = [
    [...name("memory"), 2, 0],
    [...name("vz_alloc"), 0, 1],
    [...name("vz_free"), 0, 2],
    [...name("vz_result_at"), 0, 3],
    [...name("vz_scan_feed"), 0, 4],
    ...calls.map((c) => [...name(`vz_${c}`), 0, 0]),
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec(types)),
    ...section(3, vec([[0], [1], [2], [3], [4]])),
    ...section(5, vec([[0, 1]])), // one memory, at least one page
    ...section(7, vec(exports)),
    ...section(10, vec(bodies.map((b) => [...leb(b.length), ...b]))),
  ]);
}
