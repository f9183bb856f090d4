// Scanning one file in headless Chromium (the wasm core, from the browser bundle) beside
// scanning it in Node (native addon, and wasm for reference). The target: Chromium within 2×
// of native Node on a 1M-chunk file (test/fixtures/gen_hdf5.py --only nc4_1m_chunks.nc).
//
//   node bench/browser-scan.mjs <file> [--runs 5]          (after `npm run build`)
//
// Chromium scans the file three ways: from bytes in memory (the wasm core alone), from a
// File/Blob (what a dropped file costs; comparable to Node reading a local file — the target),
// and over HTTP range requests from a local server (adds what a real page pays for requests).
// Writes bench/results/browser-scan-<name>-<date>.md.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadBackend, openVirtualDataset } from "../dist/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts, positionals } = parseArgs({ options: { runs: { type: "string", default: "5" } }, allowPositionals: true });
const file = positionals[0] === undefined ? undefined : resolve(positionals[0]);
if (file === undefined || !existsSync(file)) {
  console.error("usage: node bench/browser-scan.mjs <file> [--runs N]");
  process.exit(2);
}
const runs = Math.max(1, Number(opts.runs));
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing (scripts/setup.sh installs it)`);
  process.exit(2);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function chunkCount(ds) {
  let n = 0;
  for (const [, v] of ds.walkVariables()) if (v.virtual) n += v.data.manifest.size;
  return n;
}

async function nodeScan(kind) {
  const core = await loadBackend(kind);
  const times = [];
  let chunks = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const ds = await openVirtualDataset(file, { core });
    const ms = performance.now() - t0;
    chunks = chunkCount(ds);
    ds.free();
    if (i > 0) times.push(ms); // the first run warms caches and the JIT
  }
  return { ms: median(times), chunks };
}

function startServer() {
  const child = spawn(process.execPath, [join(root, "scripts/explorer.mjs"), "--port", "0", "--data", dirname(file)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /vzarr explorer: (http:\/\/\S+)/.exec(out);
      if (m !== null) ok({ url: m[1], stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => fail(new Error(`explorer server exited (${code})`)));
  });
}

async function chromiumScan() {
  const require = createRequire(import.meta.url);
  const { chromium } = require("playwright-core");
  const server = await startServer();
  const profile = mkdtempSync(join(os.tmpdir(), "vzarr-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    const url = `${server.url}data/${encodeURIComponent(basename(file))}`;
    const result = await page.evaluate(
      async ({ url, runs }) => {
        const vz = await import("/vzarr/vzarr.js");
        await vz.loadBackend();
        const count = (ds) => {
          let n = 0;
          for (const [, v] of ds.walkVariables()) if (v.virtual) n += v.data.manifest.size;
          return n;
        };
        const measure = async (input) => {
          const times = [];
          let chunks = 0;
          for (let i = 0; i <= runs; i++) {
            const t0 = performance.now();
            const ds = await vz.openVirtualDataset(input);
            const ms = performance.now() - t0;
            chunks = count(ds);
            ds.free();
            if (i > 0) times.push(ms);
          }
          times.sort((a, b) => a - b);
          return { ms: times[Math.floor(times.length / 2)], chunks };
        };
        const http = await measure(url);
        const file = new File([await (await fetch(url)).blob()], url.slice(url.lastIndexOf("/") + 1));
        const blob = await measure(file);
        const memory = await measure(new vz.MemorySource(file.name, new Uint8Array(await file.arrayBuffer())));
        return { http, blob, memory, userAgent: navigator.userAgent };
      },
      { url, runs },
    );
    return result;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    server.stop();
  }
}

const native = await nodeScan("native");
const wasmNode = await nodeScan("wasm");
const browser = await chromiumScan();
const chromiumVersion = /Chrome\/(\S+)/.exec(browser.userAgent)?.[1] ?? "?";

const rows = [
  ["Node, native addon (local file)", native],
  ["Node, wasm (local file)", wasmNode],
  [`Chromium ${chromiumVersion}, wasm (bytes in memory: the core alone)`, browser.memory],
  [`Chromium ${chromiumVersion}, wasm (File/Blob in the page)`, browser.blob],
  [`Chromium ${chromiumVersion}, wasm (HTTP range requests, local server)`, browser.http],
];
const lines = [
  `# Browser scan benchmark — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `File: \`${basename(file)}\` (${statSync(file).size.toLocaleString("en-US")} bytes, ${native.chunks.toLocaleString("en-US")} chunks). ` +
    `Median of ${runs} runs after one warm-up; ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}.`,
  "",
  "| scan | time | vs native |",
  "|---|---:|---:|",
  ...rows.map(([name, r]) => `| ${name} | ${r.ms.toFixed(1)} ms | ${(r.ms / native.ms).toFixed(2)}× |`),
  "",
  `Target: Chromium (File/Blob) within 2× of native: ${browser.blob.ms / native.ms <= 2 ? "met" : "NOT met"} (${(browser.blob.ms / native.ms).toFixed(2)}×).`,
];
for (const [name, r] of rows) {
  if (r.chunks !== native.chunks) lines.push(`WARNING: ${name} found ${r.chunks} chunks, native ${native.chunks}`);
}
const text = `${lines.join("\n")}\n`;
console.log(text);
mkdirSync(join(root, "bench/results"), { recursive: true });
const out = join(root, `bench/results/browser-scan-${basename(file).replace(/\.[^.]*$/, "")}-${new Date().toISOString().slice(0, 10)}.md`);
writeFileSync(out, text);
console.error(`wrote ${out}`);
