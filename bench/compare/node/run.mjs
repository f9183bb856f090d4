/**
 * One measurement in a fresh process: `node bench/compare/node/run.mjs OP 'JSON ARGS' | @ARGS.json`.
 * Loads the backend first (VZARR_BACKEND=native|wasm), runs the operation, prints one JSON
 * line: the clock's figures plus what the operation returned; with `dump` in ARGS, the chunk
 * references it produced go to a canonical dump after the measured part.
 */
import { readFileSync } from "node:fs";
import { loadBackend } from "../../../dist/index.js";
import { Clock } from "./clock.mjs";
import { dumpRefs } from "./dump-refs.mjs";
import { HTTP_OPS } from "./http-read.mjs";
import { BASELINE_OPS } from "./read-baseline.mjs";
import { VZARR_OPS } from "./vzarr-ops.mjs";

const OPS = { ...VZARR_OPS, ...BASELINE_OPS, ...HTTP_OPS };

const [op, raw] = process.argv.slice(2);
const run = OPS[/** @type {keyof typeof OPS} */ (op ?? "")];
if (run === undefined) throw new Error(`unknown operation ${op}`);
// Long argument lists (a thousand file names) come in a file: `@path`.
const args = JSON.parse(raw?.startsWith("@") ? readFileSync(raw.slice(1), "utf8") : (raw ?? "{}"));
const core = await loadBackend();
const clock = new Clock();
const result = await run(clock, args);
/** @type {Record<string, unknown>} */
const out = { ...clock.result(), backend: core.kind };
if (result.refs !== undefined) {
  if (args.dump) dumpRefs(args.dump, result.refs);
  out.variables = result.refs.map(([name]) => name).sort();
}
if (result.info !== undefined) out.info = result.info;
result.free?.();
process.stdout.write(`${JSON.stringify(out)}\n`);
