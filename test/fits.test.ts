/**
 * FITS through the TypeScript read path on both backends: every image HDU of the generated
 * fixtures (test/fixtures/gen_fits.py) and of astropy's own test files read with `readArray`
 * and `vzarr cat` equals astropy's stored values; header cards, WCS keywords and the CF view of
 * BSCALE/BZERO/BLANK are attributes; what vzarr refuses (HCOMPRESS, PLIO, quantized floats,
 * short edge tiles, tables) is listed as skipped with the reason; the kerchunk JSON and Icechunk
 * repositories we write read in Python (fsspec + zarr + xarray, icechunk + zarr + xarray) with
 * astropy's values, CF-decoded ones included; damaged files fail with tagged errors.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
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
  attrs: Record<string, unknown>;
  cf: { BSCALE?: number; BZERO?: number; BLANK?: number };
  compression: string | null;
}
interface FileOracle {
  variables: Record<string, Entry>;
  root_attrs: Record<string, unknown>;
}

const dir = join(fixtures, "fits");
const oracle = JSON.parse(readFileSync(join(dir, "oracle.json"), "utf8")) as Record<string, FileOracle>;
const files = Object.keys(oracle);
const tmp = mkdtempSync(join(tmpdir(), "vzarr-fits-"));

/** Variables vzarr refuses, with a word of the reason (docs/formats/fits.md). */
const REFUSED: Record<string, string> = {
  HCOMP_I16: "HCOMPRESS_1",
  PLIO_I32: "PLIO_1",
  RICE_F32_QUANTIZED: "quantized",
  RICE_EDGE_TILES: "edge tiles",
};
const readable = (o: FileOracle) => Object.entries(o.variables).filter(([name]) => REFUSED[name] === undefined);

function rawBytes(r: ReadResult): Uint8Array {
  const d = r.data;
  if (Array.isArray(d)) throw new Error("strings");
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function npyData(path: string): Uint8Array {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  return new Uint8Array(b.buffer, b.byteOffset + 10 + headerLen, b.length - 10 - headerLen);
}

describe(`FITS (${core.kind} backend)`, () => {
  it.each(files)("%s: every image equals astropy's values, with its header as attributes", async (file) => {
    const want = oracle[file] as FileOracle;
    using ds = await openVirtualDataset(join(dir, file), { core });
    expect(ds.format).toBe("fits");
    for (const [name, e] of readable(want)) {
      const r = await readArray(ds, name, undefined, { core });
      expect(r.shape, `${file}:${name}`).toEqual(e.shape);
      expect(r.dtype.slice(1), `${file}:${name}`).toBe(e.dtype.slice(1));
      expect(sha256(rawBytes(r)), `${file}:${name}`).toBe(e.sha256);
      const attrs = ds.variable(name).attrs;
      for (const [k, v] of Object.entries(e.attrs)) expect(attrs[k], `${file}:${name} card ${k}`).toEqual(v);
      if (e.cf.BSCALE !== undefined && e.cf.BSCALE !== 1) expect(attrs.scale_factor).toBe(e.cf.BSCALE);
      if (e.cf.BZERO !== undefined && e.cf.BZERO !== 0) expect(attrs.add_offset).toBe(e.cf.BZERO);
      if (e.cf.BLANK !== undefined) expect(attrs._FillValue).toBe(e.cf.BLANK);
    }
    for (const [k, v] of Object.entries(want.root_attrs)) expect(ds.attrs[k], `${file} root card ${k}`).toEqual(v);
  });

  it("keeps WCS keywords, long strings, HIERARCH cards and commentary", async () => {
    using ds = await openVirtualDataset(join(dir, "primary_wcs_i16.fits"), { core });
    const v = ds.variable("PRIMARY");
    expect(v.dims).toEqual(["y", "x"]);
    expect(v.attrs).toMatchObject({
      CTYPE1: "RA---TAN",
      CTYPE2: "DEC--TAN",
      CRVAL1: 150.1,
      CRPIX2: 20.5,
      CUNIT1: "deg",
      "ESO DET CHIP NAME": "CCD-44",
      QUOTE: "it's here",
      FLAG: true,
      COMMENT: "first comment line\nsecond comment line",
      HISTORY: "reduced with gen_fits.py\nstep two",
    });
    expect(v.attrs.LONGSTR).toBe("a long string value ".repeat(8).trimEnd());
  });

  it("names repeated extensions by EXTVER and gives each shape its own dimensions", async () => {
    using hst = await openVirtualDataset(join(dir, "real", "o4sp040b0_raw.fits"), { core });
    expect([...hst.variables.keys()]).toEqual(["SCI", "SCI_2"]);
    using all = await openVirtualDataset(join(dir, "bitpix_all.fits"), { core });
    expect(all.variable("I32").dims).toEqual(["z", "y_I32", "x_I32"]);
    expect(all.variable("I64").dims).toEqual(["x_I64"]);
  });

  it("lists what it does not read, with the reason", async () => {
    using ds = await openVirtualDataset(join(dir, "compressed.fits"), { core });
    for (const [name, word] of Object.entries(REFUSED)) {
      const why = ds.skipped.get(name);
      expect(why?.kind, name).toBe("UnsupportedFeature");
      expect(why?.message, name).toContain(word);
    }
    using tables = await openVirtualDataset(join(dir, "with_tables.fits"), { core });
    expect([...tables.variables.keys()]).toEqual(["PRIMARY", "AFTER"]);
    expect(tables.skipped.get("BTAB")?.message).toContain("binary table");
    expect(tables.skipped.get("ATAB")?.message).toContain("ASCII table");
    const info = JSON.parse((await vzarr(["info", join(dir, "compressed.fits"), "--json"], { VZARR_BACKEND: core.kind })).stdout);
    expect(info.format).toBe("fits");
    expect(info.variables.RICE_I16.codecs.map((c: { name: string }) => c.name)).toEqual(["bytes", "imagecodecs_rcomp"]);
    expect(info.variables.GZIP2_I16.codecs.map((c: { name: string }) => c.name)).toEqual(["bytes", "numcodecs.shuffle", "numcodecs.gzip"]);
  });

  it("vzarr cat reads an image (and a slice) as astropy does", async () => {
    for (const [file, name] of [
      ["compressed.fits", "RICE_I32_TILES"],
      ["real/comp.fits", "COMPRESSED_IMAGE"],
      ["bitpix_all.fits", "F64"],
    ] as const) {
      const out = join(tmp, `${name}.npy`);
      const r = await vzarr(["cat", join(dir, file), name, "-o", out], { VZARR_BACKEND: core.kind });
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(npyData(out)), `${file}:${name}`).toBe(oracle[file]?.variables[name]?.sha256);
    }
  });

  it("Icechunk and kerchunk output read back in vzarr as the files do", async () => {
    for (const file of ["compressed.fits", "scaled.fits", "real/comp.fits"]) {
      using ds = await openVirtualDataset(join(dir, file), { core });
      const repo = join(tmp, `${file.replace("/", "_")}.roundtrip.icechunk`);
      const refs = join(tmp, `${file.replace("/", "_")}.roundtrip.json`);
      await writeIcechunk(ds, repo);
      await writeKerchunk(ds, refs);
      for (const out of [repo, refs]) {
        using back = await openVirtualDataset(out, { core });
        for (const [name, e] of readable(oracle[file] as FileOracle)) {
          const r = await readArray(back, name, undefined, { core });
          expect(sha256(rawBytes(r)), `${out}:${name}`).toBe(e.sha256);
        }
      }
    }
  });

  it("opens a file over HTTP and reads a tile-compressed image from it", async () => {
    const server = await startRangeServer(dir);
    try {
      using ds = await openVirtualDataset(`${server.url}/compressed.fits`, { core, loadableVariables: [] });
      expect(ds.variables.has("RICE_I16")).toBe(true);
      const r = await readArray(ds, "GZIP2_F64", undefined, { core });
      expect(sha256(rawBytes(r))).toBe(oracle["compressed.fits"]?.variables.GZIP2_F64?.sha256);
    } finally {
      await server.close();
    }
  });

  it("fails with tagged errors on damaged files, never hangs", async () => {
    for (const [name, word] of [
      ["truncated_header.fits", "past the end"],
      ["truncated_data.fits", "runs past the end"],
      ["no_end.fits", "END"],
      ["bad_bitpix.fits", "BITPIX"],
      ["bad_naxis.fits", "NAXIS1"],
    ] as const) {
      const path = join(dir, "malformed", name);
      await expect(openVirtualDataset(path, { core }), name).rejects.toMatchObject({
        kind: "CorruptFile",
        message: expect.stringContaining(word),
      });
    }
    using ds = await openVirtualDataset(join(dir, "malformed", "bad_tile_offset.fits"), { core });
    expect(ds.skipped.get("RICE_I16")).toMatchObject({ kind: "CorruptFile", message: expect.stringContaining("outside the heap") });
    // A tile whose stored bytes are damaged: the read fails with CorruptFile naming the variable.
    const good = Buffer.from(readFileSync(join(dir, "real", "compressed_image.fits")));
    const heap = good.lastIndexOf(Buffer.from("END     ")) + 80;
    const damaged = join(tmp, "damaged_tiles.fits");
    const start = Math.ceil(heap / 2880) * 2880;
    good.fill(0xff, start + 80, start + 400);
    writeFileSync(damaged, good);
    using bad = await openVirtualDataset(damaged, { core });
    await expect(readArray(bad, "COMPRESSED_IMAGE", undefined, { core })).rejects.toMatchObject({ kind: "CorruptFile" });
  });
});

describe.runIf(hasPython)(`FITS output read by Python (${core.kind} backend)`, () => {
  type Got = Record<string, { raw?: boolean; decoded?: boolean; raw_error?: string; decoded_error?: string; missing?: boolean }>;
  const refsOf = (file: string) => join(tmp, `${file.replace("/", "_")}.json`);
  const repoOf = (file: string) => join(tmp, `${file.replace("/", "_")}.icechunk`);
  const pathOf = (file: string) => join(dir, file);
  let kerchunk: Record<string, Got> = {};
  let icechunk: Record<string, Got> = {};

  beforeAll(async () => {
    for (const file of files) {
      using ds = await openVirtualDataset(pathOf(file), { core });
      await writeKerchunk(ds, refsOf(file));
      await writeIcechunk(ds, repoOf(file));
    }
    kerchunk = await pythonJson("fits_oracle.py", ["kerchunk", ...files.map((f) => `${pathOf(f)}=${refsOf(f)}`)]);
    icechunk = await pythonJson("fits_oracle.py", ["icechunk", `file://${dir}/`, ...files.map((f) => `${pathOf(f)}=${repoOf(f)}`)]);
  }, 600_000);

  it.each(files)("%s: kerchunk JSON read by fsspec + zarr and xarray equals astropy's values", (file) => {
    const got = kerchunk[pathOf(file)] as Got;
    for (const [name] of readable(oracle[file] as FileOracle)) {
      expect(got[name], `${file}:${name}`).toEqual({ raw: true, decoded: true });
    }
  });

  it.each(files)("%s: Icechunk read by icechunk + zarr and xarray equals astropy's values", (file) => {
    const got = icechunk[pathOf(file)] as Got;
    for (const [name] of readable(oracle[file] as FileOracle)) {
      // RICE_1 tiles are imagecodecs' Rcomp, the array→bytes codec imagecodecs-zarr registers.
      // `decoded_by` says xarray decoded this array alone (another array of the group is RICE_1).
      expect(got[name], `${file}:${name}`).toMatchObject({ raw: true, decoded: true });
      expect(got[name]?.raw_error ?? got[name]?.decoded_error, `${file}:${name}`).toBeUndefined();
    }
  });
});
