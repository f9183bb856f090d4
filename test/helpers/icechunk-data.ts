/** Datasets over real bytes for the Icechunk tests: float32 files with known values. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LoadedArray } from "../../ts/src/dataset/loaded-array.js";
import { VirtualDataset } from "../../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../../ts/src/dataset/virtual-variable.js";
import { ChunkManifest } from "../../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../../ts/src/manifest/manifest-array.js";
import type { ArrayMetadata, ChunkGrid } from "../../ts/src/metadata/array-metadata.js";

export const f4Codecs = [{ name: "bytes", configuration: { endian: "little" } }];

/** Writes `values` as little-endian float32 to `dir/name`; returns the path. */
export function writeFloat32(dir: string, name: string, values: ArrayLike<number>): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(Float32Array.from(values).buffer));
  return path;
}

/**
 * A virtual float32 array over a file holding its chunks back to back (chunk i at
 * `i * chunkBytes`), with `missing` chunk indices left out.
 */
export function virtualF4(
  path: string,
  shape: number[],
  chunkGrid: ChunkGrid,
  grid: number[],
  chunkElements: number,
  missing: readonly number[] = [],
  fillValue: ArrayMetadata["fillValue"] = "NaN",
): ManifestArray {
  const n = grid.reduce((a, b) => a * b, 1);
  const paths = Array.from({ length: n }, (_, i) => (missing.includes(i) ? "" : path));
  const offsets = Array.from({ length: n }, (_, i) => (missing.includes(i) ? 0 : i * chunkElements * 4));
  const lengths = Array.from({ length: n }, (_, i) => (missing.includes(i) ? 0 : chunkElements * 4));
  const manifest = ChunkManifest.fromArrays({ shape: grid, paths, offsets, lengths });
  return new ManifestArray({ shape, chunkGrid, dtype: "<f4", codecs: f4Codecs, fillValue }, manifest);
}

export function loadedI8(values: number[], dims: string[] = ["t"]): VirtualVariable {
  const meta: ArrayMetadata = {
    shape: [values.length],
    chunkGrid: { kind: "regular", chunkShape: [values.length] },
    dtype: "<i8",
    codecs: f4Codecs,
    fillValue: 0,
  };
  return new VirtualVariable(
    dims,
    new LoadedArray(
      meta,
      BigInt64Array.from(values, (v) => BigInt(v)),
    ),
  );
}

/**
 * One time step block: `temp(time, y)` virtual (chunk 1×4, one file per call) plus a loaded
 * `time` coordinate, for append tests.
 */
export function timeBlock(dir: string, name: string, times: number[], base: number): VirtualDataset {
  const values = times.flatMap((_, t) => [0, 1, 2, 3].map((y) => base + t * 10 + y));
  const path = writeFloat32(dir, name, values);
  const temp = new VirtualVariable(
    ["time", "y"],
    virtualF4(path, [times.length, 4], { kind: "regular", chunkShape: [1, 4] }, [times.length, 1], 4),
  );
  return new VirtualDataset({
    variables: [
      ["temp", temp],
      ["time", loadedI8(times, ["time"])],
    ],
    attrs: { kind: "block" },
  });
}
