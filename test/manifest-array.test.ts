import { describe, expect, it } from "vitest";
import { IncompatibleArraysError, InvalidArgumentError } from "../ts/src/errors/vzarr-error.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { type ArrayMetadata, regularGrid } from "../ts/src/metadata/array-metadata.js";
import { core } from "./helpers/backend.js";

function array(shape: number[], chunks: number[], file: string, meta: Partial<ArrayMetadata> = {}): ManifestArray {
  const grid = shape.map((d, a) => Math.ceil(d / (chunks[a] as number)));
  const n = grid.reduce((x, y) => x * y, 1);
  const manifest = ChunkManifest.fromArrays(
    { shape: grid, paths: Array(n).fill(file), offsets: Array.from({ length: n }, (_, i) => i * 100), lengths: Array(n).fill(100) },
    core,
  );
  return new ManifestArray(
    {
      shape,
      chunkGrid: regularGrid(chunks),
      dtype: "<f4",
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      fillValue: "NaN",
      ...meta,
    },
    manifest,
  );
}

describe(`ManifestArray (${core.kind} backend)`, () => {
  it("concatenates along time when chunks line up", () => {
    using a = array([4, 10], [2, 10], "a.nc");
    using b = array([3, 10], [2, 10], "b.nc");
    using c = ManifestArray.concat([a, b], 0);
    expect(c.shape).toEqual([7, 10]);
    expect(c.metadata.chunkGrid).toEqual(regularGrid([2, 10]));
    expect(c.manifest.entry([3, 0])?.path).toBe("b.nc");
  });

  it("explains each incompatibility", () => {
    using a = array([4, 10], [2, 10], "a.nc");
    using partial = array([3, 10], [2, 10], "b.nc");
    expect(() => ManifestArray.concat([partial, a], 0)).toThrow(/last chunk is partial/);
    using otherDtype = array([4, 10], [2, 10], "c.nc", { dtype: "<f8" });
    expect(() => ManifestArray.concat([a, otherDtype], 0)).toThrow(/dtype <f8/);
    using otherCodecs = array([4, 10], [2, 10], "c.nc", { codecs: [{ name: "bytes", configuration: { endian: "big" } }] });
    expect(() => ManifestArray.concat([a, otherCodecs], 0)).toThrow(IncompatibleArraysError);
    using otherFill = array([4, 10], [2, 10], "c.nc", { fillValue: -9999 });
    expect(() => ManifestArray.concat([a, otherFill], 0)).toThrow(/fill value -9999/);
    using otherChunks = array([4, 10], [2, 5], "c.nc");
    expect(() => ManifestArray.concat([a, otherChunks], 0)).toThrow(/chunked differently on axis 1/);
    using wide = array([4, 12], [2, 12], "c.nc");
    expect(() => ManifestArray.concat([a, wide], 0)).toThrow(/axis 1 differs/);
  });

  it("builds a rectilinear grid for differing chunk lengths only when allowed", () => {
    using jan = array([31, 4], [31, 4], "jan.nc");
    using feb = array([28, 4], [28, 4], "feb.nc");
    expect(() => ManifestArray.concat([jan, feb], 0)).toThrow(/rectilinear/);
    using both = ManifestArray.concat([jan, feb], 0, { allowRectilinear: true });
    expect(both.metadata.chunkGrid).toEqual({ kind: "rectilinear", chunkShapes: [[31, 28], 4] });
    expect(both.manifest.shape).toEqual([2, 1]);
    using tail = both.slice([
      [31, 59],
      [0, 4],
    ]);
    expect(tail.manifest.entry([0, 0])?.path).toBe("feb.nc");
    expect(() =>
      both.slice([
        [1, 59],
        [0, 4],
      ]),
    ).toThrow(InvalidArgumentError);
  });

  it("stacks and broadcasts", () => {
    using a = array([2, 3], [1, 3], "a.nc");
    using b = array([2, 3], [1, 3], "b.nc");
    using s = ManifestArray.stack([a, b], 0);
    expect(s.shape).toEqual([2, 2, 3]);
    expect(s.metadata.chunkGrid).toEqual(regularGrid([1, 1, 3]));
    expect(s.manifest.entry([1, 0, 0])?.path).toBe("b.nc");
    using one = array([1, 3], [1, 3], "one.nc");
    using wide = one.broadcast([5, 4, 3]);
    expect(wide.manifest.shape).toEqual([5, 4, 1]);
    using coarse = array([1, 3], [2, 3], "c.nc");
    expect(() => coarse.broadcast([4, 3])).toThrow(/chunk size is not 1/);
  });
});
