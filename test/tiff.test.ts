/**
 * TIFF / BigTIFF / GeoTIFF / COG through the TypeScript read path on both backends: every image
 * of every generated fixture (test/fixtures/gen_tiff.py) read with `readArray` and `vzarr cat`
 * equals tifffile's values; GeoTIFF coordinates and CRS equal rioxarray's; the kerchunk JSON and
 * Icechunk repositories we write read the same values in Python (fsspec + zarr + imagecodecs,
 * icechunk + zarr + virtual-tiff's codecs, xarray + rioxarray); a stack of GeoTIFFs combines
 * along a new dimension with `concatDim`.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
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
  values_b64?: string;
  jpeg?: boolean;
  error?: string;
}
interface Geo {
  x: number[];
  y: number[];
  epsg: number | null;
  transform: number[];
  nodata: string | null;
  tags: Record<string, string>;
  band_tags: Record<string, string>;
  scales: number[];
  offsets: number[];
}
type FileOracle = Record<string, Entry> & { _geo?: Geo };

const dir = join(fixtures, "tiff");
const oracle = JSON.parse(readFileSync(join(dir, "oracle.json"), "utf8")) as Record<string, FileOracle>;
const files = Object.keys(oracle);
const tmp = mkdtempSync(join(tmpdir(), "vzarr-tiff-"));

function entries(o: FileOracle): [string, Entry][] {
  return Object.entries(o).filter(([k]) => !k.startsWith("_")) as [string, Entry][];
}

function rawBytes(r: ReadResult): Uint8Array {
  const d = r.data;
  if (Array.isArray(d)) throw new Error("strings");
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Values equal the oracle's: exactly, or within 3 levels for JPEG (decoders differ). */
function expectValues(bytes: Uint8Array, want: Entry, what: string) {
  if (want.jpeg === true) {
    const ref = Buffer.from(want.values_b64 as string, "base64");
    expect(bytes.length, what).toBe(ref.length);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((bytes[i] as number) - (ref[i] as number)));
    expect(worst, what).toBeLessThanOrEqual(3);
  } else {
    expect(sha256(bytes), what).toBe(want.sha256);
  }
}

/** The data of a version-1 `.npy` file (header skipped). */
function npyData(path: string): Uint8Array {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  return new Uint8Array(b.buffer, b.byteOffset + 10 + headerLen, b.length - 10 - headerLen);
}

describe(`TIFF (${core.kind} backend)`, () => {
  it.each(files)("%s: every image equals tifffile's values", async (file) => {
    using ds = await openVirtualDataset(join(dir, file), { core });
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      const r = await readArray(ds, path, undefined, { core });
      expect(r.shape, `${file}:${path}`).toEqual(want.shape);
      expect(r.dtype.slice(1), `${file}:${path}`).toBe(want.dtype.slice(1));
      expectValues(rawBytes(r), want, `${file}:${path}`);
    }
  });

  it.each(files.filter((f) => oracle[f]?._geo !== undefined))("%s: coordinates and CRS equal rioxarray's", async (file) => {
    const geo = oracle[file]?._geo as Geo;
    using ds = await openVirtualDataset(join(dir, file), { core });
    const rotated = geo.transform[1] !== 0 || geo.transform[3] !== 0;
    if (rotated) {
      expect(ds.variables.has("x")).toBe(false);
    } else {
      expect(Array.from((await readArray(ds, "x", undefined, { core })).data as Float64Array)).toEqual(geo.x);
      expect(Array.from((await readArray(ds, "y", undefined, { core })).data as Float64Array)).toEqual(geo.y);
    }
    const ref = ds.variable("spatial_ref").attrs;
    // Where GDAL's CRS matches no EPSG code exactly, vzarr still names the file's own
    // ProjectedCSType / GeographicType code (rioxarray then says null).
    if (geo.epsg !== null) expect(ref.crs_wkt).toBe(`EPSG:${geo.epsg}`);
    const [a, b, c, d, e, f] = geo.transform as [number, number, number, number, number, number];
    expect(String(ref.GeoTransform).split(" ").map(Number)).toEqual([c, a, b, f, d, e]);
    const attrs = ds.variable("band_data").attrs;
    expect(attrs.grid_mapping).toBe("spatial_ref");
    if (geo.nodata !== null) {
      const nodata = Number(geo.nodata);
      if (Number.isNaN(nodata)) expect(attrs._FillValue).toBe("NaN");
      else expect(attrs._FillValue).toBe(nodata);
    }
    for (const [k, v] of Object.entries(geo.tags)) {
      // GDAL also reports baseline TIFF tags (TIFFTAG_*) as metadata; vzarr does not.
      if (k.startsWith("TIFFTAG_")) continue;
      if (k !== "AREA_OR_POINT" || attrs[k] !== undefined) expect(attrs[k], `${file} tag ${k}`).toBe(v);
    }
    if (geo.scales[0] !== 1 && geo.scales.length === 1) expect(attrs.scale_factor).toBe(geo.scales[0]);
    if (geo.offsets[0] !== 0 && geo.offsets.length === 1) expect(attrs.add_offset).toBe(geo.offsets[0]);
  });

  it("groups a COG's overviews and masks, and reads from any group", async () => {
    using ds = await openVirtualDataset(join(dir, "cog_u8_mask.tif"), { core });
    expect([...ds.groups.keys()]).toEqual(["mask", "overview_1", "overview_2"]);
    expect([...ds.variables.keys()].sort()).toEqual(["band_data", "spatial_ref", "x", "y"]);
    expect([...ds.group("overview_2").groups.keys()]).toEqual(["mask"]);
    const o1 = ds.group("overview_1");
    expect(o1.variable("band_data").dims).toEqual(["y", "x"]);
    expect(o1.variable("x").shape).toEqual([128]);
    const info = JSON.parse((await vzarr(["info", join(dir, "cog_u8_mask.tif"), "--json"], { VZARR_BACKEND: core.kind })).stdout);
    expect(info.format).toBe("tiff");
    expect(Object.keys(info.groups)).toEqual(["mask", "overview_1", "overview_2"]);
    expect(info.groups.mask.variables.mask.codecs.map((c: { name: string }) => c.name)).toContain("imagecodecs_packints");
  });

  it("vzarr cat reads an image (and a slice) as tifffile does", async () => {
    for (const [file, path] of [
      ["strip_u16_lzw_be.tif", "band_data"],
      ["planar_u16_deflate_pred2.tif", "band_data"],
      ["cog_u8_mask.tif", "overview_1/band_data"],
      ["tile_i16_zstd_pred2_be.tif", "band_data"],
    ] as const) {
      const out = join(tmp, `${file}.npy`);
      const r = await vzarr(["cat", join(dir, file), path, "-o", out], { VZARR_BACKEND: core.kind });
      expect(r.code, r.stderr).toBe(0);
      expectValues(npyData(out), oracle[file]?.[path] as Entry, `${file}:${path}`);
    }
    const out = join(tmp, "slice.npy");
    const r = await vzarr(["cat", join(dir, "strip_u8_none.tif"), "band_data", "--slice", "48:61,0:80", "-o", out], {
      VZARR_BACKEND: core.kind,
    });
    expect(r.code, r.stderr).toBe(0);
    using ds = await openVirtualDataset(join(dir, "strip_u8_none.tif"), { core });
    const all = rawBytes(await readArray(ds, "band_data", undefined, { core }));
    expect(Buffer.from(npyData(out))).toEqual(Buffer.from(all.subarray(48 * 80)));
  });

  it("Icechunk and kerchunk output with predictors read back in vzarr as the files do", async () => {
    for (const file of [
      "gdal_f32_deflate_pred2.tif",
      "tile_f64_deflate_pred3_be.tif",
      "tile_i16_zstd_pred2_be.tif",
      "strip_rgb_u16_deflate_pred2.tif",
      "jpeg_rgb_tiles.tif",
    ]) {
      using ds = await openVirtualDataset(join(dir, file), { core });
      const repo = join(tmp, `${file}.roundtrip.icechunk`);
      const refs = join(tmp, `${file}.roundtrip.json`);
      await writeIcechunk(ds, repo);
      await writeKerchunk(ds, refs);
      for (const out of [repo, refs]) {
        using back = await openVirtualDataset(out, { core });
        const r = await readArray(back, "band_data", undefined, { core });
        expectValues(rawBytes(r), oracle[file]?.band_data as Entry, `${out}`);
      }
    }
  });

  it("opens a COG over HTTP with one ranged read, and reads an overview's tile with one more", async () => {
    const server = await startRangeServer(dir);
    try {
      using ds = await openVirtualDataset(`${server.url}/cog_u8_mask.tif`, { core, loadableVariables: [] });
      // The first 64 KiB hold the header, every IFD and every tag value: one ranged GET.
      const opening = server.requests.filter((r) => r.method === "GET");
      expect(opening.map((r) => r.range)).toEqual(["bytes=0-65535"]);
      const before = server.requests.length;
      const r = await readArray(ds, "overview_2/band_data", undefined, { core });
      expectValues(rawBytes(r), oracle["cog_u8_mask.tif"]?.["overview_2/band_data"] as Entry, "overview_2");
      // One ranged GET for the overview's one tile (the read path's own HEAD aside).
      const reads = server.requests.slice(before).filter((q) => q.method === "GET");
      expect(reads.length).toBe(1);
      expect(reads[0]?.range).toMatch(/^bytes=\d+-\d+$/);
    } finally {
      await server.close();
    }
  });

  it("fails with tagged errors on damaged files, never hangs", async () => {
    const good = readFileSync(join(dir, "geo_u16_deflate_nodata.tif"));
    const truncated = join(tmp, "truncated.tif");
    writeFileSync(truncated, good.subarray(0, 300));
    await expect(openVirtualDataset(truncated, { core })).rejects.toMatchObject({ kind: "CorruptFile" });
    // The first IFD's next-IFD offset pointing back at itself: a loop.
    const loop = Buffer.from(readFileSync(join(dir, "strip_u8_none.tif")));
    const first = loop.readUInt32LE(4);
    const n = loop.readUInt16LE(first);
    loop.writeUInt32LE(first, first + 2 + 12 * n);
    const looped = join(tmp, "loop.tif");
    writeFileSync(looped, loop);
    await expect(openVirtualDataset(looped, { core })).rejects.toMatchObject({
      kind: "CorruptFile",
      message: expect.stringContaining("loop"),
    });
    const cat = await vzarr(["info", looped], { VZARR_BACKEND: core.kind });
    expect(cat.code).not.toBe(0);
    expect(cat.stderr).toContain("CorruptFile");
  });

  it("a stack of GeoTIFFs (one per time step) combines along concatDim", async () => {
    const inputs = [0, 1, 2].map((t) => join(dir, `stack_t${t}.tif`));
    using all = await openVirtualMfdataset(inputs, { concatDim: "time", parallel: false, core });
    const v = all.variable("band_data");
    expect(v.dims).toEqual(["time", "y", "x"]);
    expect(v.shape).toEqual([3, 24, 32]);
    const r = rawBytes(await readArray(all, "band_data", [1, null, null], { core }));
    expect(sha256(r)).toBe(oracle["stack_t1.tif"]?.band_data?.sha256);
    expect(all.variable("x").shape).toEqual([32]);
  });
});

describe.runIf(hasPython)(`TIFF output read by Python (${core.kind} backend)`, () => {
  type Got = Record<string, Entry>;
  type Rio = Omit<Geo, "tags" | "band_tags" | "scales" | "offsets">;
  const refsOf = (file: string) => join(tmp, `${file.replace("/", "_")}.json`);
  const repoOf = (file: string) => join(tmp, `${file.replace("/", "_")}.icechunk`);
  const geoFiles = files.filter((f) => oracle[f]?._geo !== undefined && !f.includes("rotated"));
  let kerchunk: Record<string, Got> = {};
  let icechunk: Record<string, Got> = {};
  let rio: Record<string, Rio> = {};

  // Every fixture written both ways in-process, then read by one Python process per reader
  // (importing zarr, icechunk and rioxarray costs more than reading the files).
  beforeAll(async () => {
    for (const file of files) {
      using ds = await openVirtualDataset(join(dir, file), { core });
      await writeKerchunk(ds, refsOf(file));
      await writeIcechunk(ds, repoOf(file));
    }
    const prefixes = [`file://${dir}/`, `file://${join(dir, "real")}/`].join(",");
    kerchunk = await pythonJson("tiff_oracle.py", ["kerchunk", ...files.map(refsOf)]);
    icechunk = await pythonJson("tiff_oracle.py", ["icechunk", prefixes, ...files.map(repoOf)]);
    rio = await pythonJson("tiff_oracle.py", ["rio-kerchunk", ...geoFiles.map(refsOf)]);
  }, 600_000);

  it.each(files)("%s: kerchunk JSON read by fsspec + zarr equals tifffile's values", (file) => {
    const got = kerchunk[refsOf(file)] as Got;
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      const g = got[path];
      expect(g?.error, `${file}:${path}`).toBeUndefined();
      expect(g?.shape, `${file}:${path}`).toEqual(want.shape);
      if (want.jpeg === true) expectValues(Buffer.from(g?.values_b64 as string, "base64"), want, `${file}:${path}`);
      else expect(g?.sha256, `${file}:${path}`).toBe(want.sha256);
    }
  });

  it.each(files)("%s: Icechunk read by icechunk + zarr equals tifffile's values", (file) => {
    const got = icechunk[repoOf(file)] as Got;
    for (const [path, want] of entries(oracle[file] as FileOracle)) {
      // A group whose arrays zarr cannot parse is reported as `<group>/*`.
      const g = got[path] ?? got[`${path.slice(0, path.lastIndexOf("/") + 1)}*`];
      // No package registers imagecodecs_packints as a Zarr v3 codec (docs/formats/tiff.md).
      if (path.endsWith("mask/mask")) {
        expect(g?.error, `${file}:${path}`).toMatch(/imagecodecs_packints/);
        continue;
      }
      expect(g?.error, `${file}:${path}`).toBeUndefined();
      if (want.jpeg === true) expectValues(Buffer.from(g?.values_b64 as string, "base64"), want, `${file}:${path}`);
      else expect(g?.sha256, `${file}:${path}`).toBe(want.sha256);
    }
  });

  it.each(geoFiles)("%s: rioxarray over our kerchunk JSON sees rasterio's grid and CRS", (file) => {
    const geo = oracle[file]?._geo as Geo;
    const got = rio[refsOf(file)] as Rio;
    if (geo.epsg !== null) expect(got.epsg).toBe(geo.epsg);
    expect(got.x).toEqual(geo.x);
    expect(got.y).toEqual(geo.y);
    expect(got.transform).toEqual(geo.transform);
  });

  it("a GeoTIFF time stack written as kerchunk reads in Python as the files do", async () => {
    const inputs = [0, 1, 2].map((t) => {
      const p = join(tmp, `stack_t${t}.tif`);
      copyFileSync(join(dir, `stack_t${t}.tif`), p);
      return p;
    });
    const out = join(tmp, "stack.json");
    const r = await vzarr(["refs", ...inputs, "--concat-dim", "time", "-o", out, "-q"], { VZARR_BACKEND: core.kind });
    expect(r.code, r.stderr).toBe(0);
    const got = (await pythonJson<Record<string, Got>>("tiff_oracle.py", ["kerchunk", out]))[out] as Got;
    expect(got.band_data?.shape).toEqual([3, 24, 32]);
    using all = await openVirtualMfdataset(inputs, { concatDim: "time", parallel: false, core });
    expect(got.band_data?.sha256).toBe(sha256(rawBytes(await readArray(all, "band_data", undefined, { core }))));
  });
});
