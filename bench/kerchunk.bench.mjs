// kerchunk reference benchmarks (issue #5): write and read a 10-million-chunk dataset as
// kerchunk JSON and Parquet, and look chunks up lazily in the Parquet set. Targets: JSON
// write >= 1M refs/s, Parquet write >= 2M refs/s, JSON read of 10M keys in seconds.
// Run after the build:   node bench/kerchunk.bench.mjs     (VZARR_BENCH_SCALE=0.1 for a quick run)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { currentBackend } from "../dist/backend/load.js";
import { VirtualDataset } from "../dist/dataset/virtual-dataset.js";
import { VirtualVariable } from "../dist/dataset/virtual-variable.js";
import { LocalDirectory } from "../dist/formats/kerchunk/local-directory.js";
import { KerchunkParquetChunkLookup } from "../dist/formats/kerchunk/parquet-chunk-lookup.js";
import { readKerchunkJson } from "../dist/formats/kerchunk/read-json.js";
import { openKerchunkParquet } from "../dist/formats/kerchunk/read-parquet.js";
import { MemoryDirectory } from "../dist/formats/kerchunk/reference-directory.js";
import { kerchunkJsonPieces } from "../dist/formats/kerchunk/write-json.js";
import { writeKerchunkParquet } from "../dist/formats/kerchunk/write-parquet.js";
import { writeTextPieces } from "../dist/io/write-text.js";
import { ChunkManifest } from "../dist/manifest/chunk-manifest.js";
import { ManifestArray } from "../dist/manifest/manifest-array.js";

const scale = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const core = currentBackend();
// time x level x tile: 10M chunks in 1000 files of 10,000 chunks each
const grid = [Math.max(1, Math.round(1000 * scale)), 100, 100];
const n = grid[0] * grid[1] * grid[2];
const FILES = 1000;

function dataset() {
  const ids = new Uint32Array(n);
  const offsets = new BigUint64Array(n);
  const lengths = new BigUint64Array(n);
  const perFile = Math.ceil(n / FILES);
  for (let i = 0; i < n; i++) {
    ids[i] = Math.floor(i / perFile);
    offsets[i] = BigInt(4096 + (i % perFile) * 70_000);
    lengths[i] = BigInt(60_000 + (i % 9973));
  }
  const table = Array.from({ length: FILES }, (_, k) => `s3://era5-archive/pressure-levels/1979/file-${String(k).padStart(4, "0")}.nc`);
  const manifest = ChunkManifest.fromArrays({ shape: grid, paths: { table, ids }, offsets, lengths }, core);
  const metadata = {
    shape: grid.map((g) => g * 10),
    chunkGrid: { kind: "regular", chunkShape: [10, 10, 10] },
    dtype: "<f4",
    codecs: [
      { name: "bytes", configuration: { endian: "little" } },
      { name: "numcodecs.zlib", configuration: { level: 4 } },
    ],
    fillValue: "NaN",
  };
  const v = new VirtualVariable(["time", "level", "tile"], new ManifestArray(metadata, manifest), { units: "K" });
  return new VirtualDataset({ variables: [["t", v]] });
}

async function timed(label, f) {
  globalThis.gc?.();
  const start = performance.now();
  const result = await f();
  const seconds = (performance.now() - start) / 1000;
  results.push({ label, seconds, rate: n / seconds });
  console.log(`${label}: ${seconds.toFixed(2)} s, ${(n / seconds / 1e6).toFixed(2)} M refs/s`);
  return result;
}

const results = [];
const dir = mkdtempSync(join(os.tmpdir(), "vzarr-bench-kerchunk-"));
try {
  const ds = dataset();
  const jsonPath = join(dir, "refs.json");
  await timed(`JSON write (${n.toLocaleString()} refs, ${core.kind})`, () => writeTextPieces(jsonPath, kerchunkJsonPieces(ds)));
  const jsonBytes = statSync(jsonPath).size;
  const bytes = readFileSync(jsonPath);
  const back = await timed("JSON read", () => readKerchunkJson(bytes, { core }));
  back.free();
  const memory = new MemoryDirectory("memory://bench/");
  const counting = {
    bytes: 0,
    async write(path, bytes) {
      memory.files.set(path, bytes);
      counting.bytes += bytes.length;
    },
  };
  await timed("Parquet write (in memory, record size 10,000)", () => writeKerchunkParquet(ds, counting));
  const parquetDir = join(dir, "refs.parq");
  await timed("Parquet write (to disk)", () => writeKerchunkParquet(ds, new LocalDirectory(parquetDir)));
  const full = await timed("Parquet read, full manifest", () => openKerchunkParquet(memory, { core }));
  full.free();
  const lookup = await KerchunkParquetChunkLookup.open(memory);
  const start = performance.now();
  const coords = Array.from({ length: 1000 }, (_, i) => [(i * 7919) % grid[0], (i * 31) % 100, (i * 17) % 100]);
  await lookup.lookup("t", coords);
  const lookupMs = performance.now() - start;
  console.log(`lazy lookup of 1000 scattered chunks: ${lookupMs.toFixed(0)} ms, ${lookup.recordsRead} record files read`);
  ds.free();

  const date = new Date().toISOString().slice(0, 10);
  mkdirSync("bench/results", { recursive: true });
  const lines = [
    `# kerchunk references, ${n.toLocaleString()} chunks (${date})`,
    "",
    `${os.cpus()[0]?.model ?? "cpu"} x ${os.cpus().length}, node ${process.version}, ${core.kind} backend, load average ${os.loadavg()[0].toFixed(1)} at the end`,
    `JSON ${(jsonBytes / 1e6).toFixed(0)} MB, Parquet ${(counting.bytes / 1e6).toFixed(0)} MB`,
    "",
    "| step | seconds | M refs/s |",
    "|---|---|---|",
    ...results.map((r) => `| ${r.label} | ${r.seconds.toFixed(2)} | ${(r.rate / 1e6).toFixed(2)} |`),
    `| lazy lookup, 1000 chunks (${lookup.recordsRead} record files) | ${(lookupMs / 1000).toFixed(3)} | |`,
  ];
  writeFileSync(`bench/results/kerchunk-${date}.md`, `${lines.join("\n")}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
