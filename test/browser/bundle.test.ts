/**
 * The browser bundle in a real headless Chromium: it loads in a bare page (no Node
 * polyfills), scans files over cross-origin HTTP range requests and from a local File,
 * reads the same values as Node, writes the same kerchunk JSON, and fails with tagged errors.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetInfo } from "../../ts/src/dataset/describe.js";
import { openVirtualDataset } from "../../ts/src/dataset/open-virtual-dataset.js";
import { kerchunkJsonText } from "../../ts/src/formats/kerchunk/write-json.js";
import type { ManifestArray } from "../../ts/src/manifest/manifest-array.js";
import { readArray } from "../../ts/src/store/read-array.js";
import type { Selection } from "../../ts/src/store/selection.js";
import { core } from "../helpers/backend.js";
import { type Chromium, hasChromium, launchChromium } from "../helpers/chromium.js";
import { digest } from "../helpers/digest.js";
import { buildBundle, type ExplorerServer, startExplorer } from "../helpers/explorer-server.js";
import { asReadResult, nodeValues, pageRead } from "../helpers/page-values.js";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { type RangeServer, startRangeServer } from "../helpers/range-server.js";

const data = mkdtempSync(join(tmpdir(), "vzarr-browser-data-"));
const FILES: Record<string, string> = {
  "classic.nc": join(fixtures, "netcdf3", "classic.nc"),
  "cdf5.nc": join(fixtures, "netcdf3", "cdf5.nc"),
  "grouping.grib2": join(fixtures, "grib", "grouping.grib2"),
  "packing_ccsds.grib2": join(fixtures, "grib", "packing_ccsds.grib2"),
  "packing_jpeg.grib2": join(fixtures, "grib", "packing_jpeg.grib2"),
  "nc4_basic.nc": join(fixtures, "hdf5", "nc4_basic.nc"),
  "cog_u8_mask.tif": join(fixtures, "tiff", "cog_u8_mask.tif"),
  "geo_jpeg_ycbcr.tif": join(fixtures, "tiff", "geo_jpeg_ycbcr.tif"),
  "tile_i16_zstd_pred2_be.tif": join(fixtures, "tiff", "tile_i16_zstd_pred2_be.tif"),
  "planar_strips_lzw_short.tif": join(fixtures, "tiff", "planar_strips_lzw_short.tif"),
  "h5_filters.h5": join(fixtures, "hdf5", "h5_filters.h5"),
  "h5_arrays_latest.h5": join(fixtures, "hdf5", "h5_arrays_latest.h5"),
  ...Object.fromEntries(
    ["2023-01", "2023-02", "2023-03"].map((m) => [`air_${m}.nc`, join(repoRoot, "examples", "sample-archive", `air_${m}.nc`)]),
  ),
};

const ncOracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { variables: Record<string, { sha256: string }> }
>;

let bundle: Awaited<ReturnType<typeof buildBundle>>;
let explorer: ExplorerServer;
let dataServer: RangeServer;
let browser: Chromium;

beforeAll(async () => {
  if (!hasChromium) return;
  for (const [name, path] of Object.entries(FILES)) copyFileSync(path, join(data, name));
  writeFileSync(join(data, "truncated.nc"), readFileSync(FILES["classic.nc"] as string).subarray(0, 300));
  writeFileSync(
    join(data, "noise.bin"),
    Uint8Array.from({ length: 512 }, (_, i) => (i * 7919) % 251),
  );
  writeFileSync(
    join(data, "bare.html"),
    '<!doctype html><title>bare</title><link rel="icon" href="data:,">\n<script type="module">\n  import * as vz from "/vzarr/vzarr.js";\n  window.vz = vz;\n</script>\n',
  );
  bundle = await buildBundle();
  [explorer, dataServer, browser] = await Promise.all([
    startExplorer(bundle.dir, data),
    startRangeServer(data, { cors: true }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), explorer?.close(), dataServer?.close()]);
  bundle?.remove();
  rmSync(data, { recursive: true, force: true });
});

/**
 * A page on the explorer's origin holding nothing but the README's example: the bundle
 * imported by a `<script type="module">` (no polyfills, no loader), exposed as `window.vz`.
 * Served by the explorer server (from its data dir), not injected: Chromium only lets
 * documents that really come from the loopback address read other loopback servers.
 */
async function barePage() {
  const page = await browser.newPage();
  await page.goto(`${explorer.url}data/bare.html`);
  await page.waitForFunction(() => window.vz !== undefined);
  return page;
}

describe.skipIf(!hasChromium)(`browser bundle in Chromium (Node side: ${core.kind} backend)`, () => {
  it("holds no Node built-ins or require() and stays within its size budget", () => {
    const js = readdirSync(bundle.dir).filter((f) => f.endsWith(".js"));
    expect(js).toContain("vzarr.js");
    for (const f of js) {
      const text = readFileSync(join(bundle.dir, f), "utf8");
      expect(text, f).not.toMatch(/\bnode:[a-z]/);
      expect(text, f).not.toMatch(/\brequire\(/);
    }
    expect(readdirSync(bundle.dir)).toContain("vzarr.wasm");
    expect(bundle.report).toMatch(/vzarr\.js\s+[\d.]+ KiB raw\s+[\d.]+ KiB gzip/);
    expect(bundle.report).toMatch(/budget initialJs: [\d.]+ KiB of [\d.]+ KiB/);
  });

  it("loads in a page without Node globals and runs the wasm core", async () => {
    const page = await barePage();
    const got = await page.evaluate(async () => {
      const globals = {
        process: typeof (globalThis as Record<string, unknown>).process,
        require: typeof (globalThis as Record<string, unknown>).require,
        Buffer: typeof (globalThis as Record<string, unknown>).Buffer,
      };
      const vz = window.vz;
      const core = await vz.loadBackend();
      let nativeError = "";
      try {
        await vz.loadBackend("native");
      } catch (e) {
        nativeError = (e as { kind: string }).kind;
      }
      return { globals, kind: core.kind, version: core.version(), current: vz.currentBackend().kind, nativeError };
    });
    expect(got.globals).toEqual({ process: "undefined", require: "undefined", Buffer: "undefined" });
    expect(got.kind).toBe("wasm");
    expect(got.current).toBe("wasm");
    expect(got.version).toBe(core.version());
    expect(got.nativeError).toBe("UnsupportedFeature");
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("describes a file over cross-origin range requests exactly as Node does", async () => {
    const page = await barePage();
    for (const name of ["classic.nc", "grouping.grib2", "nc4_basic.nc", "cog_u8_mask.tif"]) {
      const url = `${dataServer.url}/${name}`;
      const inPage = await page.evaluate(
        async ({ url }) => {
          const vz = window.vz;
          const ds = await vz.openVirtualDataset(url);
          // Same JSON text as `vzarr info --json` (bigints exact): compared as a string.
          const info = vz.datasetInfo(ds);
          return JSON.stringify(info, (_k, v) =>
            typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
          );
        },
        { url },
      );
      using ds = await openVirtualDataset(url, { core });
      const inNode = JSON.stringify(datasetInfo(ds), (_k, v) =>
        typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
      );
      expect(inPage, name).toBe(inNode);
    }
    // Only ranges were read: the data server saw Range headers (or HEADs), never a whole-file GET.
    expect(dataServer.requests.filter((r) => r.method === "GET" && r.range === undefined)).toEqual([]);
    await page.close();
  });

  const cases: [string, string, Selection | undefined][] = [
    ["classic.nc", "temp", undefined],
    ["classic.nc", "temp", [2, null, [1, 3]]],
    ["classic.nc", "label", undefined],
    ["cdf5.nc", "fixed_u8", undefined],
    ["cdf5.nc", "rec_i8", undefined],
    ["grouping.grib2", "isobaricInhPa/instant/t", [1, 2, 0, null, null]],
    ["grouping.grib2", "isobaricInhPa/instant/v", undefined],
    ["packing_ccsds.grib2", "surface/instant/t", [{ start: 0, stop: 37, step: 3 }, null]],
    // JPEG 2000: the core finds the codestream, OpenJPEG's wasm (loaded on demand) decodes it.
    ["packing_jpeg.grib2", "surface/instant/t", undefined],
    // HDF5: zlib decodes in the wasm core here (Node uses its zlib), numcodecs' zstd and blosc load
    // as lazy chunks, HDF5 filters (fletcher32, LZ4, szip, bitshuffle) run in the wasm core.
    ["nc4_basic.nc", "temp", [1, null, [2, 7]]],
    ["nc4_basic.nc", "forecast/member_01/precip", undefined],
    ["nc4_basic.nc", "checked", undefined],
    ["nc4_basic.nc", "names", undefined],
    ["nc4_basic.nc", "u64", undefined],
    ["h5_filters.h5", "zstd", undefined],
    ["h5_filters.h5", "blosc_zstd_bit", undefined],
    ["h5_filters.h5", "lz4", undefined],
    ["h5_filters.h5", "szip", undefined],
    ["h5_filters.h5", "bitshuffle_lz4", undefined],
    ["h5_arrays_latest.h5", "earray_sparse", undefined],
    ["h5_arrays_latest.h5", "farray_gzip", undefined],
    // TIFF: a COG's overview and 1-bit mask (wasm core), JPEG (jpeg-js, a lazy chunk), zstd with
    // the horizontal predictor, LZW planes with short last strips (inlined, padded).
    ["cog_u8_mask.tif", "overview_1/band_data", undefined],
    ["cog_u8_mask.tif", "mask/mask", [{ start: 0, stop: 256, step: 5 }, null]],
    ["geo_jpeg_ycbcr.tif", "band_data", undefined],
    ["tile_i16_zstd_pred2_be.tif", "band_data", [[3, 40], null]],
    ["planar_strips_lzw_short.tif", "band_data", undefined],
  ];

  it.each(cases)("%s %s %j: values read over HTTP in the page equal Node's", async (file, variable, selection) => {
    const page = await barePage();
    const got = await pageRead(page, `${dataServer.url}/${file}`, variable, selection);
    const want = nodeValues(await readArray(join(data, file), variable, selection, { core }));
    expect(got.dtype).toBe(want.dtype);
    expect(got.shape).toEqual(want.shape);
    expect(got.kind).toBe(want.kind);
    expect(got.strings).toEqual(want.strings);
    expect(got.bytes).toEqual(want.bytes);
    await page.close();
  });

  it("reads local Files the same as the oracle (netCDF4-python) and Node", async () => {
    const page = await barePage();
    const vars = ncOracle["classic.nc"]?.variables ?? {};
    for (const variable of ["temp", "fixed_f8", "count", "nanfill"]) {
      const got = await pageRead(page, { blobOf: `${dataServer.url}/classic.nc`, name: "classic.nc" }, variable);
      expect(digest(asReadResult(got)), variable).toBe(vars[variable]?.sha256);
    }
    const hdf5 = await pageRead(page, { blobOf: `${dataServer.url}/nc4_basic.nc`, name: "nc4_basic.nc" }, "temp");
    expect(hdf5.bytes).toEqual(nodeValues(await readArray(join(data, "nc4_basic.nc"), "temp", undefined, { core })).bytes);
    const grib = await pageRead(page, { blobOf: `${dataServer.url}/grouping.grib2`, name: "grouping.grib2" }, "isobaricInhPa/instant/u");
    expect(grib.bytes).toEqual(
      nodeValues(await readArray(join(data, "grouping.grib2"), "isobaricInhPa/instant/u", undefined, { core })).bytes,
    );
    await page.close();
  });

  it("combines local Files along time with openVirtualMfdataset, reading what the single files hold", async () => {
    const page = await barePage();
    const got = await page.evaluate(
      async ({ base }) => {
        const vz = window.vz;
        const months = ["2023-01", "2023-02", "2023-03"];
        const files = await Promise.all(
          months.map(async (m) => new File([await (await fetch(`${base}/air_${m}.nc`)).arrayBuffer()], `air_${m}.nc`)),
        );
        const report = await vz.openVirtualMfdatasetWithReport(files, { concatDim: "time" });
        const r = await vz.readArray(report.dataset, "precip", [40, null, null]);
        const refs = JSON.parse(await (await vz.kerchunkJsonBlob(report.dataset)).text()).refs as Record<string, unknown>;
        const d = r.data as Int16Array;
        return {
          files: report.files,
          time: report.dataset.dims.time,
          bytes: Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)),
          ref: refs["precip/40.0.0"],
        };
      },
      { base: dataServer.url },
    );
    expect(got.files).toEqual(["air_2023-01.nc", "air_2023-02.nc", "air_2023-03.nc"]);
    expect(got.time).toBe(31 + 28 + 31);
    expect(got.bytes).toEqual(nodeValues(await readArray(join(data, "air_2023-02.nc"), "precip", [9, null, null], { core })).bytes);
    // Chunk 40 of the combined array is chunk 9 of February's file, referenced by its name.
    using feb = await openVirtualDataset(join(data, "air_2023-02.nc"), { core });
    const entry = (feb.variable("precip").data as ManifestArray).manifest.entry([9, 0, 0]);
    expect(got.ref).toEqual(["air_2023-02.nc", entry?.offset, entry?.length]);
    await page.close();
  });

  it("reads through openStore and the bundled zarrita", async () => {
    const page = await barePage();
    const got = await page.evaluate(
      async ({ url }) => {
        const vz = window.vz;
        const store = await vz.openStore(url);
        const arr = await vz.zarr.open.v3(vz.zarr.root(store).resolve("isobaricInhPa/instant/t"), { kind: "array" });
        const chunk = await vz.zarr.get(arr, [1, 2, 0, null, null]);
        return { shape: chunk.shape as number[], data: Array.from(chunk.data as Float64Array) };
      },
      { url: `${dataServer.url}/grouping.grib2` },
    );
    const want = await readArray(join(data, "grouping.grib2"), "isobaricInhPa/instant/t", [1, 2, 0, null, null], { core });
    expect(got.shape).toEqual(want.shape);
    expect(got.data).toEqual(Array.from(want.data as Float64Array));
    await page.close();
  });

  it("writes the same kerchunk JSON as Node, as a Blob", async () => {
    const page = await barePage();
    for (const name of ["classic.nc", "grouping.grib2", "nc4_basic.nc", "cog_u8_mask.tif"]) {
      const url = `${dataServer.url}/${name}`;
      const text = await page.evaluate(
        async ({ url }) => {
          const vz = window.vz;
          const blob: Blob = await vz.kerchunkJsonBlob(await vz.openVirtualDataset(url), { onUnsupported: "skip" });
          return `${blob.type}|${await blob.text()}`;
        },
        { url },
      );
      const [type, json] = [text.slice(0, text.indexOf("|")), text.slice(text.indexOf("|") + 1)];
      expect(type).toBe("application/json");
      using ds = await openVirtualDataset(url, { core });
      expect(json).toBe(await kerchunkJsonText(ds, { onUnsupported: "skip" }));
      const refs = (JSON.parse(json) as { version: number; refs: Record<string, unknown> }).refs;
      expect(refs[".zgroup"]).toBeDefined();
      if (name === "classic.nc") {
        expect(JSON.parse(refs["temp/.zarray"] as string)).toMatchObject({ shape: [5, 3, 4], chunks: [1, 3, 4], dtype: ">f4" });
        expect(refs["temp/2.0.0"]).toEqual([url, expect.any(Number), 48]);
      }
    }
    await page.close();
  });

  it("fails with tagged errors on missing, truncated and unknown files, local paths, unsupported codecs", async () => {
    const page = await barePage();
    const kinds = await page.evaluate(
      async ({ base }) => {
        const vz = window.vz;
        const out: Record<string, string> = {};
        for (const name of ["missing.nc", "truncated.nc", "noise.bin"]) {
          try {
            await vz.openVirtualDataset(`${base}/${name}`);
            out[name] = "opened";
          } catch (e) {
            out[name] = `${(e as { kind?: string }).kind}:${e instanceof vz.VzarrError}`;
          }
        }
        try {
          await vz.readArray("/some/local/path.nc", "x");
        } catch (e) {
          out.localPath = `${(e as { kind?: string }).kind}:${e instanceof vz.VzarrError}`;
        }
        try {
          await vz.readArray(`${base}/h5_filters.h5`, "bitshuffle_zstd");
        } catch (e) {
          out.codec = `${(e as { kind?: string }).kind}:${e instanceof vz.VzarrError}`;
        }
        return out;
      },
      { base: dataServer.url },
    );
    const nodeKind = async (name: string) => {
      try {
        await openVirtualDataset(join(data, name), { core });
        return "opened";
      } catch (e) {
        return `${(e as { kind?: string }).kind}:true`;
      }
    };
    expect(kinds["missing.nc"]).toBe("NotFound:true");
    expect(kinds["truncated.nc"]).toBe(await nodeKind("truncated.nc"));
    expect(kinds["truncated.nc"]).toBe("CorruptFile:true");
    expect(kinds["noise.bin"]).toBe(await nodeKind("noise.bin"));
    expect(kinds["noise.bin"]).toBe("UnsupportedFeature:true");
    expect(kinds.localPath).toBe("UnsupportedFeature:true");
    // A codec the core does not decode (as in Node): a tagged error, not a trap.
    await expect(readArray(join(data, "h5_filters.h5"), "bitshuffle_zstd", undefined, { core })).rejects.toMatchObject({
      kind: "UnsupportedFeature",
    });
    expect(kinds.codec).toBe("UnsupportedFeature:true");
    await page.close();
  });
});
