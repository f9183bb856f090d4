/**
 * Canonical dumps of a VirtualDataset's chunk references — the layout of
 * bench/compare/py/refs_dump.py, which compares them with kerchunk's and VirtualiZarr's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Every virtual variable of a dataset tree, by full path (`group/sub/var`).
 * @param {import("../../../dist/index.js").VirtualDataset} ds
 * @param {string} [prefix]
 * @returns {Array<[string, import("../../../dist/index.js").VirtualVariable]>}
 */
export function virtualVariables(ds, prefix = "") {
  /** @type {Array<[string, import("../../../dist/index.js").VirtualVariable]>} */
  const out = [];
  for (const [name, v] of ds.variables) if (v.virtual) out.push([prefix + name, v]);
  for (const [name, g] of ds.groups) out.push(...virtualVariables(g, `${prefix}${name}/`));
  return out;
}

/**
 * @param {string} folder
 * @param {Array<[string, import("../../../dist/index.js").VirtualVariable]>} variables
 */
export function dumpRefs(folder, variables) {
  mkdirSync(folder, { recursive: true });
  /** @type {Record<string, { grid: number[]; paths: string[] }>} */
  const index = {};
  for (const [name, v] of variables) {
    const manifest = /** @type {import("../../../dist/index.js").ManifestArray} */ (v.data).manifest;
    const { table, ids, offsets, lengths } = manifest.columns();
    const stem = join(folder, name.replaceAll("/", "__"));
    writeFileSync(`${stem}.ids`, new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
    writeFileSync(`${stem}.offsets`, new Uint8Array(offsets.buffer, offsets.byteOffset, offsets.byteLength));
    writeFileSync(`${stem}.lengths`, new Uint8Array(lengths.buffer, lengths.byteOffset, lengths.byteLength));
    index[name] = { grid: manifest.shape, paths: table };
  }
  writeFileSync(join(folder, "index.json"), JSON.stringify({ variables: index }));
}
