import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { wasmModulePath } from "../ts/src/backend/artifacts.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { bothBackends } from "./helpers/backend.js";

interface Exports {
  memory: WebAssembly.Memory;
  vz_alloc(len: number): number;
  vz_free(ptr: number, len: number): void;
}

/**
 * The wasm module grows its linear memory geometrically (crates/vzarr-wasm/src/growth.rs):
 * each growth makes V8 collect garbage, and dlmalloc alone grows once per allocation that
 * does not fit — hundreds of times in a million-chunk scan.
 */
describe("wasm linear memory", () => {
  const instance = () => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmModulePath())), {}).exports as unknown as Exports;

  it("grows a few times, not once per allocation, while allocations pile up", () => {
    const ex = instance();
    const sizes = new Set([ex.memory.buffer.byteLength]);
    const blocks: number[] = [];
    for (let i = 0; i < 1000; i++) {
      blocks.push(ex.vz_alloc(100_000) >>> 0); // 100 MB in all, none freed
      sizes.add(ex.memory.buffer.byteLength);
    }
    expect(new Set(blocks).size).toBe(1000);
    expect(ex.memory.buffer.byteLength).toBeGreaterThanOrEqual(100_000_000);
    // Doubling from ~1 MiB to ≥ 100 MB takes ~8 growths (twice that counting the
    // reservations); growing by what each allocation lacks would take ~1000.
    expect(sizes.size).toBeLessThan(25);
    // The reserved room is usable: blocks do not overlap.
    const sorted = [...blocks].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(100_000);
    for (const b of blocks) ex.vz_free(b, 100_000);
  });

  it("serves a freed reservation again without growing", () => {
    const ex = instance();
    const a = ex.vz_alloc(20_000_000) >>> 0;
    ex.vz_free(a, 20_000_000);
    const size = ex.memory.buffer.byteLength;
    const b = ex.vz_alloc(20_000_000) >>> 0;
    expect(ex.memory.buffer.byteLength).toBe(size);
    ex.vz_free(b, 20_000_000);
  });

  it("leaves manifests built on top of it intact (a million chunks, both backends equal)", () => {
    const n = 1_000_000;
    const [native, wasm] = bothBackends();
    const ids = new Uint32Array(n).map((_, i) => i % 3);
    const offsets = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 4099n);
    const lengths = BigUint64Array.from({ length: n }, (_, i) => BigInt(1 + (i % 977)));
    const table = ["a.nc", "b.nc", "c.nc"];
    const [m1, m2] = [native, wasm].map((core) =>
      ChunkManifest.fromArrays({ shape: [1000, 1000], paths: { table, ids }, offsets, lengths }, core),
    );
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const [c1, c2] = [m1?.columns(), m2?.columns()];
    if (c1 === undefined || c2 === undefined) throw new Error("no columns");
    expect(Buffer.compare(bytes(c2.ids), bytes(ids))).toBe(0);
    expect(Buffer.compare(bytes(c2.offsets), bytes(c1.offsets))).toBe(0);
    expect(Buffer.compare(bytes(c2.lengths), bytes(c1.lengths))).toBe(0);
    expect(c2.table).toEqual(c1.table);
    m1?.free();
    m2?.free();
  });
});
