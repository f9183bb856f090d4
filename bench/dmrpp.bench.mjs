// DMR++ parsing (issue 24): a 100,000-chunk sidecar opened by vzarr (the core's XML scanner,
// native and wasm) and by VirtualiZarr's DMRPPParser, interleaved in one run: each round
// parses the same file once with each, and the figure is the ratio of the medians.
// Target: vzarr >= 10x VirtualiZarr. Run after the build:   node bench/dmrpp.bench.mjs
// (VZARR_BENCH_ROUNDS=N, default 15; VZARR_BENCH_CHUNKS, default 100000).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { nativeAddonPath, wasmModulePath } from "../dist/backend/artifacts.js";
import { createNativeCore } from "../dist/backend/native.js";
import { createWasmCore } from "../dist/backend/wasm.js";
import { openVirtualDataset } from "../dist/index.js";

const rounds = Number(process.env.VZARR_BENCH_ROUNDS ?? 15);
const chunks = Number(process.env.VZARR_BENCH_CHUNKS ?? 100_000);
const python = join(import.meta.dirname, "..", ".venv", "bin", "python");
const dir = mkdtempSync(join(os.tmpdir(), "vzarr-bench-dmrpp-"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function pythonPeer() {
  const child = spawn(python, [join(import.meta.dirname, "dmrpp_parse_peer.py"), "--count"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next() {
      return JSON.parse((await lines.next()).value);
    },
    async parse(path) {
      child.stdin.write(`${path}\n`);
      return JSON.parse((await lines.next()).value);
    },
    close: () => child.stdin.end(),
  };
}

try {
  const made = spawnSync(python, [join(import.meta.dirname, "datagen", "dmrpp_sidecar.py"), dir, String(chunks)], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  const sidecar = made.stdout.trim();
  const require = createRequire(import.meta.url);
  const cores = {
    native: createNativeCore(require(nativeAddonPath())),
    wasm: createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath()))),
  };
  const ours = async (core) => {
    const start = performance.now();
    const ds = await openVirtualDataset(sidecar, { core, parser: "dmrpp", loadableVariables: [] });
    const seconds = (performance.now() - start) / 1000;
    const n = ds.variable("v").data.manifest.columns().ids.length;
    ds.free();
    return { seconds, chunks: n };
  };
  const peer = pythonPeer();
  await peer.next();
  const times = { virtualizarr: [], native: [], wasm: [] };
  // One untimed round each: imports, JIT and the file in the page cache.
  const warm = [await peer.parse(sidecar), await ours(cores.native), await ours(cores.wasm)];
  if (new Set(warm.map((w) => w.chunks)).size !== 1) throw new Error(`chunk counts differ: ${JSON.stringify(warm)}`);
  for (let r = 0; r < rounds; r++) {
    times.virtualizarr.push((await peer.parse(sidecar)).seconds);
    times.native.push((await ours(cores.native)).seconds);
    times.wasm.push((await ours(cores.wasm)).seconds);
  }
  peer.close();
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  console.log(
    `# DMR++ parse: ${warm[0].chunks.toLocaleString()} chunks, ${(statSync(sidecar).size / 1e6).toFixed(1)} MB sidecar, ${rounds} interleaved rounds`,
  );
  console.log(`${os.cpus()[0]?.model ?? "cpu"}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log("| parser | median | ratio to VirtualiZarr |");
  console.log("|---|---|---|");
  console.log(`| VirtualiZarr DMRPPParser | ${(m.virtualizarr * 1000).toFixed(1)} ms | 1.0x |`);
  for (const k of ["native", "wasm"])
    console.log(`| vzarr (${k}) | ${(m[k] * 1000).toFixed(1)} ms | ${(m.virtualizarr / m[k]).toFixed(1)}x |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
