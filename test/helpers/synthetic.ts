/**
 * Small in-memory datasets shaped like one netCDF file each (time × lat × lon data variable,
 * loaded coordinates), for combine tests that need no files.
 */
import type { Core } from "../../ts/src/backend/core.js";
import { LoadedArray } from "../../ts/src/dataset/loaded-array.js";
import { VirtualDataset } from "../../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../../ts/src/dataset/virtual-variable.js";
import { ChunkManifest } from "../../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../../ts/src/manifest/manifest-array.js";
import { type ArrayMetadata, regularGrid } from "../../ts/src/metadata/array-metadata.js";

export interface FileSpec {
  file: string;
  times: number[];
  units?: string;
  calendar?: string;
  /** Chunk length along time (default 1). */
  timeChunk?: number;
  /** Chunk shape of `air` (default [timeChunk, NLAT, NLON]). */
  chunks?: number[];
  lat?: number[];
  air?: Partial<ArrayMetadata>;
  airAttrs?: Record<string, unknown>;
  /** Load the time coordinate (default) or keep it virtual. */
  virtualTime?: boolean;
}

export const NLAT = 2;
export const NLON = 3;

function loaded(values: number[], attrs: Record<string, unknown>, dim: string): VirtualVariable {
  const meta: ArrayMetadata = {
    shape: [values.length],
    chunkGrid: regularGrid([values.length || 1]),
    dtype: "<f8",
    codecs: [],
    fillValue: "NaN",
  };
  return new VirtualVariable([dim], new LoadedArray(meta, Float64Array.from(values)), attrs);
}

/** A manifest whose chunk i of `file` sits at offset 1000 + 100 i. */
export function manifestArray(
  core: Core,
  file: string,
  shape: number[],
  chunks: number[],
  meta: Partial<ArrayMetadata> = {},
): ManifestArray {
  const grid = shape.map((d, a) => Math.ceil(d / (chunks[a] as number)));
  const n = grid.reduce((x, y) => x * y, 1);
  const manifest = ChunkManifest.fromArrays(
    { shape: grid, paths: Array(n).fill(file), offsets: Array.from({ length: n }, (_, i) => 1000 + i * 100), lengths: Array(n).fill(100) },
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

export function fileDataset(core: Core, spec: FileSpec): VirtualDataset {
  const nt = spec.times.length;
  const timeAttrs = { units: spec.units ?? "days since 2000-01-01", ...(spec.calendar === undefined ? {} : { calendar: spec.calendar }) };
  const time = spec.virtualTime
    ? new VirtualVariable(["time"], manifestArray(core, spec.file, [nt], [nt], { dtype: "<f8" }), timeAttrs)
    : loaded(spec.times, timeAttrs, "time");
  const air = new VirtualVariable(
    ["time", "lat", "lon"],
    manifestArray(core, spec.file, [nt, NLAT, NLON], spec.chunks ?? [spec.timeChunk ?? 1, NLAT, NLON], spec.air),
    { units: "K", ...(spec.airAttrs ?? {}) },
  );
  return new VirtualDataset({
    variables: [
      ["time", time],
      ["lat", loaded(spec.lat ?? [10, 20], { units: "degrees_north" }, "lat")],
      ["lon", loaded([0, 1, 2], { units: "degrees_east" }, "lon")],
      ["air", air],
    ],
    attrs: { title: spec.file },
    sources: [[spec.file, { size: 1 }]],
  });
}

/** The (path, offset) of every chunk of a virtual variable, in C order. */
export function chunkRefs(v: VirtualVariable): string[] {
  const m = (v.data as ManifestArray).manifest;
  return [...m.entries()].map((e) => (e === null ? "-" : `${e.path}@${e.offset}`));
}
