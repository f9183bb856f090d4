// The wasm backend's call glue, before/after: two checkouts' built wasm Core (each
// checkout's own dist/backend/wasm.js over its own dist/wasm/vzarr.wasm) in one Node process.
//
//   node --expose-gc bench/wasm-glue.bench.mjs BEFORE_ROOT AFTER_ROOT
//
// In-process part: interleaved rounds (each round runs both checkouts, in alternating order),
// median and p90 over the rounds after the first (the first, cold, is shown apart): tiny
// calls (version, manifestLiveCount), manifestEntry, codecSupported, 10,000 scanFeed calls of
// 64-512 B, a 1M-chunk manifest's columns in (manifestFromColumns) and out (manifestColumns),
// and codecDecode of the 4 MiB HDF5 LZ4 chunk. Whole-file opens: openVirtualDataset of the
// million-chunk netCDF-4 and v2 B-tree files with the wasm backend, each in a fresh process
// (the checkouts alternate), timing the first call and the median of the repeats.
//
// Data: $VZARR_BENCH_DATA, else bench/data/scale-1 of AFTER_ROOT, else of BEFORE_ROOT
// (`npm run bench:compare` or bench/make_data.py makes it).
// Environment: VZARR_BENCH_ROUNDS (31), VZARR_BENCH_OPENS (fresh processes per checkout and
// file, 9), VZARR_BENCH_REPEATS (repeat opens per process, 5).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === "--open") {
  // Child: one fresh process, one checkout, one file.
  const [root, file, repeats] = process.argv.slice(3);
  const vzarr = await import(join(root, "dist", "index.js"));
  await vzarr.loadBackend("wasm");
  const open = () => vzarr.openVirtualDataset(file, { loadableVariables: [] });
  let t = performance.now();
  const first = await open();
  const firstMs = performance.now() - t;
  first.free();
  const again = [];
  for (let i = 0; i < Number(repeats); i++) {
    t = performance.now();
    const ds = await open();
    again.push(performance.now() - t);
    ds.free();
  }
  process.stdout.write(`${JSON.stringify({ first: firstMs, repeat: median(again) })}\n`);
  process.exit(0);
}

function median(xs) {
  return percentile(xs, 0.5);
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
}

const roots = process.argv.slice(2, 4).map((r) => resolve(r));
if (roots.length !== 2) throw new Error("usage: node --expose-gc bench/wasm-glue.bench.mjs BEFORE_ROOT AFTER_ROOT");
const ROUNDS = Number(process.env.VZARR_BENCH_ROUNDS ?? 31);
const OPENS = Number(process.env.VZARR_BENCH_OPENS ?? 9);
const REPEATS = Number(process.env.VZARR_BENCH_REPEATS ?? 5);
const DATA = [process.env.VZARR_BENCH_DATA ?? "", ...roots.map((r) => join(r, "bench", "data", "scale-1")).reverse()].find(
  (d) => d !== "" && existsSync(join(d, "codec-chunks")),
);
if (DATA === undefined)
  throw new Error("no bench/data/scale-1 in either checkout: run bench/make_data.py --scale 1 (or set VZARR_BENCH_DATA)");
const gc = globalThis.gc ?? (() => {});
if (globalThis.gc === undefined) process.stderr.write("(run with --expose-gc for steadier figures)\n");

const cores = await Promise.all(
  roots.map(async (root) => {
    const { createWasmCore } = await import(join(root, "dist", "backend", "wasm.js"));
    return createWasmCore(new WebAssembly.Module(readFileSync(join(root, "dist", "wasm", "vzarr.wasm"))));
  }),
);

// ---- inputs ---------------------------------------------------------------------------------
const N = 1 << 20;
const table = ["s3://bucket/some/file.h5", "s3://bucket/other.h5"];
const ids = new Uint32Array(N).map((_, i) => i & 1);
const offsets = new BigUint64Array(N).map((_, i) => BigInt(i) * 4096n);
const lengths = new BigUint64Array(N).fill(4096n);
const shape = new Float64Array([1024, 1024]);

let seed = 1;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const FEEDS = 10_000;
const pool = new Uint8Array(1 << 20).map(() => (rnd() * 256) | 0);
const slices = [];
for (let i = 0, off = 0; i < FEEDS; i++) {
  const len = 64 + ((rnd() * 449) | 0); // 64..512
  const at = (rnd() * (pool.length - 512)) | 0;
  slices.push([off, pool.subarray(at, at + len)]);
  off += len + 1000;
}

const codec = JSON.stringify({ name: "vzarr.hdf5_lz4", configuration: {} });
const compressed = new Uint8Array(readFileSync(join(DATA, "codec-chunks", "lz4_shuffle_f4.raw")));
const chunkShape = new Float64Array([1048576]);

// ---- the same answers from both -------------------------------------------------------------
const small = cores.map((core) =>
  core.manifestFromColumns(new Float64Array([1000]), table, ids.subarray(0, 1000), offsets.subarray(0, 1000), lengths.subarray(0, 1000)),
);
{
  const answers = cores.map((core, k) => {
    const m = core.manifestFromColumns(shape, table, ids, offsets, lengths);
    const cols = core.manifestColumns(m);
    core.manifestFree(m);
    let error;
    try {
      core.manifestFree(123456);
    } catch (e) {
      error = `${e.constructor.name}: ${e.message}`;
    }
    return {
      version: core.version(),
      entry: core.manifestEntry(small[k], 7),
      supported: core.codecSupported(),
      columns: [cols.table, Buffer.from(cols.ids.buffer), Buffer.from(cols.offsets.buffer), Buffer.from(cols.lengths.buffer)],
      decoded: Buffer.from(core.codecDecode(codec, compressed, "<f4", chunkShape)),
      error,
    };
  });
  const [a, b] = answers;
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  if (!same({ ...a, columns: 0, decoded: 0 }, { ...b, columns: 0, decoded: 0 })) throw new Error("the checkouts answer differently");
  if (!a.columns.every((c, i) => (Buffer.isBuffer(c) ? c.equals(b.columns[i]) : same(c, b.columns[i])))) throw new Error("columns differ");
  if (!a.decoded.equals(b.decoded) || a.decoded.length !== 4 << 20) throw new Error("decoded chunks differ");
  if (a.columns[1].length !== 4 * N || a.entry.path !== table[1]) throw new Error("wrong answers");
}

// ---- in-process rounds ----------------------------------------------------------------------
const MEASURES = [
  ["version", "ns/call"],
  ["manifestLiveCount", "ns/call"],
  ["manifestEntry", "ns/call"],
  ["codecSupported", "ns/call"],
  ["scanFeed × 10,000 (64–512 B)", "ms"],
  ["manifestFromColumns, 1M chunks", "ms"],
  ["manifestColumns, 1M chunks", "ms"],
  ["codecDecode, HDF5 LZ4 4 MiB", "ms"],
];
const samples = new Map(); // `${measure}|${k}` -> number[]
const put = (what, k, v) => {
  const key = `${what}|${k}`;
  if (!samples.has(key)) samples.set(key, []);
  samples.get(key).push(v);
};
const time = (f) => {
  gc();
  const t = performance.now();
  f();
  return performance.now() - t;
};
const perCall = (n, f) =>
  (time(() => {
    for (let i = 0; i < n; i++) f(i);
  }) *
    1e6) /
  n;

function round(k) {
  const core = cores[k];
  put(
    "version",
    k,
    perCall(10_000, () => core.version()),
  );
  put(
    "manifestLiveCount",
    k,
    perCall(10_000, () => core.manifestLiveCount()),
  );
  put(
    "manifestEntry",
    k,
    perCall(10_000, (i) => core.manifestEntry(small[k], i % 1000)),
  );
  put(
    "codecSupported",
    k,
    perCall(1000, () => core.codecSupported()),
  );
  const s = core.scanOpen("file.h5", 1e9, "hdf5", "");
  put(
    "scanFeed × 10,000 (64–512 B)",
    k,
    time(() => {
      for (const [o, b] of slices) core.scanFeed(s, o, b);
    }),
  );
  core.scanFree(s);
  let m;
  put(
    "manifestFromColumns, 1M chunks",
    k,
    time(() => {
      m = core.manifestFromColumns(shape, table, ids, offsets, lengths);
    }),
  );
  put(
    "manifestColumns, 1M chunks",
    k,
    time(() => core.manifestColumns(m)),
  );
  core.manifestFree(m);
  put(
    "codecDecode, HDF5 LZ4 4 MiB",
    k,
    time(() => core.codecDecode(codec, compressed, "<f4", chunkShape)),
  );
}

for (let r = 0; r < ROUNDS; r++) {
  for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) round(k);
  process.stderr.write(`\rround ${r + 1}/${ROUNDS}`);
}
process.stderr.write("\n");

// ---- whole-file opens, fresh processes -------------------------------------------------------
const FILES = ["nc4_1m_chunks.nc", "h5_bt2_1m_chunks.h5"].filter((f) => existsSync(join(DATA, f)));
const opens = new Map(); // `${file}|${k}` -> [{first, repeat}]
for (const file of FILES) {
  for (let i = 0; i < OPENS; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const out = execFileSync(process.execPath, [SELF, "--open", roots[k], join(DATA, file), String(REPEATS)], { encoding: "utf8" });
      const key = `${file}|${k}`;
      if (!opens.has(key)) opens.set(key, []);
      opens.get(key).push(JSON.parse(out.trim().split("\n").pop()));
      process.stderr.write(`\r${file}: ${i + 1}/${OPENS}`);
    }
  }
  process.stderr.write("\n");
}

// ---- report ---------------------------------------------------------------------------------
const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const cell = (xs) => `${f(median(xs))} / ${f(percentile(xs, 0.9))}`;
const rows = [];
for (const [what, unit] of MEASURES) {
  const [b, a] = [0, 1].map((k) => samples.get(`${what}|${k}`));
  const [bw, aw] = [b.slice(1), a.slice(1)];
  rows.push(`| ${what} (${unit}) | ${cell(bw)} | ${cell(aw)} | ${(median(bw) / median(aw)).toFixed(1)}× | ${f(b[0])} → ${f(a[0])} |`);
}
for (const file of FILES) {
  for (const which of ["first", "repeat"]) {
    const [b, a] = [0, 1].map((k) => opens.get(`${file}|${k}`).map((o) => o[which]));
    const label = which === "first" ? "first call, fresh process" : `repeat (median of ${REPEATS})`;
    rows.push(`| open ${file}, ${label} (ms) | ${cell(b)} | ${cell(a)} | ${(median(b) / median(a)).toFixed(2)}× | |`);
  }
}
console.log(
  [
    `wasm call glue: before ${roots[0]}, after ${roots[1]}; ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}`,
    `${ROUNDS} interleaved rounds (median / p90 of rounds 2..${ROUNDS}; the cold first round apart); opens: ${OPENS} fresh processes per checkout and file`,
    "",
    "| measure | before med / p90 | after med / p90 | speed-up | first round |",
    "|---|---:|---:|---:|---:|",
    ...rows,
  ].join("\n"),
);
