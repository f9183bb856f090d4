/**
 * HDF5 / netCDF-4 through the TypeScript read path on both backends: every variable of every
 * generated fixture read with `readArray` equals what netCDF4-python / h5py read; and the
 * kerchunk references we write read back in fsspec + xarray to the same values.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { UnsupportedFeatureError } from "../ts/src/errors/vzarr-error.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

type Digests = Record<string, { shape: number[]; dtype: string; sha256?: string; error?: string }>;

const dir = join(fixtures, "hdf5");
/** Virtualized, but their chunks cannot be decoded by vzarr yet: reads must say so. */
const KNOWN_UNSUPPORTED = new Set(["h5_filters.h5:bitshuffle_zstd"]);
const files = readdirSync(dir).filter((f) => /\.(h5|nc)$/.test(f));
const tmp = mkdtempSync(join(tmpdir(), "vzarr-hdf5-"));

describe.runIf(hasPython)(`HDF5 / netCDF-4 (${core.kind} backend)`, () => {
  it.each(files)("%s: every variable equals the reference library", async (file) => {
    const path = join(dir, file);
    const want = await pythonJson<Digests>("reference_digests.py", [path]);
    using ds = await openVirtualDataset(path, { core, loadableVariables: [] });
    const ours = new Map([...ds.walkVariables()].map(([p, v]) => [p, v]));
    let compared = 0;
    for (const [name, w] of Object.entries(want)) {
      if (w.sha256 === undefined) continue;
      const v = ours.get(name);
      // Variables we report as skipped (unsupported filters, compounds) must be absent, not
      // wrong; reading one fails with the reason the scanner gave.
      if (v === undefined) {
        const parts = name.split("/");
        const leaf = parts.pop() as string;
        const why = ds.group(parts.join("/")).skipped.get(leaf);
        if (why !== undefined) {
          await expect(readArray(ds, name, undefined, { core }), name).rejects.toMatchObject({
            kind: why.kind,
            variable: name,
            file: expect.stringContaining(file),
          });
        }
        continue;
      }
      if (KNOWN_UNSUPPORTED.has(`${file}:${name}`)) {
        await expect(readArray(ds, name, undefined, { core }), name).rejects.toBeInstanceOf(UnsupportedFeatureError);
        continue;
      }
      const r = await readArray(ds, name, undefined, { core });
      expect(r.shape, `${file}:${name}`).toEqual(w.shape);
      expect(digest(r), `${file}:${name}`).toBe(w.sha256);
      compared++;
    }
    expect(compared, file).toBeGreaterThan(0);
  });

  it("lists the variables it leaves out with the reason, and reading one says why", async () => {
    const path = join(dir, "h5_earliest.h5");
    using ds = await openVirtualDataset(path, { core, loadableVariables: [] });
    expect(ds.group("types").skipped.get("compound")).toEqual({
      kind: "UnsupportedFeature",
      message: "the HDF5 compound datatype is not supported (only complex numbers are: members r and i of one 32- or 64-bit float type)",
    });
    await expect(readArray(ds, "types/compound", undefined, { core })).rejects.toMatchObject({
      kind: "UnsupportedFeature",
      // Named by its full path, with the file, though it sits in a group.
      variable: "types/compound",
      file: expect.stringContaining("h5_earliest.h5"),
      message: expect.stringContaining("variable types/compound was left out: the HDF5 compound datatype"),
    });
    await expect(readArray(ds, "types/no_such_variable", undefined, { core })).rejects.toMatchObject({ kind: "NotFound" });
    const info = await vzarr(["info", path, "--json"], { VZARR_BACKEND: core.kind });
    expect(JSON.parse(info.stdout).groups.types.skipped.compound.kind).toBe("UnsupportedFeature");
    const text = await vzarr(["info", path], { VZARR_BACKEND: core.kind });
    expect(text.stdout).toContain("compound: left out (UnsupportedFeature: the HDF5 compound datatype is not supported (only complex");
    const cat = await vzarr(["cat", path, "types/compound", "-o", join(tmp, "compound.npy")], { VZARR_BACKEND: core.kind });
    expect(cat.code).not.toBe(0);
    expect(cat.stderr).toContain("UnsupportedFeature: variable types/compound was left out");
    expect(cat.stderr).toContain("h5_earliest.h5");
  });

  // Zarr v3 complex64/128 with a [real, imaginary] fill value and the bytes codec's byte order.
  it("complex numbers written to Icechunk read in Python icechunk + zarr as h5py reads them", async () => {
    const path = join(dir, "h5_complex_latest.h5");
    const repo = join(tmp, "complex-icechunk");
    const r = await vzarr(["refs", path, "-o", repo, "--format", "icechunk", "--on-unsupported", "skip", "-q"], {
      VZARR_BACKEND: core.kind,
    });
    expect(r.code, r.stderr).toBe(0);
    type Arrays = Record<string, { dtype: string; values: [number | null, number | null][] }>;
    const { arrays } = await pythonJson<{ arrays: Arrays }>("icechunk_oracle.py", ["read", repo, `file://${dir}/`]);
    using ds = await openVirtualDataset(path, { core, loadableVariables: [] });
    const names = ["c64_chunked", "c128_be", "c128_compact", "native_c8", "native_c16_be"];
    for (const name of names) {
      const ours = await readArray(ds, name, undefined, { core });
      const parts = Array.from(ours.data as Float32Array | Float64Array);
      expect(arrays[name]?.dtype, name).toBe(ours.dtype.endsWith("c8") ? "complex64" : "complex128");
      expect(arrays[name]?.values.flat(), name).toEqual(parts);
    }
    // Rows 3..6 were never written: their chunks are missing and read as the fill value.
    expect(arrays.c64_chunked?.values.slice(-9)).toEqual(Array(9).fill([1.5, -2]));
  });

  // Variables with filters numcodecs lacks (szip, HDF5 LZ4, bitshuffle, LZF) are decoded and
  // inlined, so fsspec + xarray read them too.
  it.each(files)("%s: kerchunk refs read by fsspec + xarray equal the reference library", async (file) => {
    const path = join(dir, file);
    const out = join(tmp, `${file}.json`);
    const r = await vzarr(["refs", path, "-o", out, "--on-unsupported", "skip", "-q"], { VZARR_BACKEND: core.kind });
    expect(r.code, r.stderr).toBe(0);
    const want = await pythonJson<Digests>("reference_digests.py", [path]);
    const got = await pythonJson<Digests>("read_refs.py", [out]);
    let compared = 0;
    for (const [name, w] of Object.entries(want)) {
      if (w.sha256 === undefined || name.includes("/") || got[name] === undefined) continue;
      expect(got[name]?.sha256, `${file}:${name}`).toBe(w.sha256);
      compared++;
    }
    if (file === "h5_filters.h5") expect(compared).toBeGreaterThanOrEqual(8);
  });
});
