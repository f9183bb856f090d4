/**
 * vzarr's side of each task, through the public API of the built package (`dist/`), as
 * users call it. The backend (native or wasm) comes from VZARR_BACKEND.
 */
import { writeFileSync } from "node:fs";
import { concat, openVirtualDataset, openVirtualMfdataset, readArray } from "../../../dist/index.js";
import { npyBytes } from "../../../dist/io/npy.js";
import { valueDigest } from "./digest.mjs";
import { virtualVariables } from "./dump-refs.mjs";
import { syntheticDataset } from "./synthetic.mjs";

/** @typedef {import("./clock.mjs").Clock} Clock */
/** @typedef {Record<string, any>} Args */
/** @typedef {{ refs?: ReturnType<typeof virtualVariables>; info?: Record<string, unknown>; free?: () => void }} OpResult */

/** Single-file indexing: every variable stays virtual (no coordinate reads), like the others. */
async function index(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const open = () => openVirtualDataset(a.path, { loadableVariables: [] });
  const ds = await clock.measure(open);
  if (a.repeat) await clock.repeat(async () => (await open()).free(), a.repeat);
  return { refs: virtualVariables(ds), free: () => ds.free() };
}

/** openVirtualMfdataset as users call it: `jobs` files at once (native: scans on the addon's threads), or in-process. */
async function mf(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const ds = await clock.measure(() => openVirtualMfdataset(a.files, { concatDim: a.concat_dim, parallel: a.parallel, jobs: a.jobs }));
  return { refs: [[a.variable, ds.variable(a.variable)]], free: () => ds.free() };
}

/** Index then combine, timed apart in one thread: the counterpart of kerchunk's loop + MultiZarrToZarr. */
async function mfParts(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const ds = await clock.measure(async () => {
    const singles = await clock.part("index", async () => {
      const out = [];
      for (const f of a.files) out.push(await openVirtualDataset(f));
      return out;
    });
    return clock.part("combine", () => concat(singles, a.concat_dim));
  });
  return { refs: [[a.variable, ds.variable(a.variable)]] };
}

/** `VirtualDataset.toKerchunk` / `.toIcechunk` on the synthetic dataset (built untimed). */
async function write(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const ds = syntheticDataset(a.synthetic);
  // The writers' modules load on first use; load them outside the timed part, as the Python
  // side's imports are.
  await import(
    a.format === "icechunk" ? "../../../dist/formats/icechunk/write-dataset.js" : "../../../dist/formats/kerchunk/to-kerchunk.js"
  );
  await clock.measure(async () => {
    if (a.format === "icechunk") {
      await ds.toIcechunk(a.out, { message: "bench", containers: [`file://${a.synthetic.folder.replace(/\/?$/, "/")}`] });
    } else {
      await ds.toKerchunk(a.out, { format: a.format, recordSize: a.record_size });
    }
  });
  ds.free();
  return {};
}

/** A whole variable read back (from a legacy file, a reference set or a repository). */
async function read(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const result = await clock.measure(() => readArray(a.path, a.variable));
  return { info: { digest: valueDigest(result.data), shape: result.shape, dtype: result.dtype } };
}

/** Every message of a GRIB file decoded (scan included), like ecCodes reading the file. */
async function gribDecode(/** @type {Clock} */ clock, /** @type {Args} */ a) {
  const probe = await openVirtualDataset(a.path, { loadableVariables: [] });
  const [[name]] = virtualVariables(probe);
  probe.free();
  const result = await clock.measure(() => readArray(a.path, name));
  if (a.npy) writeFileSync(a.npy, npyBytes(result.data, result.shape, result.dtype));
  return { info: { variable: name, shape: result.shape, dtype: result.dtype } };
}

/** @type {Record<string, (clock: Clock, args: Args) => Promise<OpResult>>} */
export const VZARR_OPS = {
  "vzarr.index": index,
  "vzarr.mf": mf,
  "vzarr.mf_parts": mfParts,
  "vzarr.write": write,
  "vzarr.read": read,
  "vzarr.grib_decode": gribDecode,
};
