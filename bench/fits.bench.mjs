// FITS indexing: vzarr (native and wasm backends) beside VirtualiZarr's FITSParser on the same
// files, in one run.
//
//   node bench/fits.bench.mjs          # after `npm run build`; the venv from setup-python.sh
//
// The files come from bench/fits_peer.py (seeded, astropy): VZARR_BENCH_FILES files (default
// 200) of an empty primary HDU and four 256 x 256 float32 IMAGE extensions with WCS and a few
// dozen cards each. One round indexes every file once with each implementation — vzarr's
// `openVirtualDataset` per file, VirtualiZarr's `open_virtual_dataset(parser=FITSParser)` per
// file in a Python process that stays up between rounds (its imports are not timed) — in
// rotated order; VZARR_BENCH_ROUNDS rounds (default 9). Reported: median and p90 ms per round
// and the ratio of medians to VirtualiZarr. Writes bench/results/fits-<date>.md.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
const FILES = Number(process.env.VZARR_BENCH_FILES ?? 200);
const ROUNDS = Number(process.env.VZARR_BENCH_ROUNDS ?? 9);
const DATA = join(REPO, "bench", "data", `fits-${FILES}`);
const PYTHON = join(REPO, ".venv", "bin", "python");

/** The Python peer: a process that answers each `run` with the seconds one pass took. */
async function startPeer() {
  const child = spawn(PYTHON, [join(REPO, "bench", "fits_peer.py"), "serve", DATA, String(FILES)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, PYTHONWARNINGS: "ignore" },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  await next(); // ready: files written, imports done
  return {
    async run() {
      child.stdin.write("run\n");
      const r = await next();
      return { ms: r.seconds * 1000, variables: r.variables };
    },
    close: () => child.stdin.end(),
  };
}

async function cores() {
  const artifacts = await import(join(REPO, "dist", "backend", "artifacts.js"));
  const { createNativeCore } = await import(join(REPO, "dist", "backend", "native.js"));
  const { createWasmCore } = await import(join(REPO, "dist", "backend", "wasm.js"));
  const require = createRequire(import.meta.url);
  return [
    { label: "vzarr native", core: createNativeCore(require(artifacts.nativeAddonPath())) },
    { label: "vzarr wasm", core: createWasmCore(new WebAssembly.Module(readFileSync(artifacts.wasmModulePath()))) },
  ];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

async function main() {
  const peer = await startPeer();
  const paths = Array.from({ length: FILES }, (_, i) => join(DATA, `f${String(i).padStart(4, "0")}.fits`));
  // The package entry: it registers the Node platform (local files) as users get it.
  const { openVirtualDataset } = await import(join(REPO, "dist", "index.js"));
  const impls = [
    ...(await cores()).map(({ label, core }) => ({
      label,
      async run() {
        const t0 = performance.now();
        let variables = 0;
        for (const p of paths) {
          const ds = await openVirtualDataset(p, { core, loadableVariables: [] });
          variables += ds.variables.size;
          ds.free();
        }
        return { ms: performance.now() - t0, variables };
      },
    })),
    { label: "VirtualiZarr FITSParser", run: () => peer.run() },
  ];
  const times = new Map(impls.map((i) => [i.label, []]));
  for (const impl of impls) await impl.run(); // warm-up (JIT, module instantiation, page cache)
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(r + k) % impls.length];
      const { ms, variables } = await impl.run();
      if (variables !== FILES * 4) throw new Error(`${impl.label} found ${variables} variables, expected ${FILES * 4}`);
      times.get(impl.label).push(ms);
    }
  }
  peer.close();
  const peerMedian = median(times.get("VirtualiZarr FITSParser"));
  const date = new Date().toISOString().slice(0, 10);
  const rows = impls.map(({ label }) => {
    const t = times.get(label);
    return `| ${label} | ${median(t).toFixed(1)} | ${p90(t).toFixed(1)} | ${(median(t) / FILES).toFixed(3)} | ${(peerMedian / median(t)).toFixed(1)}× |`;
  });
  const md = [
    `# FITS indexing: vzarr vs VirtualiZarr's FITSParser (${date})`,
    "",
    `Machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.version}. ${FILES} files of four 256 × 256`,
    `float32 IMAGE extensions (bench/fits_peer.py), all four indexed by both; ${ROUNDS} interleaved rounds after a`,
    "warm-up, each indexing every file once. VirtualiZarr 2.5.1 (kerchunk 0.2.10, astropy 8.0.2) in one Python process",
    "kept between rounds.",
    "",
    "| implementation | median ms / round | p90 ms | ms / file | speed-up vs FITSParser |",
    "|---|---:|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
  process.stdout.write(md);
  writeFileSync(join(REPO, "bench", "results", `fits-${date}.md`), md);
}

await main();
