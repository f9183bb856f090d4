/**
 * A netCDF4 file written by the Python stack (`kerchunk_interop.py make`) with its chunk
 * locations as h5py reports them, and a VirtualDataset built from those locations directly
 * (no scanner involved), for testing the kerchunk readers and writers against real bytes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Core } from "../../ts/src/backend/core.js";
import { VirtualDataset } from "../../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../../ts/src/dataset/virtual-variable.js";
import { ChunkManifest } from "../../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../../ts/src/manifest/manifest-array.js";
import { type CodecSpec, regularGrid } from "../../ts/src/metadata/array-metadata.js";
import { pythonScript, runPythonJson } from "./python.js";

export interface H5Variable {
  shape: number[];
  chunks: number[];
  dtype: string;
  filters: { id: string; [k: string]: unknown }[];
  fill_value: number | null;
  attrs: Record<string, unknown>;
  dims: string[];
  /** `[...chunk coords, offset, size]` per allocated chunk. */
  refs: number[][];
}

export interface H5Fixture {
  dir: string;
  file: string;
  url: string;
  variables: Record<string, H5Variable>;
}

export const interopScript = { file: pythonScript("kerchunk_interop.py") };

/** Per group, per variable: how xarray read the references compared with the original file. */
export type CompareReport = Record<string, Record<string, { present: boolean; equal: boolean; nan: number; dims: string[] } | string[]>>;

/**
 * Opens each reference set (`[engine, path]`, engine = json | fastparquet | pyarrow) with
 * fsspec + xarray in one Python process and compares the root group and `forecast` with
 * the fixture file as xarray reads it.
 */
export async function compareWithFixture(fx: H5Fixture, sets: readonly (readonly [string, string])[]): Promise<CompareReport[]> {
  const specs = sets.map(([engine, path]) => `${engine}:${path}`);
  const out = await runPythonJson<Record<string, CompareReport>>(interopScript, ["compare", fx.file, ",forecast", ...specs]);
  return specs.map((s) => out[s] as CompareReport);
}

export async function makeH5Fixture(): Promise<H5Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "vzarr-kerchunk-"));
  const made = await runPythonJson<{ file: string; variables: Record<string, H5Variable> }>(interopScript, ["make", dir]);
  const file = join(dir, "data.nc");
  return { dir, file, url: pathToFileURL(file).href, variables: made.variables };
}

function codecsOf(v: H5Variable): CodecSpec[] {
  const order = v.dtype.startsWith(">") ? "big" : "little";
  const codecs: CodecSpec[] = [v.dtype.endsWith("1") ? { name: "bytes" } : { name: "bytes", configuration: { endian: order } }];
  for (const { id, ...cfg } of v.filters) codecs.push({ name: `numcodecs.${id}`, configuration: cfg });
  return codecs;
}

/** The fixture's variables as a VirtualDataset (groups from the paths). */
export function datasetFromFixture(fx: H5Fixture, core: Core, options: { url?: string; only?: string[] } = {}): VirtualDataset {
  const byGroup = new Map<string, [string, VirtualVariable][]>();
  for (const [path, v] of Object.entries(fx.variables)) {
    if (options.only !== undefined && !options.only.includes(path)) continue;
    const grid = v.shape.map((d, a) => Math.ceil(d / (v.chunks[a] as number)));
    const n = grid.reduce((a, b) => a * b, 1);
    const paths: string[] = Array(n).fill("");
    const offsets: number[] = Array(n).fill(0);
    const lengths: number[] = Array(n).fill(0);
    for (const r of v.refs) {
      const coords = r.slice(0, v.shape.length);
      const flat = coords.reduce((f, c, a) => f * (grid[a] as number) + c, 0);
      paths[flat] = options.url ?? fx.url;
      offsets[flat] = r[v.shape.length] as number;
      lengths[flat] = r[v.shape.length + 1] as number;
    }
    const manifest = ChunkManifest.fromArrays({ shape: grid, paths, offsets, lengths }, core);
    const array = new ManifestArray(
      { shape: v.shape, chunkGrid: regularGrid(v.chunks), dtype: v.dtype, codecs: codecsOf(v), fillValue: v.fill_value },
      manifest,
    );
    const slash = path.lastIndexOf("/");
    const group = slash < 0 ? "" : path.slice(0, slash);
    const list = byGroup.get(group) ?? [];
    list.push([path.slice(slash + 1), new VirtualVariable(v.dims, array, v.attrs)]);
    byGroup.set(group, list);
  }
  const groups = [...byGroup.keys()]
    .filter((g) => g !== "")
    .map((g) => [g, new VirtualDataset({ variables: byGroup.get(g), attrs: { model: "toy" } })] as [string, VirtualDataset]);
  return new VirtualDataset({ variables: byGroup.get(""), groups, attrs: { title: "vzarr kerchunk interop" } });
}
