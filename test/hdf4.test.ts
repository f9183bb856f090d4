/**
 * HDF4 through the TypeScript read path on both backends: every data set of every generated
 * fixture (test/fixtures/gen_hdf4.py) and of VirtualiZarr's real files (MOD14, synthetic
 * fires) read with `readArray` and `vzarr cat` equals pyhdf's values, with pyhdf's dimension
 * names and attributes; Vgroups are groups; compressions without a decoder are left out with
 * the reason; damaged files fail with tagged errors; the kerchunk JSON we write reads the same
 * values in Python (fsspec + zarr, and xarray per group).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { writeIcechunk } from "../ts/src/formats/icechunk/write-dataset.js";
import { writeKerchunk } from "../ts/src/formats/kerchunk/to-kerchunk.js";
import { readArray } from "../ts/src/store/read-array.js";
import type { ReadResult } from "../ts/src/store/read-variable.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";
import { startRangeServer } from "./helpers/range-server.js";

interface Entry {
  shape: number[];
  dtype: string;
  sha256: string;
  dims: string[];
  attrs: Record<string, unknown>;
  error?: string;
}
type FileOracle = Record<string, Entry> & { _attrs: Record<string, unknown>; _skipped?: Record<string, string> };

const dir = join(fixtures, "hdf4");
const oracle = JSON.parse(readFileSync(join(dir, "oracle.json"), "utf8")) as Record<string, FileOracle>;
const files = Object.keys(oracle);
const tmp = mkdtempSync(join(tmpdir(), "vzarr-hdf4-"));

function entries(o: FileOracle): [string, Entry][] {
  return Object.entries(o).filter(([k]) => !k.startsWith("_")) as [string, Entry][];
}

/** The values' bytes (characters as their byte values, as the oracle keeps them). */
function rawBytes(r: ReadResult): Uint8Array {
  const d = r.data;
  if (Array.isArray(d)) return Uint8Array.from(d.map((s) => (typeof s === "string" ? s.charCodeAt(0) || 0 : 0)));
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function variableAt(ds: VirtualDataset, path: string) {
  const parts = path.split("/");
  const name = parts.pop() as string;
  let g = ds;
  for (const p of parts) g = g.group(p);
  return g.variable(name);
}

/** The data of a version-1 `.npy` file (header skipped). */
function npyData(path: string): Uint8Array {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  return new Uint8Array(b.buffer, b.byteOffset + 10 + headerLen, b.length - 10 - headerLen);
}

describe(`HDF4 (${core.kind} backend)`, () => {
  it.each(files)("%s: every data set equals pyhdf's values, dimensions and attributes", async (file) => {
    using ds = await openVirtualDataset(join(dir, file), { core });
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      const v = variableAt(ds, path);
      expect(v.dims, `${file}:${path}`).toEqual(want.dims);
      expect(v.attrs, `${file}:${path}`).toEqual(want.attrs);
      const r = await readArray(ds, path, undefined, { core });
      expect(r.shape, `${file}:${path}`).toEqual(want.shape);
      expect(sha256(rawBytes(r)), `${file}:${path}`).toBe(want.sha256);
    }
    expect(ds.attrs).toEqual(oracle[file]?._attrs);
    expect(Object.fromEntries([...ds.skipped].map(([k, why]) => [k, why.kind]))).toEqual(oracle[file]?._skipped ?? {});
  });

  it("keeps the chunk grid of chunked data sets, and unwritten chunks read as the fill value", async () => {
    using ds = await openVirtualDataset(join(dir, "chunked.hdf"), { core });
    expect(ds.variable("deflate_chunks").metadata.chunkGrid).toEqual({ kind: "regular", chunkShape: [8, 5] });
    expect(ds.variable("deflate_3d").metadata.chunkGrid).toEqual({ kind: "regular", chunkShape: [2, 6, 4] });
    const partial = await readArray(ds, "partial", undefined, { core });
    const values = Array.from(partial.data as Int32Array);
    expect(values.slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(values.slice(40).every((x) => x === -1)).toBe(true);
    using real = await openVirtualDataset(join(dir, "real/MOD14.hdf4"), { core });
    expect(real.variable("fire mask").shape).toEqual([2030, 1354]);
    expect(real.variable("FP_line").shape).toEqual([0]);
  });

  it("Vgroups are groups: data sets sit in the Vgroups that list them", async () => {
    using ds = await openVirtualDataset(join(dir, "vgroups.hdf"), { core });
    expect([...ds.variables.keys()]).toEqual(["free"]);
    const swath = ds.group("MOD_Swath");
    expect([...swath.groups.keys()]).toEqual(["Data Fields", "Geolocation Fields"]);
    expect([...swath.group("Data Fields").variables.keys()]).toEqual(["lst", "qc"]);
    using fields = await openVirtualDataset(join(dir, "vgroups.hdf"), { core, group: "MOD_Swath/Data Fields", dropVariables: ["qc"] });
    expect([...fields.variables.keys()]).toEqual(["lst"]);
    const info = JSON.parse((await vzarr(["info", join(dir, "vgroups.hdf"), "--json"], { VZARR_BACKEND: core.kind })).stdout);
    expect(info.format).toBe("hdf4");
  });

  it("vzarr cat reads a chunked and a compressed data set as pyhdf does", async () => {
    for (const [file, path] of [
      ["chunked.hdf", "deflate_chunks"],
      ["compressed.hdf", "deflated"],
      ["real/MOD14.hdf4", "fire mask"],
    ] as const) {
      const out = join(tmp, `${path.replace(" ", "_")}.npy`);
      const r = await vzarr(["cat", join(dir, file), path, "-o", out], { VZARR_BACKEND: core.kind });
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(npyData(out)), `${file}:${path}`).toBe(oracle[file]?.[path]?.sha256);
    }
  });

  it("opens MOD14 over HTTP in a few ranged reads", async () => {
    const server = await startRangeServer(join(dir, "real"));
    try {
      using ds = await openVirtualDataset(`${server.url}/MOD14.hdf4`, { core, loadableVariables: [] });
      const gets = server.requests.filter((r) => r.method === "GET");
      expect(gets.length).toBeLessThanOrEqual(8);
      const r = await readArray(ds, "algorithm QA", undefined, { core });
      expect(sha256(rawBytes(r))).toBe(oracle["real/MOD14.hdf4"]?.["algorithm QA"]?.sha256);
    } finally {
      await server.close();
    }
  });

  it("fails with tagged errors on damaged files, never hangs", async () => {
    await expect(openVirtualDataset(join(dir, "bad_truncated.hdf"), { core })).rejects.toMatchObject({ kind: "CorruptFile" });
    await expect(openVirtualDataset(join(dir, "bad_loop.hdf"), { core })).rejects.toMatchObject({
      kind: "CorruptFile",
      message: expect.stringContaining("loops"),
    });
    await expect(openVirtualDataset(join(dir, "bad_magic.hdf"), { core, parser: "hdf4" })).rejects.toMatchObject({
      kind: "CorruptFile",
      message: expect.stringContaining("magic"),
    });
    const cli = await vzarr(["info", join(dir, "bad_loop.hdf")], { VZARR_BACKEND: core.kind });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("CorruptFile");
  });
});

describe.runIf(hasPython)(`HDF4 output read by Python (${core.kind} backend)`, () => {
  type Got = Record<string, Entry>;
  const refsOf = (file: string) => join(tmp, `${file.replace("/", "_")}.json`);
  const repoOf = (file: string) => join(tmp, `${file.replace("/", "_")}.icechunk`);
  let kerchunk: Record<string, Got> = {};
  let xr: Record<string, Got> = {};
  let icechunk: Record<string, Got> = {};

  beforeAll(async () => {
    for (const file of files) {
      using ds = await openVirtualDataset(join(dir, file), { core });
      await writeKerchunk(ds, refsOf(file));
      await writeIcechunk(ds, repoOf(file));
    }
    kerchunk = await pythonJson("hdf4_oracle.py", ["kerchunk", ...files.map(refsOf)]);
    xr = await pythonJson("hdf4_oracle.py", ["xarray", ...files.map(refsOf)]);
    // tiff_oracle.py's Icechunk reader is format-neutral (every array of every group).
    const prefixes = [`file://${dir}/`, `file://${join(dir, "real")}/`].join(",");
    icechunk = await pythonJson("tiff_oracle.py", ["icechunk", prefixes, ...files.map(repoOf)]);
  }, 600_000);

  it.each(files)("%s: Icechunk read by icechunk + zarr equals pyhdf's values", (file) => {
    const got = icechunk[repoOf(file)] as Got;
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      expect(got[path]?.error, `${file}:${path}`).toBeUndefined();
      expect(got[path]?.sha256, `${file}:${path}`).toBe(want.sha256);
    }
  });

  it.each(files)("%s: kerchunk JSON read by fsspec + zarr equals pyhdf's values", (file) => {
    const got = kerchunk[refsOf(file)] as Got;
    expect(got._error, file).toBeUndefined();
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      expect(got[path]?.error, `${file}:${path}`).toBeUndefined();
      expect(got[path]?.shape, `${file}:${path}`).toEqual(want.shape);
      expect(got[path]?.sha256, `${file}:${path}`).toBe(want.sha256);
    }
  });

  it.each(files)("%s: xarray opens every group of the kerchunk JSON with pyhdf's dimensions and values", (file) => {
    const got = xr[refsOf(file)] as Got;
    expect(got._error, file).toBeUndefined();
    expect(got["@"], file).toEqual(oracle[file]?._attrs);
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      expect(got[path]?.dims, `${file}:${path}`).toEqual(want.dims);
      expect(got[path]?.sha256, `${file}:${path}`).toBe(want.sha256);
      // xarray shows the Zarr fill value as `_FillValue`: HDF4 keeps one in each chunked data
      // set's header (for chunks never written) that pyhdf does not list among attributes.
      const { _FillValue: fill, ...rest } = got[path]?.attrs ?? {};
      expect("_FillValue" in want.attrs ? { _FillValue: fill, ...rest } : rest, `${file}:${path}`).toEqual(want.attrs);
    }
  });
});
