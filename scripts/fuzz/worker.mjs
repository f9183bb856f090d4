/**
 * The harness's child process: takes {kind, index, seed} messages, builds the mutated input
 * (scripts/fuzz/mutate.mjs), runs openVirtualDataset + readArray on every variable and
 * reports the outcome and the peak memory the input took. Runs under VZARR_BACKEND.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mutateBytes } from "./mutate.mjs";

// VZARR_FUZZ_DIST: another checkout's dist/index.js (to show a finding reproduces before a fix)
const dist = process.env.VZARR_FUZZ_DIST ?? new URL("../../dist/index.js", import.meta.url).href;
const { openVirtualDataset, readArray, VzarrError, currentBackend } = await import(dist);
const work = process.env.VZARR_FUZZ_WORK;
mkdirSync(work, { recursive: true });
const baseCache = new Map();
const ITEM = { b: 1, i: 1, u: 1, f: 1, c: 1, S: 1, U: 4, O: 8, M: 1, m: 1 };
/** Variables above this many bytes are read as their first element only (the rest is real I/O, not parsing). */
const FULL_READ_LIMIT = 64 * 1024 * 1024;

function bytesOf(path) {
  let b = baseCache.get(path);
  if (b === undefined) {
    b = readFileSync(path);
    baseCache.set(path, b);
  }
  return b;
}

/** Peak-RSS reset (Linux): VmHWM then measures this input only. */
function resetPeak() {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {}
}
function status(field) {
  const m = readFileSync("/proc/self/status", "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m === null ? 0 : Number(m[1]) * 1024;
}

function itemSize(dtype) {
  const m = /^[<>|=]?([a-zA-Z])(\d*)/.exec(dtype);
  if (m === null) return 8;
  return (Number(m[2]) || 1) * (m[1] === "U" ? 4 : 1) || ITEM[m[1]] || 8;
}

function chunkBytes(v) {
  const grid = v.metadata?.chunkGrid;
  if (grid?.kind !== "regular") return 0;
  return grid.chunkShape.reduce((a, b) => a * b, 1) * itemSize(v.dtype);
}

function* variablesOf(ds, prefix = "") {
  for (const [name, v] of ds.variables) yield [`${prefix}${name}`, v];
  for (const [name, g] of ds.groups) yield* variablesOf(g, `${prefix}${name}/`);
}

async function run({ kind, base, target, seed, saved }) {
  const source = target === undefined ? base : join(base, target);
  const original = bytesOf(source);
  // a saved finding (test/fixtures/fuzz) is run as it is
  const mutated = saved === undefined ? mutateBytes(original, seed) : readFileSync(saved);
  let path;
  if (target === undefined) {
    path = join(work, `input-${kind}${base.slice(base.lastIndexOf("."))}`);
    writeFileSync(path, mutated);
  } else {
    path = join(work, `set-${kind}`);
    rmSync(path, { recursive: true, force: true });
    cpSync(base, path, { recursive: true });
    writeFileSync(join(path, target), mutated);
  }
  resetPeak();
  const before = status("VmRSS");
  let declared = 0;
  let outcome = "ok";
  let message = "";
  let ds;
  try {
    ds = await openVirtualDataset(path, { loadableVariables: [] });
    let n = 0;
    for (const [name, v] of variablesOf(ds)) {
      if (n++ >= 40) break;
      const shape = v.shape;
      const size = shape.reduce((a, b) => a * b, 1) * itemSize(v.dtype);
      const selection = size > FULL_READ_LIMIT ? shape.map(() => 0) : undefined;
      // what the file declares a reader must hold: the selection, plus one decoded chunk
      // (whole chunks are decoded, however little of them is selected)
      declared += (selection === undefined ? size : itemSize(v.dtype)) + chunkBytes(v);
      try {
        await readArray(ds, name, selection);
      } catch (e) {
        classify(e);
      }
    }
  } catch (e) {
    classify(e);
  } finally {
    try {
      ds?.free();
    } catch (e) {
      classify(e);
    }
  }
  function classify(e) {
    const tagged = e instanceof VzarrError && e.kind !== "Internal";
    const o = tagged ? "tagged" : "untagged";
    // keep the worst: untagged over tagged
    if (outcome !== "untagged") {
      outcome = o;
      // untagged: where it came from too (the first frames of the stack)
      const at = String(e?.stack ?? "")
        .split("\n")
        .slice(1, 7)
        .map((l) => l.trim())
        .join(" | ");
      message = tagged ? `${e.kind}: ${e.reason}` : `${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)} ${at}`.slice(0, 700);
    }
  }
  const peak = Math.max(0, status("VmHWM") - before);
  return { outcome, message: message.slice(0, 700), peak, declared, inputSize: mutated.length };
}

process.on("message", async (msg) => {
  const result = await run(msg).catch((e) => ({
    outcome: "untagged",
    message: `harness: ${e?.stack ?? e}`,
    peak: 0,
    declared: 0,
    inputSize: 0,
  }));
  process.send({ ...msg, ...result, backend: currentBackend().kind });
});
process.send({ ready: true });
