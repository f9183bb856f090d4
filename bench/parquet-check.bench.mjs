// The cost of checking kerchunk Parquet record files before hyparquet decodes them
// (parquet-record-check.ts): openKerchunkParquet of a 1M-reference set (100 record files) with
// two builds in one process, runs interleaved, medians compared.
//   node bench/parquet-check.bench.mjs /path/to/before/dist [/path/to/after/dist]
const a = process.argv[2];
const b = process.argv[3] ?? new URL("../dist", import.meta.url).pathname;
if (a === undefined) throw new Error("usage: node bench/parquet-check.bench.mjs BEFORE_DIST [AFTER_DIST]");
await import(`${a}/index.js`);
await import(`${b}/index.js`);

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const mods = {};
for (const d of [a, b]) {
  mods[d] = {
    rp: await import(`${d}/formats/kerchunk/read-parquet.js`),
    ld: await import(`${d}/formats/kerchunk/local-directory.js`),
  };
}
// write once with the branch's writer (same format both sides)
const { ChunkManifest } = await import(`${b}/manifest/chunk-manifest.js`);
const { ManifestArray } = await import(`${b}/manifest/manifest-array.js`);
const { VirtualVariable } = await import(`${b}/dataset/virtual-variable.js`);
const { VirtualDataset } = await import(`${b}/dataset/virtual-dataset.js`);
const { writeKerchunkParquet } = await import(`${b}/formats/kerchunk/write-parquet.js`);
const { currentBackend } = await import(`${b}/backend/load.js`);
const core = currentBackend();
const grid = [100, 100, 100],
  n = 1e6,
  FILES = 1000;
const ids = new Uint32Array(n),
  offsets = new BigUint64Array(n),
  lengths = new BigUint64Array(n);
for (let i = 0; i < n; i++) {
  ids[i] = Math.floor(i / (n / FILES));
  offsets[i] = BigInt(i * 1000);
  lengths[i] = 1000n;
}
const table = Array.from({ length: FILES }, (_, k) => `s3://era5-archive/pressure-levels/1979/file-${String(k).padStart(4, "0")}.nc`);
const manifest = ChunkManifest.fromArrays({ shape: grid, paths: { table, ids }, offsets, lengths }, core);
const metadata = {
  shape: [1000, 1000, 1000],
  chunkGrid: { kind: "regular", chunkShape: [10, 10, 10] },
  dtype: "<f4",
  codecs: [{ name: "bytes", configuration: { endian: "little" } }],
  fillValue: "NaN",
};
const ds = new VirtualDataset({
  variables: [["t", new VirtualVariable(["time", "level", "tile"], new ManifestArray(metadata, manifest), {})]],
});
const dir = mkdtempSync(join(tmpdir(), "parqbench-"));
await writeKerchunkParquet(ds, new mods[b].ld.LocalDirectory(join(dir, "r.parq")));
const times = { [a]: [], [b]: [] };
for (let r = 0; r < 11; r++)
  for (const d of r % 2 ? [a, b] : [b, a]) {
    const t = performance.now();
    const out = await mods[d].rp.openKerchunkParquet(new mods[d].ld.LocalDirectory(join(dir, "r.parq")), { core });
    times[d].push(performance.now() - t);
    out.free?.();
  }
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
console.log(
  `before median ${med(times[a]).toFixed(0)} ms, after median ${med(times[b]).toFixed(0)} ms, ratio ${(med(times[b]) / med(times[a])).toFixed(2)}`,
  JSON.stringify(times),
);
