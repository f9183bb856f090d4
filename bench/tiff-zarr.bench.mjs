// Issue 23's targets side by side: vzarr (native and wasm, through the built package's public
// API) against VirtualiZarr 2.5.1 with virtual-tiff 0.5.0 (TIFF) and VirtualiZarr's ZarrParser
// (Zarr), on the same files in one run:
//   1. a COG with 100 x 100 = 10,000 tiles       (vzarr openVirtualDataset vs VirtualTIFF)
//   2. 1,000 GeoTIFFs stacked along a new `time` (vzarr openVirtualMfdataset vs
//      open_virtual_mfdataset(parser=VirtualTIFF, concat_dim="time", combine="nested"))
//   3. a sharded Zarr v3 array, 1,000,000 inner chunks in 100 shards (vzarr's Zarr parser vs
//      VirtualiZarr's ZarrParser)
//   and 2. end to end in fresh processes: `vzarr refs … -o out.json` against a Python script
//      writing the same kerchunk JSON through VirtualiZarr (startup and imports included)
// Files come from bench/datagen/tiff_zarr.py (seeded; cached in bench/data/tz).
//
//   node bench/tiff-zarr.bench.mjs          # after `npm run build`
//   VZARR_BENCH_ROUNDS=5 node bench/tiff-zarr.bench.mjs   # the same rounds for every target
//
// Both sides are warm (Python's imports done, the wasm module compiled) and each times its own
// call in its own process; rounds interleave the three tools in rotated order after one
// warm-up each; reported are medians, p90s and the ratio of medians. Before timing, chunk
// references are checked equal (see `verify*`). Writes bench/results/tiff-zarr-<date>.md.
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
// Rounds per target: the COG and Zarr calls take milliseconds and scatter with the VM's load,
// so they get more rounds; the stack's Python side takes seconds a round.
const ROUNDS = process.env.VZARR_BENCH_ROUNDS === undefined ? undefined : Number(process.env.VZARR_BENCH_ROUNDS);
// VZARR_BENCH_PYTHON: another interpreter with test/python/requirements.txt installed.
const PYTHON = process.env.VZARR_BENCH_PYTHON ?? join(REPO, ".venv", "bin", "python");
const DATA = join(REPO, "bench", "data", "tz");
const { openVirtualDataset, openVirtualMfdataset } = await import(join(REPO, "dist", "index.js"));
const { nativeAddonPath, wasmModulePath } = await import(join(REPO, "dist", "backend", "artifacts.js"));
const { createNativeCore } = await import(join(REPO, "dist", "backend", "native.js"));
const { createWasmCore } = await import(join(REPO, "dist", "backend", "wasm.js"));

const require = createRequire(import.meta.url);
const cores = {
  native: createNativeCore(require(nativeAddonPath())),
  wasm: createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath()))),
};

function generate(kind, out, ...args) {
  if (existsSync(out)) return out;
  mkdirSync(DATA, { recursive: true });
  execFileSync(PYTHON, [join(REPO, "bench", "datagen", "tiff_zarr.py"), kind, out, ...args.map(String)], { stdio: "inherit" });
  return out;
}
const cog = generate("cog", join(DATA, "cog_10000.tif"));
const stackDir = generate("stack", join(DATA, "stack_1000"), 1000);
const stack = readdirSync(stackDir)
  .filter((f) => f.endsWith(".tif"))
  .sort()
  .map((f) => join(stackDir, f));
if (stack.length !== 1000) throw new Error(`${stackDir} holds ${stack.length} files, not 1000: delete it to regenerate`);
const sharded = generate("sharded", join(DATA, "sharded_1m.zarr"));

/** The Python peer in one persistent process: one request per line. */
const peer = spawn(PYTHON, [join(REPO, "bench", "tiff_zarr_peer.py")], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
async function python(kind, paths, refs = false) {
  peer.stdin.write(`${JSON.stringify({ kind, paths, refs })}\n`);
  const { value, done } = await lines.next();
  if (done) throw new Error("the Python peer exited");
  return JSON.parse(value);
}

const targets = [
  {
    key: "cog",
    label: "COG, 25,600 x 25,600 uint8, 256 x 256 deflate tiles (10,000 tiles)",
    peerName: "virtual-tiff",
    rounds: ROUNDS ?? 41,
    paths: [cog],
    open: (core) => openVirtualDataset(cog, { core, loadableVariables: [] }),
  },
  {
    key: "stack",
    label: "1,000 GeoTIFFs (256 x 256 float32, 16 tiles each) stacked along a new `time`",
    peerName: "VirtualiZarr + virtual-tiff",
    rounds: ROUNDS ?? 9,
    paths: stack,
    open: (core) => openVirtualMfdataset(stack, { core, concatDim: "time", loadableVariables: [] }),
  },
  {
    key: "zarr",
    label: "sharded Zarr v3, 4,000 x 4,000 uint8, 4 x 4 inner chunks in 400 x 400 shards (1,000,000 inner chunks, 100 shards)",
    peerName: "VirtualiZarr ZarrParser",
    rounds: ROUNDS ?? 21,
    paths: [sharded],
    open: (core) => openVirtualDataset(sharded, { core, loadableVariables: [] }),
  },
];

const MISSING = 0xffffffff;
const plain = (p) => p.replace(/^file:(\/\/)?/, "");

/** vzarr's references of one variable, flat in C order: [path, offset, length] or null. */
function vzarrRefs(ds, name) {
  const manifest = ds.variable(name).data.manifest;
  const { ids, offsets, lengths } = manifest.columns();
  const paths = manifest.paths().map(plain);
  const refs = [];
  for (let i = 0; i < ids.length; i++) refs.push(ids[i] === MISSING ? null : [paths[ids[i]], Number(offsets[i]), Number(lengths[i])]);
  return { shape: manifest.shape, refs };
}

/** Every chunk reference (path, offset, length) of the image equal between the tools. */
async function verifyTiff(t) {
  const theirs = (await python(t.key, t.paths, true)).refs;
  const ds = await t.open(cores.native);
  const ours = vzarrRefs(ds, "band_data");
  ds.free();
  if (JSON.stringify(ours.shape) !== JSON.stringify(theirs.shape))
    throw new Error(`${t.key}: chunk grid ${ours.shape} (vzarr) vs ${theirs.shape} (${t.peerName})`);
  for (let i = 0; i < ours.refs.length; i++) {
    const want = theirs.lengths[i] === 0 ? null : [plain(theirs.paths[i]), theirs.offsets[i], theirs.lengths[i]];
    if (JSON.stringify(ours.refs[i]) !== JSON.stringify(want))
      throw new Error(`${t.key} chunk ${i}: vzarr ${JSON.stringify(ours.refs[i])}, ${t.peerName} ${JSON.stringify(want)}`);
  }
  return `all ${ours.refs.length.toLocaleString("en")} chunk references (path, offset, length) equal`;
}

/**
 * VirtualiZarr 2.5.1's ZarrParser does not read shard indexes: it references each shard
 * object whole and keeps `sharding_indexed` in the codecs. So the check is two-sided: its
 * shard references (path, 0, size) must be the shards vzarr's inner references point into,
 * each inner reference inside its shard; and for a sample of shards, vzarr's inner references
 * must equal the shard index as read straight from the file here (the v3 spec's layout:
 * little-endian u64 (offset, nbytes) pairs per inner chunk in C order, then a CRC-32C).
 */
async function verifyZarr(t) {
  const theirs = (await python(t.key, t.paths, true)).refs;
  const ds = await t.open(cores.native);
  const name = [...ds.dataVars.keys()][0];
  const ours = vzarrRefs(ds, name);
  ds.free();
  const [gy, gx] = ours.shape; // inner-chunk grid (1000 x 1000)
  const [sy, sx] = theirs.shape; // shard grid (10 x 10)
  const inner = [gy / sy, gx / sx]; // inner chunks per shard side (100 x 100)
  const shardSize = new Map();
  for (let i = 0; i < theirs.paths.length; i++) shardSize.set(plain(theirs.paths[i]), theirs.lengths[i]);
  for (let i = 0; i < ours.refs.length; i++) {
    const r = ours.refs[i];
    if (r === null) throw new Error(`zarr: inner chunk ${i} missing in vzarr, every chunk was written`);
    const size = shardSize.get(r[0]);
    if (size === undefined || r[1] + r[2] > size)
      throw new Error(`zarr: inner chunk ${i} ${JSON.stringify(r)} not inside a shard ZarrParser lists`);
  }
  const sample = [
    [0, 0],
    [sy - 1, sx - 1],
    [3, 7],
    [8, 2],
  ];
  let checked = 0;
  for (const [a, b] of sample) {
    const file = join(sharded, "data", "c", String(a), String(b));
    const n = inner[0] * inner[1];
    const fd = openSync(file, "r");
    const index = Buffer.alloc(n * 16);
    readSync(fd, index, 0, index.length, statSync(file).size - 4 - index.length);
    closeSync(fd);
    for (let k = 0; k < n; k++) {
      const [iy, ix] = [Math.floor(k / inner[1]), k % inner[1]];
      const flat = (a * inner[0] + iy) * gx + b * inner[1] + ix;
      const want = [file, Number(index.readBigUInt64LE(k * 16)), Number(index.readBigUInt64LE(k * 16 + 8))];
      if (JSON.stringify(ours.refs[flat]) !== JSON.stringify(want))
        throw new Error(`zarr shard ${a}/${b} inner ${k}: vzarr ${JSON.stringify(ours.refs[flat])}, index ${JSON.stringify(want)}`);
      checked++;
    }
  }
  return `ZarrParser: ${theirs.paths.length} whole-shard references (codecs ${theirs.codecs.map((c) => c.name).join(", ")}); vzarr: ${ours.refs.length.toLocaleString("en")} inner references, all inside those shards, ${checked.toLocaleString("en")} (4 shards) equal to the shard indexes read from the files`;
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
const ratio = (r) => `${r.toFixed(r < 1 ? 2 : 1)}x`;

async function vzarr(t, kind) {
  const t0 = performance.now();
  const ds = await t.open(cores[kind]);
  const seconds = (performance.now() - t0) / 1000;
  ds.free();
  return seconds;
}

const rows = [];
for (const t of targets) {
  const check = t.key === "zarr" ? await verifyZarr(t) : await verifyTiff(t);
  process.stderr.write(`${t.key}: ${check}\n`);
  const times = { native: [], wasm: [], python: [] };
  const tools = ["native", "wasm", "python"];
  for (const k of tools) k === "python" ? await python(t.key, t.paths) : await vzarr(t, k);
  for (let r = 0; r < t.rounds; r++) {
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[(r + k) % tools.length];
      times[tool].push(tool === "python" ? (await python(t.key, t.paths)).seconds : await vzarr(t, tool));
    }
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  rows.push({ t, check, times });
}
peer.stdin.end();

/**
 * The stack end to end as users run it, each a fresh process (startup and imports included):
 * `vzarr refs <1,000 files> --concat-dim time -o out.json` against `tiff_zarr_peer.py refs`
 * (open_virtual_mfdataset + `vds.vz.to_kerchunk(out, format="json")`). The chunk references of
 * the two JSON files are checked equal first (vzarr's `band_data/…` against virtual-tiff's `0/…`).
 */
const CLI_ROUNDS = ROUNDS ?? 3;
const tmp = mkdtempSync(join(os.tmpdir(), "vzarr-tiff-zarr-"));
const cliRuns = {
  native: () => [
    "node",
    [
      join(REPO, "dist", "cli", "main.js"),
      "refs",
      ...stack,
      "--concat-dim",
      "time",
      "--loadable",
      "none",
      "-o",
      join(tmp, "native.json"),
      "--overwrite",
      "--quiet",
    ],
    { VZARR_BACKEND: "native" },
  ],
  wasm: () => [
    "node",
    [
      join(REPO, "dist", "cli", "main.js"),
      "refs",
      ...stack,
      "--concat-dim",
      "time",
      "--loadable",
      "none",
      "-o",
      join(tmp, "wasm.json"),
      "--overwrite",
      "--quiet",
    ],
    { VZARR_BACKEND: "wasm" },
  ],
  python: () => [PYTHON, [join(REPO, "bench", "tiff_zarr_peer.py"), "refs", join(tmp, "python.json"), ...stack], {}],
};
function runCli(tool) {
  const [cmd, args, env] = cliRuns[tool]();
  const t0 = performance.now();
  execFileSync(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - t0) / 1000;
}
function chunkRefs(file, variable) {
  const refs = JSON.parse(readFileSync(file, "utf8")).refs;
  const out = new Map();
  for (const [k, v] of Object.entries(refs))
    if (k.startsWith(`${variable}/`) && Array.isArray(v)) out.set(k.slice(variable.length + 1), JSON.stringify([plain(v[0]), v[1], v[2]]));
  return out;
}
const cliTimes = { native: [], wasm: [], python: [] };
for (const tool of Object.keys(cliTimes)) runCli(tool); // warm the page cache; also writes the files checked next
const ours = chunkRefs(join(tmp, "native.json"), "band_data");
const oursWasm = chunkRefs(join(tmp, "wasm.json"), "band_data");
const theirs = chunkRefs(join(tmp, "python.json"), "0");
if (ours.size !== 16000 || theirs.size !== ours.size || oursWasm.size !== ours.size)
  throw new Error(`refs: ${ours.size} / ${oursWasm.size} / ${theirs.size} chunk references`);
for (const [k, v] of ours)
  if (theirs.get(k) !== v || oursWasm.get(k) !== v)
    throw new Error(`refs: chunk ${k}: vzarr ${v} / ${oursWasm.get(k)}, VirtualiZarr ${theirs.get(k)}`);
const cliCheck = `all ${ours.size.toLocaleString("en")} chunk references of the two kerchunk JSON files equal`;
process.stderr.write(`refs: ${cliCheck}\n`);
for (let r = 0; r < CLI_ROUNDS; r++) {
  const tools = ["native", "wasm", "python"];
  for (let k = 0; k < tools.length; k++) {
    const tool = tools[(r + k) % tools.length];
    cliTimes[tool].push(runCli(tool));
  }
  process.stderr.write(".");
}
process.stderr.write("\n");
rmSync(tmp, { recursive: true, force: true });

const date = new Date().toISOString().slice(0, 10);
const out = [
  `# TIFF / COG / Zarr indexing: vzarr vs VirtualiZarr + virtual-tiff and ZarrParser (issue 23) — ${date}`,
  "",
  `${os.cpus()[0]?.model ?? "cpu"} x ${os.cpus().length}, load ${os.loadavg()[0].toFixed(2)} at the end; Node ${process.version}; ${targets.map((t) => `${t.rounds} (${t.key})`).join(", ")} interleaved rounds after one warm-up; \`node bench/tiff-zarr.bench.mjs\`.`,
  "",
  'Each tool is warm and times its own call on local files: vzarr `openVirtualDataset(path, { loadableVariables: [] })` (COG, Zarr) and `openVirtualMfdataset(paths, { concatDim: "time", loadableVariables: [] })` (stack; default parallelism: local scans on the addon\'s threads / wasm worker threads); virtualizarr 2.5.1 `open_virtual_dataset(url, parser=VirtualTIFF(ifd=0))` (virtual-tiff 0.5.0), `open_virtual_mfdataset(urls, parser=VirtualTIFF(ifd=0), concat_dim="time", combine="nested")` (serial, its default) and `open_virtual_dataset(url, parser=ZarrParser())`, all with `loadable_variables=[]`.',
  "",
  "| target | vzarr native median (p90) | vzarr wasm median (p90) | Python median (p90) | Python / native | Python / wasm | target ≥ 10x |",
  "|---|---:|---:|---:|---:|---:|---|",
];
for (const { t, times } of rows) {
  const [n, w, p] = [median(times.native), median(times.wasm), median(times.python)];
  const met = p / n >= 10 && p / w >= 10 ? "met" : p / n >= 10 ? "met (native), not met (wasm)" : "not met";
  out.push(
    `| ${t.label} — vs ${t.peerName} | ${ms(n)} (${ms(p90(times.native))}) | ${ms(w)} (${ms(p90(times.wasm))}) | ${ms(p)} (${ms(p90(times.python))}) | ${ratio(p / n)} | ${ratio(p / w)} | ${met} |`,
  );
}
{
  const [n, w, p] = [median(cliTimes.native), median(cliTimes.wasm), median(cliTimes.python)];
  out.push(
    `| the same stack end to end, fresh processes: \`vzarr refs … --concat-dim time -o out.json\` vs open_virtual_mfdataset + \`vz.to_kerchunk(out.json)\` (${CLI_ROUNDS} rounds) | ${ms(n)} (${ms(p90(cliTimes.native))}) | ${ms(w)} (${ms(p90(cliTimes.wasm))}) | ${ms(p)} (${ms(p90(cliTimes.python))}) | ${ratio(p / n)} | ${ratio(p / w)} | no target of its own (the indexing row above is the issue's) |`,
  );
}
out.push("", "Equivalence checked before timing:", "");
for (const { t, check } of rows) out.push(`* ${t.key}: ${check}.`);
out.push(`* refs: ${cliCheck}.`);
out.push("");
const text = out.join("\n");
writeFileSync(join(REPO, "bench", "results", `tiff-zarr-${date}.md`), text);
process.stdout.write(`${text}\n`);
