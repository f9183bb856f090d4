/**
 * The synthetic 10M-reference dataset (bench/datagen/synthetic_refs.py) as a vzarr
 * VirtualDataset, built from the same formula and parameters (datasets.json), column-wise.
 */
import { join } from "node:path";
import { ChunkManifest, ManifestArray, VirtualDataset, VirtualVariable } from "../../../dist/index.js";

/**
 * @typedef {{ grid: number[]; chunks: number; files: number; per_file: number; spacing: number;
 *   length_base: number; length_mod: number; folder: string; chunk_shape: number[];
 *   variable: string; dims: string[]; sample: number[] }} SyntheticParams
 */

/** @param {SyntheticParams} p @param {number} k */
export const syntheticFile = (p, k) => join(p.folder, `file-${String(k).padStart(4, "0")}.bin`);

/** @param {SyntheticParams} p */
export function syntheticDataset(p) {
  const n = p.chunks;
  const ids = new Uint32Array(n);
  const offsets = new BigUint64Array(n);
  const lengths = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = Math.floor(i / p.per_file);
    offsets[i] = BigInt(4096 + (i % p.per_file) * p.spacing);
    lengths[i] = BigInt(p.length_base + (i % p.length_mod));
  }
  const table = Array.from({ length: p.files }, (_, k) => `file://${syntheticFile(p, k)}`);
  const manifest = ChunkManifest.fromArrays({ shape: p.grid, paths: { table, ids }, offsets, lengths });
  const metadata = {
    shape: p.grid.map((g, a) => g * /** @type {number} */ (p.chunk_shape[a])),
    chunkGrid: /** @type {const} */ ({ kind: "regular", chunkShape: p.chunk_shape }),
    dtype: "<f4",
    codecs: [
      { name: "bytes", configuration: { endian: "little" } },
      { name: "numcodecs.zlib", configuration: { level: 4 } },
    ],
    fillValue: "NaN",
  };
  const variable = new VirtualVariable(p.dims, new ManifestArray(metadata, manifest), { units: "K" });
  return new VirtualDataset({ variables: [[p.variable, variable]] });
}
