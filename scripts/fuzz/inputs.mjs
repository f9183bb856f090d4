/**
 * The input kinds the Node harness mutates, each with its seed fixtures (test/fixtures) and
 * how a mutated input is laid out on disk: a single file, or one file inside a reference set
 * (the rest of the set stays intact, so the mutation reaches the decoder behind it).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
const F = (p) => join(ROOT, "test", "fixtures", p);

export const KINDS = {
  netcdf3: { files: ["netcdf3/classic.nc", "netcdf3/offset64.nc", "netcdf3/cdf5.nc", "netcdf3/streaming_classic.nc"].map(F) },
  hdf5: {
    files: [
      "hdf5/nc4_basic.nc",
      "hdf5/h5_filters.h5",
      "hdf5/h5_btrees_latest.h5",
      "hdf5/h5_dense_links.h5",
      "hdf5/h5_earliest.h5",
      "hdf5/nc4_unlimited.nc",
    ].map(F),
  },
  grib: {
    files: [
      "grib/packing_simple_16.grib2",
      "grib/packing_complex_sd2.grib2",
      "grib/packing_jpeg.grib2",
      "grib/packing_ccsds.grib2",
      "grib/packing_png.grib2",
      "grib/grib1.grib1",
      "grib/packing_ieee32.grib2",
    ].map(F),
  },
  tiff: {
    files: [
      "tiff/gdal_f32_deflate_pred2.tif",
      "tiff/bigtiff_u32_be_lzw.tif",
      "tiff/geo_jpeg_ycbcr.tif",
      "tiff/cog_u8_mask.tif",
      "tiff/geo_planar_u8_lzw.tif",
    ].map(F),
  },
  // reference sets are made by our writer from an HDF5 fixture (chunks point at it)
  "kerchunk-json": { set: "json" },
  "kerchunk-parquet": { set: "parquet" },
};

/**
 * Builds the reference-set seeds once per run in `dir` (kerchunk JSON and Parquet of
 * nc4_basic.nc with the filters fixture's compressed chunks), returns per kind the list of
 * { base: path of the set, target: file inside it that gets mutated }.
 */
export function prepareSeeds(dir) {
  mkdirSync(dir, { recursive: true });
  const cli = join(ROOT, "dist", "cli", "main.js");
  const seeds = {};
  for (const [kind, spec] of Object.entries(KINDS)) {
    if (spec.files) {
      seeds[kind] = spec.files.filter(existsSync).map((f) => ({ base: f, target: undefined }));
      continue;
    }
    seeds[kind] = [];
    for (const src of ["hdf5/nc4_basic.nc", "hdf5/h5_filters.h5"].map(F)) {
      const name = `${src.split("/").pop()}.${spec.set}`;
      const out = join(dir, name);
      if (!existsSync(out)) {
        const format = spec.set === "json" ? "kerchunk-json" : "kerchunk-parquet";
        execFileSync(
          process.execPath,
          [cli, "refs", src, "-o", out, "--format", format, "--loadable", "none", "--on-unsupported", "skip", "--quiet"],
          {
            env: { ...process.env, VZARR_BACKEND: "native" },
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
      }
      if (spec.set === "json") seeds[kind].push({ base: out, target: undefined });
      else for (const f of listFiles(out)) seeds[kind].push({ base: out, target: relative(out, f) });
    }
  }
  return seeds;
}

function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}
