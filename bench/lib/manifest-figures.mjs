// Manifest figures (issue #2): building a 10-million-chunk manifest, concatenating 10,000
// manifests of 1,000 chunks, on the native and the wasm backend, beside a memcpy baseline
// (Buffer.concat of the same column bytes), all in one run. Used by manifest.bench.mjs and
// by the side-by-side comparison (bench/compare).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Bench } from "tinybench";
import { nativeAddonPath, wasmModulePath } from "../../dist/backend/artifacts.js";
import { createNativeCore } from "../../dist/backend/native.js";
import { createWasmCore } from "../../dist/backend/wasm.js";
import { ChunkManifest } from "../../dist/index.js";

const PART_CHUNKS = 1_000;

function columns(n, fileCount, seed) {
  const ids = new Uint32Array(n);
  const offsets = new BigUint64Array(n);
  const lengths = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = (i * 7 + seed) % fileCount;
    offsets[i] = BigInt(4096 + i * 65536);
    lengths[i] = 65536n;
  }
  const table = Array.from({ length: fileCount }, (_, k) => `s3://era5-archive/pressure-levels/${seed}/file-${k}.nc`);
  return { table, ids, offsets, lengths };
}

/**
 * @param {number} scale
 * @returns {Promise<{ big: number; parts: number; partChunks: number;
 *   rows: { task: string; median_ms: number; min_ms: number; max_ms: number }[];
 *   bytesPerChunk: Record<string, number>; ratios: Record<string, number> }>}
 */
export async function measureManifestFigures(scale) {
  const BIG = Math.round(10_000_000 * scale);
  const PARTS = Math.round(10_000 * scale);
  const require = createRequire(import.meta.url);
  const cores = [createNativeCore(require(nativeAddonPath())), createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath())))];

  const big = columns(BIG, 1000, 0);
  const parts = Array.from({ length: PARTS }, (_, k) => columns(PART_CHUNKS, 1, k));
  const partBytes = parts.flatMap((p) => [Buffer.from(p.ids.buffer), Buffer.from(p.offsets.buffer), Buffer.from(p.lengths.buffer)]);

  const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
  /** @type {Record<string, number>} */
  const bytesPerChunk = {};
  for (const core of cores) {
    const bigManifest = ChunkManifest.fromArrays(
      { shape: [BIG], paths: { table: big.table, ids: big.ids }, offsets: big.offsets, lengths: big.lengths },
      core,
    );
    bytesPerChunk[core.kind] = bigManifest.nbytes / BIG;
    bigManifest.free();
    bench.add(`${core.kind}: build a ${BIG.toLocaleString()}-chunk manifest`, () => {
      ChunkManifest.fromArrays(
        { shape: [BIG], paths: { table: big.table, ids: big.ids }, offsets: big.offsets, lengths: big.lengths },
        core,
      ).free();
    });
    const manifests = parts.map((p) =>
      ChunkManifest.fromArrays(
        { shape: [PART_CHUNKS], paths: { table: p.table, ids: p.ids }, offsets: p.offsets, lengths: p.lengths },
        core,
      ),
    );
    bench.add(`${core.kind}: concat ${PARTS.toLocaleString()} manifests of ${PART_CHUNKS} chunks`, () => {
      ChunkManifest.concat(manifests, 0).free();
    });
  }
  bench.add(`memcpy baseline: Buffer.concat of the same ${(PARTS * PART_CHUNKS).toLocaleString()} chunks' columns`, () => {
    Buffer.concat(partBytes);
  });

  // Buffer.concat allocates fresh pages every time; a copy into a reused buffer is the
  // honest lower bound, so both are reported.
  const warmTarget = new Uint8Array(partBytes.reduce((n, b) => n + b.length, 0));
  bench.add("memcpy into a reused buffer (warm pages)", () => {
    let at = 0;
    for (const b of partBytes) {
      warmTarget.set(b, at);
      at += b.length;
    }
  });

  await bench.run();
  const rows = bench.tasks.map((t) => ({
    task: t.name,
    median_ms: t.result.latency.p50,
    min_ms: t.result.latency.min,
    max_ms: t.result.latency.max,
  }));
  const get = (prefix) => rows.find((r) => r.task.startsWith(prefix))?.median_ms ?? NaN;
  const memcpy = get("memcpy baseline");
  const warm = get("memcpy into");
  const ratios = {
    "native concat / memcpy": get("native: concat") / memcpy,
    "wasm concat / memcpy": get("wasm: concat") / memcpy,
    "native concat / warm memcpy": get("native: concat") / warm,
    "wasm concat / warm memcpy": get("wasm: concat") / warm,
    "wasm / native (build)": get("wasm: build") / get("native: build"),
    "wasm / native (concat)": get("wasm: concat") / get("native: concat"),
  };
  return { big: BIG, parts: PARTS, partChunks: PART_CHUNKS, rows, bytesPerChunk, ratios };
}
