/**
 * vzarr's side of bench/remote.bench.mjs, one operation per process:
 *
 *   node vzarr-remote.mjs mf|grib ARGS_JSON
 *
 * prints {"seconds", "cpu", "chunks", "bytes"} (as py_remote.py) on its last line. `mf`:
 * openVirtualMfdataset at its defaults (remote: 64 files in flight) along time; `grib`:
 * openVirtualDataset of one GRIB file (`indexFile` as given).
 */
import { openVirtualDataset, openVirtualMfdataset } from "../../dist/index.js";

const [op, json] = process.argv.slice(2);
const a = JSON.parse(/** @type {string} */ (json));
const t0 = performance.now();
const c0 = process.cpuUsage();
const ds =
  op === "mf"
    ? await openVirtualMfdataset(a.urls, { concatDim: "time", ...(a.jobs ? { jobs: a.jobs } : {}) })
    : await openVirtualDataset(a.url, { indexFile: a.indexFile });
const seconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
let chunks = 0;
let bytes = 0;
for (const [path, v] of ds.walkVariables()) {
  if (op === "mf" && path !== a.variable) continue;
  const data = /** @type {any} */ (v.data);
  if (data?.manifest === undefined) continue;
  const s = data.manifest.stats();
  chunks += s.present;
  bytes += s.referencedBytes;
}
process.stdout.write(`${JSON.stringify({ seconds, cpu: (c.user + c.system) / 1e6, chunks, bytes })}\n`);
process.exit(0);
