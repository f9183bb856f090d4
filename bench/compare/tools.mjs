/**
 * The tools under comparison: how each runs (a fresh Node or Python process) and how it is
 * named in the report.
 */

/** @typedef {{ label: string; runtime: "node" | "python"; env?: Record<string, string> }} Tool */

/** @type {Record<string, Tool>} */
export const TOOLS = {
  "vzarr-native": { label: "vzarr (native)", runtime: "node", env: { VZARR_BACKEND: "native" } },
  "vzarr-wasm": { label: "vzarr (wasm)", runtime: "node", env: { VZARR_BACKEND: "wasm" } },
  kerchunk: { label: "kerchunk", runtime: "python" },
  virtualizarr: { label: "VirtualiZarr", runtime: "python" },
  xarray: { label: "xarray + fsspec / icechunk", runtime: "python" },
  eccodes: { label: "ecCodes", runtime: "python" },
  baseline: { label: "baseline: fs.read + inflate + unshuffle", runtime: "node", env: { VZARR_BACKEND: "native" } },
  zarrita: { label: "zarrita ReferenceStore", runtime: "node", env: { VZARR_BACKEND: "native" } },
};
