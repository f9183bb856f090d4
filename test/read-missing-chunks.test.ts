/** Reading through manifests with missing chunks: those read as the fill value, the rest as stored. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import type { FillValue } from "../ts/src/metadata/array-metadata.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";

// A 5 × 7 float32 array in 2 × 3 chunks (a 3 × 3 grid with partial edge chunks, stored
// full-size), every chunk written to one file; the manifest leaves some out.
const [ROWS, COLS] = [5, 7];
const [CHUNK_ROWS, CHUNK_COLS] = [2, 3];
const [GRID_ROWS, GRID_COLS] = [3, 3];
const SHAPE = [ROWS, COLS];
const value = (i: number, j: number) => i * 100 + j + 0.25;

function fixture(fillValue: FillValue, missing: ReadonlySet<number>) {
  const file = join(mkdtempSync(join(tmpdir(), "vzarr-missing-")), "chunks.bin");
  const chunkBytes = CHUNK_ROWS * CHUNK_COLS * 4;
  const bytes = new Float32Array((GRID_ROWS * GRID_COLS * chunkBytes) / 4);
  for (let ci = 0; ci < GRID_ROWS; ci++)
    for (let cj = 0; cj < GRID_COLS; cj++)
      for (let a = 0; a < CHUNK_ROWS; a++)
        for (let b = 0; b < CHUNK_COLS; b++)
          bytes[(ci * GRID_COLS + cj) * CHUNK_ROWS * CHUNK_COLS + a * CHUNK_COLS + b] = value(ci * CHUNK_ROWS + a, cj * CHUNK_COLS + b);
  writeFileSync(file, new Uint8Array(bytes.buffer));
  const n = GRID_ROWS * GRID_COLS;
  const manifest = ChunkManifest.fromArrays(
    {
      shape: [GRID_ROWS, GRID_COLS],
      paths: Array.from({ length: n }, (_, k) => (missing.has(k) ? "" : `file://${file}`)),
      offsets: Array.from({ length: n }, (_, k) => k * chunkBytes),
      lengths: Array.from({ length: n }, () => chunkBytes),
    },
    core,
  );
  const meta = {
    shape: SHAPE,
    chunkGrid: { kind: "regular" as const, chunkShape: [CHUNK_ROWS, CHUNK_COLS] },
    dtype: "<f4",
    codecs: [{ name: "bytes", configuration: { endian: "little" } }],
    fillValue,
  };
  return new VirtualDataset({ variables: [["x", new VirtualVariable(["y", "x"], new ManifestArray(meta, manifest))]] });
}

/** The naive answer: element (i, j) is stored unless its chunk is missing. */
function expected(fill: number, missing: ReadonlySet<number>, rows: number[], cols: number[]) {
  return rows.flatMap((i) =>
    cols.map((j) => (missing.has(Math.floor(i / CHUNK_ROWS) * GRID_COLS + Math.floor(j / CHUNK_COLS)) ? fill : Math.fround(value(i, j)))),
  );
}

const range = (start: number, stop: number, step = 1) =>
  Array.from({ length: Math.ceil((stop - start) / step) }, (_, k) => start + k * step);

describe(`reading manifests with missing chunks (${core.kind} backend)`, () => {
  const missing = new Set([1, 3, 8]); // an inner chunk, a left-edge chunk, the corner edge chunk
  for (const [label, fill] of [
    ["a non-zero fill value", -9999.5],
    ["NaN", Number.NaN],
    ["zero", 0],
  ] as const) {
    it(`gives ${label} for missing chunks, stored values elsewhere`, async () => {
      const ds = fixture(Number.isNaN(fill) ? "NaN" : fill, missing);
      const whole = await readArray(ds, "x", undefined, { core });
      expect(whole.shape).toEqual(SHAPE);
      expect(Array.from(whole.data as Float32Array)).toEqual(expected(fill, missing, range(0, ROWS), range(0, COLS)));
      const strided = await readArray(
        ds,
        "x",
        [
          { start: 1, stop: 5, step: 2 },
          { start: 0, stop: 7, step: 3 },
        ],
        { core },
      );
      expect(Array.from(strided.data as Float32Array)).toEqual(expected(fill, missing, range(1, ROWS, 2), range(0, COLS, 3)));
      ds.free();
    });
  }

  it("gives the fill value everywhere when every chunk is missing", async () => {
    const all = new Set(range(0, 9));
    const ds = fixture(-1.5, all);
    const got = await readArray(
      ds,
      "x",
      [
        [0, 5],
        [2, 6],
      ],
      { core },
    );
    expect(Array.from(got.data as Float32Array)).toEqual(new Array(20).fill(-1.5));
    ds.free();
  });
});
