// Icechunk benchmarks: commit a 10-million-ref array (manifests split at 1M refs, tx log,
// snapshot, repo CAS) to a fresh local repository, then read it back into a VirtualDataset.
// Target: ≥ 1M refs/s for the commit. Run after the build:
//   node bench/icechunk.bench.mjs       (VZARR_BENCH_SCALE=0.1 for a quick run)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { VirtualDataset } from "../dist/dataset/virtual-dataset.js";
import { VirtualVariable } from "../dist/dataset/virtual-variable.js";
import { ChunkManifest, openIcechunk, writeIcechunk } from "../dist/index.js";
import { ManifestArray } from "../dist/manifest/manifest-array.js";

const scale = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const N = Math.round((10_000_000 * scale) / 1000) * 1000;
const ROWS = N / 1000;

const table = Array.from({ length: 1000 }, (_, k) => `s3://era5-archive/pressure-levels/file-${k}.nc`);
const ids = new Uint32Array(N);
const offsets = new BigUint64Array(N);
const lengths = new BigUint64Array(N);
for (let i = 0; i < N; i++) {
  ids[i] = (i * 7) % table.length;
  offsets[i] = BigInt(4096 + i * 65536);
  lengths[i] = 65536n;
}
const manifest = ChunkManifest.fromArrays({ shape: [ROWS, 1000], paths: { table, ids }, offsets, lengths });
const meta = {
  shape: [ROWS, 1000 * 64],
  chunkGrid: { kind: "regular", chunkShape: [1, 64] },
  dtype: "<f4",
  codecs: [{ name: "bytes", configuration: { endian: "little" } }],
  fillValue: 0,
};
const ds = new VirtualDataset({ variables: [["t2m", new VirtualVariable(["time", "x"], new ManifestArray(meta, manifest))]] });

const dir = mkdtempSync(join(os.tmpdir(), "vzarr-bench-ic-"));
const rows = [];
try {
  for (let run = 0; run < 3; run++) {
    const repo = join(dir, `r${run}`);
    let t = performance.now();
    await writeIcechunk(ds, repo, { message: "bench", containers: ["s3://era5-archive/"] });
    const write = (performance.now() - t) / 1000;
    t = performance.now();
    const back = await openIcechunk(repo);
    const read = (performance.now() - t) / 1000;
    back.free();
    rows.push({ write, read });
    rmSync(repo, { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const best = (k) => Math.min(...rows.map((r) => r[k]));
const lines = [
  `# Icechunk benchmark (${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model}, ${N.toLocaleString("en")} refs, best of 3)`,
  "",
  "| operation | seconds | refs/s |",
  "|---|---|---|",
  `| commit (manifests + tx log + snapshot + repo CAS) | ${best("write").toFixed(2)} | ${(N / best("write") / 1e6).toFixed(2)} M |`,
  `| open as VirtualDataset | ${best("read").toFixed(2)} | ${(N / best("read") / 1e6).toFixed(2)} M |`,
];
console.log(lines.join("\n"));
mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/icechunk-${new Date().toISOString().slice(0, 10)}.md`, `${lines.join("\n")}\n`);
