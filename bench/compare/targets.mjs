/**
 * The benchmark targets of issues 2–7 and 9, each judged met / not met from this run's
 * measurements, with the figure it was judged on. A comparison whose references or values
 * were not proven equivalent is "invalid", never met.
 */
import { formatSeconds as sec } from "./format.mjs";
import { median } from "./stats.mjs";

/**
 * @typedef {{ issue: number; target: string; measured: string; status: "met" | "not met" | "invalid" | "not measured" }} TargetResult
 * @typedef {import("./run-task.mjs").TaskResult} TaskResult
 */

const x = (/** @type {number} */ v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** @param {TaskResult[]} results */
function lookup(results) {
  const entry = (/** @type {string} */ task, /** @type {string} */ key) =>
    results.find((r) => r.task.id === task)?.entries.find((e) => e.key === key);
  const seconds = (/** @type {string} */ task, /** @type {string} */ key) => {
    const e = entry(task, key);
    return e?.runs.length ? median(e.runs.map((r) => r.seconds)) : undefined;
  };
  const warmSeconds = (/** @type {string} */ task, /** @type {string} */ key) => {
    const warm = (entry(task, key)?.runs ?? []).map((r) => r.warm_seconds).filter((s) => s !== undefined);
    return warm.length ? median(warm) : undefined;
  };
  const valid = (/** @type {string} */ task, /** @type {string} */ key) => entry(task, key)?.verdict.valid === true;
  return { entry, seconds, warmSeconds, valid, has: (/** @type {string} */ task) => results.some((r) => r.task.id === task) };
}

/**
 * @param {TaskResult[]} results
 * @param {{ manifest?: any; combine?: any; browser?: any }} figures
 * @returns {TargetResult[]}
 */
export function judgeTargets(results, figures) {
  const { entry, seconds, warmSeconds, valid, has } = lookup(results);
  /** @type {TargetResult[]} */
  const out = [];
  const add = (
    /** @type {number} */ issue,
    /** @type {string} */ target,
    /** @type {string} */ measured,
    /** @type {TargetResult["status"]} */ status,
  ) => out.push({ issue, target, measured, status });

  /** "vzarr is ≥ k× faster than `other`" on a task. */
  const faster = (
    /** @type {number} */ issue,
    /** @type {string} */ task,
    /** @type {string} */ other,
    /** @type {number} */ k,
    /** @type {string} */ what,
    ref = "vzarr-native",
  ) => {
    if (!has(task)) return;
    const a = seconds(task, ref);
    const b = seconds(task, other);
    if (a === undefined || b === undefined) return add(issue, `≥ ${k}× faster than ${what}`, "no successful run", "not measured");
    const ratio = b / a;
    const label = entry(task, ref)?.label ?? ref;
    const measured = `${x(ratio)}× (${label} ${sec(a)} vs ${sec(b)})`;
    add(
      issue,
      `${task}: ≥ ${k}× faster than ${what}`,
      measured,
      valid(task, ref) && valid(task, other) ? (ratio >= k ? "met" : "not met") : "invalid",
    );
  };
  /** "wasm within k× native" on a task. */
  const wasmWithin = (/** @type {number} */ issue, /** @type {string} */ task, k = 2) => {
    // The first call in a fresh process (what the tables show) and, where measured, repeat
    // calls in one process: wasm's first call also pays for baseline-tier code and for
    // faulting in fresh linear memory, fixed costs that a 20 ms task cannot hide.
    const cases = [
      ["", seconds],
      [", repeat calls in one process", warmSeconds],
    ];
    for (const [when, time] of /** @type {[string, typeof seconds][]} */ (cases)) {
      const n = time(task, "vzarr-native");
      const w = time(task, "vzarr-wasm");
      if (n === undefined || w === undefined) continue;
      add(
        issue,
        `${task}: wasm within ${k}× native (Node${when})`,
        `${x(w / n)}× (${sec(w)} vs ${sec(n)})`,
        valid(task, "vzarr-wasm") ? (w / n <= k ? "met" : "not met") : "invalid",
      );
    }
  };

  // Issue 2 — manifests.
  const m = figures.manifest;
  if (m && !m.error) {
    for (const kind of ["native", "wasm"])
      add(2, `≤ 24 bytes per chunk (${kind})`, `${m.bytesPerChunk[kind].toFixed(1)} B`, m.bytesPerChunk[kind] <= 24 ? "met" : "not met");
    for (const kind of ["native", "wasm"]) {
      const r = m.ratios[`${kind} concat / memcpy`];
      add(2, `concat within 3× the memcpy baseline (${kind}, Buffer.concat)`, `${x(r)}×`, r <= 3 ? "met" : "not met");
    }
    for (const op of ["build", "concat"]) {
      const r = m.ratios[`wasm / native (${op})`];
      add(
        2,
        `wasm within 2× native (${op} ${op === "build" ? m.big.toLocaleString("en") + "-chunk manifest" : `${m.parts.toLocaleString("en")} manifests`})`,
        `${x(r)}×`,
        r <= 2 ? "met" : "not met",
      );
    }
  } else add(2, "manifest figures", m?.error ?? "not run", "not measured");

  // Issue 3 — HDF5 / netCDF-4 indexing.
  for (const task of ["index-nc4", "index-h5-ea", "index-h5-bt2"]) {
    faster(3, task, "kerchunk", 20, "kerchunk SingleHdf5ToZarr");
    faster(3, task, "virtualizarr", 5, "VirtualiZarr HDFParser");
    const n = seconds(task, "vzarr-native");
    const count = results.find((r) => r.task.id === task)?.task.count?.n;
    if (n !== undefined && count !== undefined) {
      const rate = count / n;
      add(
        3,
        `${task}: native ≥ 3 M chunks/s (warm file)`,
        `${(rate / 1e6).toFixed(2)} M chunks/s`,
        valid(task, "vzarr-native") ? (rate >= 3e6 ? "met" : "not met") : "invalid",
      );
    }
    wasmWithin(3, task);
  }

  // Issue 4 — read path.
  if (has("read-local")) {
    const base = seconds("read-local", "baseline");
    for (const key of ["vzarr-native", "vzarr-wasm"]) {
      const s = seconds("read-local", key);
      if (s === undefined || base === undefined) continue;
      const share = base / s;
      add(
        4,
        `local whole-variable read ≥ 80% of read+decode baseline throughput (${key.slice(6)})`,
        `${(100 * share).toFixed(0)}% (${sec(s)} vs baseline ${sec(base)})`,
        valid("read-local", key) && valid("read-local", "baseline") ? (share >= 0.8 ? "met" : "not met") : "invalid",
      );
    }
  }
  if (has("http-requests")) {
    const ours = entry("http-requests", "vzarr-native")?.runs[0]?.info?.requests;
    const theirs = entry("http-requests", "zarrita")?.runs[0]?.info?.requests;
    if (ours !== undefined && theirs !== undefined) {
      const r = theirs / ours;
      add(
        4,
        "HTTP: ≥ 5× fewer requests than zarrita's ReferenceStore",
        `${x(r)}× fewer (${ours} vs ${theirs})`,
        valid("http-requests", "vzarr-native") && valid("http-requests", "zarrita") ? (r >= 5 ? "met" : "not met") : "invalid",
      );
    }
  }

  // Issue 5 — writers.
  const rates = { json: 1e6, parquet: 2e6, icechunk: 1e6 };
  for (const [format, min] of Object.entries(rates)) {
    const task = `write-${format}`;
    const s = seconds(task, "vzarr-native");
    const count = results.find((r) => r.task.id === task)?.task.count?.n;
    if (s !== undefined && count !== undefined) {
      const rate = count / s;
      add(
        5,
        `${task}: ≥ ${min / 1e6} M refs/s (native)`,
        `${(rate / 1e6).toFixed(2)} M refs/s`,
        valid(task, "vzarr-native") ? (rate >= min ? "met" : "not met") : "invalid",
      );
    }
    faster(5, task, "virtualizarr", 5, format === "icechunk" ? "VirtualiZarr to_icechunk" : "VirtualiZarr to_kerchunk");
    const e = entry(task, "vzarr-native");
    if (e?.runs.length)
      add(5, `${task}: peak memory reported`, `${Math.max(...e.runs.map((r) => r.peak_rss_mb)).toFixed(0)} MB peak RSS (native)`, "met");
  }

  // Issue 6 — GRIB and netCDF-3.
  faster(6, "scan-grib", "kerchunk", 20, "kerchunk scan_grib");
  for (const task of ["decode-simple", "decode-complex"]) {
    const ours = seconds(task, "vzarr-native");
    const theirs = seconds(task, "eccodes");
    if (ours === undefined || theirs === undefined) continue;
    const share = theirs / ours;
    add(
      6,
      `${task}: decoding at ≥ 50% of ecCodes' speed`,
      `${(100 * share).toFixed(0)}% (${sec(ours)} vs ${sec(theirs)})`,
      valid(task, "vzarr-native") ? (share >= 0.5 ? "met" : "not met") : "invalid",
    );
  }
  faster(6, "index-netcdf3", "virtualizarr", 10, "VirtualiZarr NetCDF3Parser");

  // Issue 7 — combining.
  const c = figures.combine;
  if (c && !c.error) {
    const row = c.rows.find((/** @type {any} */ r) => r.kind === "native" && r.op === "concat");
    add(
      7,
      `combine ${c.files.toLocaleString("en")} single-file datasets × 100 chunks < 0.5 s (native)`,
      `${(row.median / 1000).toFixed(3)} s`,
      row.median < 500 ? "met" : "not met",
    );
  } else add(7, "combine figures", c?.error ?? "not run", "not measured");
  if (has("mf-daily")) {
    const parts = entry("mf-daily", "vzarr-native-parts");
    const kerchunk = entry("mf-daily", "kerchunk");
    if (parts?.runs.length && kerchunk?.runs.length) {
      const ours = median(parts.runs.map((r) => r.parts.combine ?? NaN));
      const theirs = median(kerchunk.runs.map((r) => r.parts.combine ?? NaN));
      add(
        7,
        "mf-daily: combine step ≥ 50× faster than kerchunk MultiZarrToZarr (same files)",
        `${x(theirs / ours)}× (concat ${sec(ours)} vs MultiZarrToZarr ${sec(theirs)})`,
        parts.verdict.valid && kerchunk.verdict.valid ? (theirs / ours >= 50 ? "met" : "not met") : "invalid",
      );
    }
    faster(7, "mf-daily", "virtualizarr", 10, "VirtualiZarr open_virtual_mfdataset (one process each)");
    const j1 = seconds("mf-daily", "vzarr-native-jobs1");
    const j2 = seconds("mf-daily", "vzarr-native-jobs2");
    if (j1 !== undefined && j2 !== undefined) {
      add(
        7,
        "opening the files scales with --jobs on 2 cores (--jobs 2 ≥ 1.25× faster than --jobs 1)",
        `${x(j1 / j2)}× (${sec(j1)} → ${sec(j2)})`,
        j1 / j2 >= 1.25 ? "met" : "not met",
      );
    }
  }

  // Issue 9 — wasm in the browser (bench/browser-scan.mjs: Chromium, File/Blob input, vs native Node).
  const b = figures.browser;
  const browserTarget = "wasm scanning in Chromium within 2× native scanning in Node (1M-chunk netCDF-4 file)";
  if (b?.present && b.ratio !== undefined)
    add(9, browserTarget, `${x(b.ratio)}× (bench/browser-scan.mjs, File/Blob in the page)`, b.ratio <= 2 ? "met" : "not met");
  else
    add(
      9,
      browserTarget,
      b?.present
        ? "bench/browser-scan.mjs ran but reported no ratio"
        : `${b?.reason ?? "not run"}; the Node wasm/native ratios (issue 3 rows) stand in`,
      "not measured",
    );
  return out;
}
