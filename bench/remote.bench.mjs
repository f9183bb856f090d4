/**
 * Remote indexing at the latency bound (issue 21): vzarr side by side with VirtualiZarr
 * (obstore HTTPStore, a thread pool) and kerchunk (fsspec HTTP, a thread pool) on the same
 * latency server (bench/lib, its own process, a fixed delay per request) in one run, runs
 * interleaved, each in a fresh process. Reports per tool wall time (median), requests and
 * bytes per file as the server counted them, and the lower bound.
 *
 *   node bench/remote.bench.mjs        (after `npm run build`; Python peers in .venv)
 *
 * Settings (environment): VZARR_REMOTE_FILES daily netCDF-4 files (default 200),
 * VZARR_REMOTE_DELAY ms per request (20), VZARR_REMOTE_REPS runs per tool (3),
 * VZARR_REMOTE_GRIB_MESSAGES messages of the GRIB file (~520 KB each; default 400),
 * VZARR_REMOTE_OUT the report (default bench/results/remote-<date>.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnLatencyServer } from "./lib/latency-server-client.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = join(REPO, ".venv", "bin", "python");
const num = (name, fallback) => Number(process.env[name] ?? fallback);
const FILES = num("VZARR_REMOTE_FILES", 200);
const DELAY = num("VZARR_REMOTE_DELAY", 20);
const REPS = num("VZARR_REMOTE_REPS", 3);
const GRIB_MESSAGES = num("VZARR_REMOTE_GRIB_MESSAGES", 400);
const IN_FLIGHT = 64; // vzarr's default --concurrency
const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);

// Data: the seeded generator of the remote tests, cached per size.
const root = join(REPO, "bench", "data", "remote", `daily${FILES}-grib${GRIB_MESSAGES}`);
if (!existsSync(join(root, "big.index"))) {
  log(`generating ${FILES} daily netCDF-4 files and a ${GRIB_MESSAGES}-message GRIB file in ${root}`);
  mkdirSync(root, { recursive: true });
  execFileSync(
    python,
    [join(REPO, "test/fixtures/gen_remote.py"), root, "--daily", String(FILES), "--big-messages", String(GRIB_MESSAGES)],
    {
      stdio: "inherit",
    },
  );
}
const names = readdirSync(join(root, "daily")).sort().slice(0, FILES);
const gribBytes = statSync(join(root, "big.grib2")).size;

const server = await spawnLatencyServer(root, { delayMs: DELAY });
const urls = names.map((n) => `${server.url}/daily/${n}`);
const locals = names.map((n) => join(root, "daily", n));

/** @returns {{ seconds: number; cpu: number; chunks: number; bytes: number }} */
function run(/** @type {string} */ tool, /** @type {Record<string, unknown>} */ args) {
  const [cmd, argv] = tool.startsWith("vzarr")
    ? [process.execPath, [join(REPO, "bench/remote/vzarr-remote.mjs"), tool === "vzarr-grib" ? "grib" : "mf", JSON.stringify(args)]]
    : [python, [join(REPO, "bench/remote/py_remote.py"), tool, JSON.stringify(args)]];
  const out = execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_800_000 });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}");
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs every entry REPS times, interleaved; each result with the server's counts. */
async function interleaved(/** @type {{ key: string; tool: string; args: Record<string, unknown>; reps?: number }[]} */ entries) {
  /** @type {Record<string, any[]>} */
  const results = Object.fromEntries(entries.map((e) => [e.key, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const e of entries) {
      if (rep >= (e.reps ?? REPS)) continue;
      await server.counts();
      const r = run(e.tool, e.args);
      const { totals } = await server.counts();
      results[e.key].push({ ...r, requests: totals.requests, served: totals.bytes });
      log(`  ${e.key} run ${rep + 1}: ${r.seconds.toFixed(3)} s, ${totals.requests} requests, ${(totals.bytes / 1e6).toFixed(1)} MB`);
    }
  }
  return results;
}

log(`remote bench: ${FILES} files, ${DELAY} ms per request, ${REPS} runs each, load ${os.loadavg()[0].toFixed(2)}`);
// The CPU part of the lower bound: indexing the same files from local disk.
const localRuns = [];
for (let i = 0; i < REPS; i++) localRuns.push(run("vzarr", { urls: locals, variable: "t2m" }));
const localCpu = median(localRuns.map((r) => r.cpu));
const localWall = median(localRuns.map((r) => r.seconds));
log(`  local: ${localWall.toFixed(3)} s wall, ${localCpu.toFixed(3)} s CPU`);

const mf = await interleaved([
  { key: "vzarr", tool: "vzarr", args: { urls, variable: "t2m" } },
  { key: "VirtualiZarr", tool: "virtualizarr", args: { urls, base: `${server.url}/`, variable: "t2m" } },
  { key: "kerchunk", tool: "kerchunk", args: { urls, variable: "t2m", threads: 8 } },
]);

const gribUrl = `${server.url}/big.grib2`;
const grib = await interleaved([
  { key: "vzarr (.idx)", tool: "vzarr-grib", args: { url: gribUrl, indexFile: "auto" } },
  { key: "vzarr (no index)", tool: "vzarr-grib", args: { url: gribUrl, indexFile: "never" } },
  { key: "kerchunk scan_grib", tool: "kerchunk-grib", args: { url: gribUrl }, reps: 1 },
]);
await server.close();

// The report.
const roundTripBound = (FILES * 1 * DELAY) / 1000 / IN_FLIGHT;
const lowerBound = Math.max(roundTripBound, localCpu);
const lines = [];
const date = new Date().toISOString().slice(0, 10);
lines.push(`# Remote indexing at the latency bound — ${date}`, "");
lines.push(
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, load ${os.loadavg()[0].toFixed(2)} at the end (shared with other jobs). ` +
    `Latency server (bench/lib/latency-server.mjs, its own process) on 127.0.0.1, ${DELAY} ms per request, no bandwidth cap. ` +
    `Runs interleaved, each in a fresh process, ${REPS} per tool (kerchunk scan_grib: 1); medians. \`node bench/remote.bench.mjs\`.`,
  "",
);
lines.push(`## ${FILES} daily netCDF-4 files (netCDF-C, ~350 KB each), index + combine along time`, "");
lines.push(
  "| tool | wall (median) | vs vzarr | CPU / file (client) | requests / file | bytes / file | t2m references |",
  "|---|---|---|---|---|---|---|",
);
const vz = median(mf.vzarr.map((r) => r.seconds));
for (const [key, runs] of Object.entries(mf)) {
  const s = median(runs.map((r) => r.seconds));
  const last = runs[runs.length - 1];
  lines.push(
    `| ${key} | ${s.toFixed(3)} s | ${(s / vz).toFixed(1)}× | ${((median(runs.map((r) => r.cpu)) / FILES) * 1000).toFixed(2)} ms | ${(last.requests / FILES).toFixed(2)} | ${Math.round(last.served / FILES).toLocaleString("en")} | ${last.chunks.toLocaleString("en")} |`,
  );
}
lines.push(
  "",
  `Lower bound: the larger of round trips × delay ÷ files in flight = ${FILES} × 1 × ${DELAY} ms ÷ ${IN_FLIGHT} = ${roundTripBound.toFixed(3)} s ` +
    `and the CPU time of indexing the same files from local disk (vzarr, median) = ${localCpu.toFixed(3)} s (wall ${localWall.toFixed(3)} s) → ` +
    `**${lowerBound.toFixed(3)} s**; vzarr is at **${(vz / lowerBound).toFixed(2)}×** it. Transfer time is not in the bound (no bandwidth cap on loopback).`,
  "",
  "VirtualiZarr 2.5.1: `open_virtual_mfdataset(parallel=ThreadPoolExecutor)`, HDFParser, obstore `HTTPStore`; kerchunk 0.2.10: `SingleHdf5ToZarr` over fsspec HTTP (aiohttp) from 8 threads, then `MultiZarrToZarr`. All three load the 1-D coordinates (time, lat, lon).",
  "",
);
lines.push(`## One GRIB2 file over HTTP: ${GRIB_MESSAGES} messages, ${(gribBytes / 1e6).toFixed(0)} MB`, "");
lines.push("| tool | wall (median) | requests | bytes read | messages / request | fields |", "|---|---|---|---|---|---|");
for (const [key, runs] of Object.entries(grib)) {
  const s = median(runs.map((r) => r.seconds));
  const last = runs[runs.length - 1];
  lines.push(
    `| ${key} | ${s.toFixed(3)} s | ${last.requests} | ${(last.served / 1e6).toFixed(1)} MB | ${(GRIB_MESSAGES / last.requests).toFixed(1)} | ${last.chunks} |`,
  );
}
lines.push(
  "",
  "vzarr (.idx): the wgrib2 sidecar `big.grib2.idx` (found by default, its request counted); vzarr (no index): `--idx never`.",
  "",
);
const report = lines.join("\n");
const out = process.env.VZARR_REMOTE_OUT ?? join(REPO, "bench", "results", `remote-${date}.md`);
writeFileSync(out, `${report}\n`);
process.stdout.write(`${report}\n`);
log(`wrote ${out}`);
