// HDF4 indexing side by side: vzarr (native and wasm, through the built package's public API)
// against kerchunk's HDF4ToZarr — the code VirtualiZarr's HDF4Parser runs — on the same files
// in one run: VirtualiZarr's MOD14 granule (test/fixtures/hdf4/real) and a generated file of
// two chunked + deflate data sets with many chunks (bench/datagen/hdf4_chunked.py).
//
//   node bench/hdf4.bench.mjs          # after `npm run build` and setup-python.sh
//   VZARR_BENCH_ROUNDS=25 node bench/hdf4.bench.mjs
//
// Both sides are warm (Python's imports done, the wasm module compiled) and each times its
// own call in its own process: vzarr's openVirtualDataset (every variable virtual) against
// HDF4ToZarr(path).translate(). Rounds interleave the three tools in rotated order; reported
// are medians and p90s and the ratio of medians. Before timing, every chunk reference
// (offset, length) of both data sets is checked equal between vzarr and kerchunk.
// Writes bench/results/hdf4-<date>.md.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
const ROUNDS = Number(process.env.VZARR_BENCH_ROUNDS ?? 15);
const PYTHON = join(REPO, ".venv", "bin", "python");
const { openVirtualDataset } = await import(join(REPO, "dist", "index.js"));
const { nativeAddonPath, wasmModulePath } = await import(join(REPO, "dist", "backend", "artifacts.js"));
const { createNativeCore } = await import(join(REPO, "dist", "backend", "native.js"));
const { createWasmCore } = await import(join(REPO, "dist", "backend", "wasm.js"));

const require = createRequire(import.meta.url);
const cores = {
  native: createNativeCore(require(nativeAddonPath())),
  wasm: createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath()))),
};

/** The generated file (cached in bench/data/hdf4). */
function generated(side, chunk) {
  const dir = join(REPO, "bench", "data", "hdf4");
  const path = join(dir, `chunked_${side}_${chunk}.hdf`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(PYTHON, [join(REPO, "bench", "datagen", "hdf4_chunked.py"), path, String(side), String(chunk)], { stdio: "inherit" });
  }
  return path;
}

const files = [
  { label: "MOD14 granule (VirtualiZarr's test file, 2 x 203 chunks)", path: join(REPO, "test", "fixtures", "hdf4", "real", "MOD14.hdf4") },
  { label: "generated: 2 data sets of 2000 x 2000 in 25 x 25 deflate chunks (12,800 chunks)", path: generated(2000, 25) },
];

/** kerchunk in one persistent Python process: one request per line. */
const peer = spawn(PYTHON, [join(REPO, "bench", "hdf4_peer.py")], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
async function kerchunk(path, refs = false) {
  peer.stdin.write(`${JSON.stringify({ path, refs })}\n`);
  const { value } = await lines.next();
  return JSON.parse(value);
}

async function vzarr(kind, path) {
  const t0 = performance.now();
  const ds = await openVirtualDataset(path, { core: cores[kind], loadableVariables: [] });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, ds };
}

/** Every chunk reference of both data sets equal between the tools (kerchunk keys are `i.j`). */
async function verify(path) {
  const theirs = (await kerchunk(path, true)).refs;
  const { ds } = await vzarr("native", path);
  let n = 0;
  for (const name of ["fire mask", "algorithm QA"]) {
    const manifest = ds.variable(name).data.manifest;
    const { ids, offsets, lengths } = manifest.columns();
    const grid = manifest.shape;
    const want = theirs[name];
    for (let i = 0; i < ids.length; i++) {
      const key = `${Math.floor(i / grid[1])}.${i % grid[1]}`;
      const got = ids[i] === 0xffffffff ? undefined : [Number(offsets[i]), Number(lengths[i])];
      if (JSON.stringify(got) !== JSON.stringify(want[key]))
        throw new Error(`${path} ${name} chunk ${key}: vzarr ${got}, kerchunk ${want[key]}`);
      n++;
    }
  }
  ds.free();
  return n;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p90 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))];
};
const ms = (s) => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;

const rows = [];
for (const f of files) {
  const refs = await verify(f.path);
  process.stderr.write(`${f.label}: ${refs} chunk references equal\n`);
  const times = { native: [], wasm: [], kerchunk: [] };
  const tools = ["native", "wasm", "kerchunk"];
  // One warm-up each, then interleaved rounds in rotated order.
  for (const t of tools) t === "kerchunk" ? await kerchunk(f.path) : (await vzarr(t, f.path)).ds.free();
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < tools.length; k++) {
      const t = tools[(r + k) % tools.length];
      if (t === "kerchunk") times.kerchunk.push((await kerchunk(f.path)).seconds);
      else {
        const { seconds, ds } = await vzarr(t, f.path);
        times[t].push(seconds);
        ds.free();
      }
    }
  }
  rows.push({ f, refs, times });
}
peer.stdin.end();

const date = new Date().toISOString().slice(0, 10);
const out = [
  `# HDF4 indexing: vzarr vs kerchunk HDF4ToZarr (VirtualiZarr's HDF4Parser) — ${date}`,
  "",
  `${os.cpus()[0]?.model ?? "cpu"} x ${os.cpus().length}, load ${os.loadavg()[0].toFixed(2)} at the end; Node ${process.version}; ${ROUNDS} interleaved rounds after one warm-up; \`node bench/hdf4.bench.mjs\`.`,
  "",
  "Each tool is warm and times its own call: vzarr `openVirtualDataset(path, { loadableVariables: [] })`, kerchunk 0.2.10 `HDF4ToZarr(path).translate()` (what VirtualiZarr's HDF4Parser calls; virtualizarr 2.5.1 in .venv has no HDF4 parser). Every chunk reference (offset, length) of both data sets was checked equal between vzarr and kerchunk before timing.",
  "",
  "| file | chunks | vzarr native median (p90) | vzarr wasm median (p90) | kerchunk median (p90) | kerchunk / native | kerchunk / wasm |",
  "|---|---:|---:|---:|---:|---:|---:|",
];
for (const { f, refs, times } of rows) {
  const [n, w, k] = [median(times.native), median(times.wasm), median(times.kerchunk)];
  out.push(
    `| ${f.label} | ${refs.toLocaleString("en")} | ${ms(n)} (${ms(p90(times.native))}) | ${ms(w)} (${ms(p90(times.wasm))}) | ${ms(k)} (${ms(p90(times.kerchunk))}) | ${(k / n).toFixed(1)}x | ${(k / w).toFixed(1)}x |`,
  );
}
out.push("");
const text = out.join("\n");
writeFileSync(join(REPO, "bench", "results", `hdf4-${date}.md`), text);
process.stdout.write(`${text}\n`);
