/**
 * The explorer page in headless Chromium, driven like a user: open files by URL (same-origin
 * and cross-origin) and from disk, read the chunk statistics, plot slices and step through
 * dimensions, look at the pixels, export kerchunk JSON. Values are checked against Node.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { combineNested } from "../../ts/src/dataset/combine/index.js";
import { variableInfo } from "../../ts/src/dataset/describe.js";
import { openVirtualDataset } from "../../ts/src/dataset/open-virtual-dataset.js";
import { kerchunkJsonText } from "../../ts/src/formats/kerchunk/write-json.js";
import { ManifestArray } from "../../ts/src/manifest/manifest-array.js";
import { decodeCf } from "../../ts/src/store/decode-cf.js";
import { readArray } from "../../ts/src/store/read-array.js";
import type { Selection } from "../../ts/src/store/selection.js";
import { formatBytes, formatNumber } from "../../web/explorer/dom.js";
import { core } from "../helpers/backend.js";
import { type Chromium, hasChromium, launchChromium } from "../helpers/chromium.js";
import { buildBundle, type ExplorerServer, startExplorer } from "../helpers/explorer-server.js";
import { nodeValues, type PageValues } from "../helpers/page-values.js";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { colourStats, decodePng } from "../helpers/png.js";
import { type RangeServer, startRangeServer } from "../helpers/range-server.js";

const data = mkdtempSync(join(tmpdir(), "vzarr-explorer-data-"));
const archive = join(repoRoot, "examples", "sample-archive");
const MONTHS = ["2023-01", "2023-02", "2023-03"];
let bundle: Awaited<ReturnType<typeof buildBundle>>;
let explorer: ExplorerServer;
let crossOrigin: RangeServer;
let browser: Chromium;
let page: Page & { problems: string[] };

beforeAll(async () => {
  if (!hasChromium) return;
  copyFileSync(join(fixtures, "netcdf3", "classic.nc"), join(data, "classic.nc"));
  copyFileSync(join(fixtures, "grib", "grouping.grib2"), join(data, "grouping.grib2"));
  for (const month of MONTHS) copyFileSync(join(archive, `air_${month}.nc`), join(data, `air_${month}.nc`));
  bundle = await buildBundle();
  [explorer, crossOrigin, browser] = await Promise.all([
    startExplorer(bundle.dir, data),
    startRangeServer(data, { cors: true }),
    launchChromium(),
  ]);
  page = await browser.newPage();
  await page.goto(explorer.url);
  await page.waitForFunction(() => document.body.dataset.status === "ready");
});

afterAll(async () => {
  await Promise.all([browser?.close(), explorer?.close(), crossOrigin?.close()]);
  bundle?.remove();
  rmSync(data, { recursive: true, force: true });
});

function idle(): Promise<unknown> {
  return page.waitForFunction(() => document.body.dataset.status !== "busy");
}

async function entryId(label: string): Promise<number> {
  const found = (await page.evaluate(() => window.vzarrExplorer.entries())).find((e) => e.label === label);
  if (found === undefined) throw new Error(`no entry ${label}`);
  return found.id;
}

/** Clicks a variable in the tree and waits until the page has plotted it. */
async function plot(label: string, path: string): Promise<void> {
  const id = await entryId(label);
  await page.click(`.node.variable[data-entry="${id}"][data-path="${path}"]`);
  await page.waitForFunction((p) => window.vzarrExplorer.lastPlot?.variable === p, path);
  await idle();
}

/** The last plot: stored values read (as bytes), the selection, and the slice drawn. */
function lastPlot(): Promise<PageValues & { selection: Selection; slice: number[]; ny: number; nx: number }> {
  return page.evaluate(() => {
    const p = window.vzarrExplorer.lastPlot;
    if (p === undefined) throw new Error("nothing plotted");
    const d = p.raw.data as ArrayBufferView;
    return {
      dtype: p.raw.dtype,
      shape: p.raw.shape,
      kind: d.constructor.name,
      bytes: Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)),
      selection: p.selection as Selection,
      // NaN does not survive the trip as a number.
      slice: Array.from(p.slice.values, (v) => (Number.isNaN(v) ? -1e300 : v)),
      ny: p.slice.ny,
      nx: p.slice.nx,
    };
  });
}

/** Pixel statistics of the heatmap canvas, computed in the page. */
function canvasPixels(): Promise<{ width: number; height: number; transparent: number; distinct: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>("#heatmap");
    const ctx = canvas?.getContext("2d");
    if (canvas == null || ctx == null) throw new Error("no heatmap");
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    let transparent = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 0) transparent++;
      else colours.add(((px[i] as number) << 16) | ((px[i + 1] as number) << 8) | (px[i + 2] as number));
    }
    return { width: canvas.width, height: canvas.height, transparent, distinct: colours.size };
  });
}

describe.skipIf(!hasChromium)(`explorer page in Chromium (Node side: ${core.kind} backend)`, () => {
  it("opens URLs (same origin and CORS), lists failures, and shows chunk statistics", async () => {
    // The server's data dir is offered as shortcuts.
    expect(await page.textContent("#server-files")).toContain("classic.nc");
    await page.fill("#urls", `data/classic.nc\n${crossOrigin.url}/grouping.grib2\ndata/missing.nc`);
    await page.click("#open-button");
    await idle();
    expect(await page.textContent("#status")).toContain("opened 2 of 3");
    expect(await page.getAttribute("#errors .error", "data-kind")).toBe("NotFound");
    expect(await page.locator(".tree .entry").count()).toBe(2);

    // The first dataset's summary equals what Node computes from the same file.
    using ds = await openVirtualDataset(join(data, "classic.nc"), { core });
    let chunks = 0;
    let referenced = 0;
    for (const [, v] of ds.walkVariables()) {
      if (!v.virtual) continue; // loaded coordinates hold values, not chunk references
      const info = variableInfo(v);
      chunks += info.nchunks;
      referenced += info.referenced_bytes;
    }
    const summary = await page.textContent(".group-details");
    expect(summary).toContain("netcdf3");
    expect(summary).toContain(`virtual chunks${formatNumber(chunks)} (0 missing)`);
    expect(summary).toContain(`referenced bytes${formatBytes(referenced)}`);
    expect(summary).toMatch(/manifest size\d/);
    for (const [dim, len] of Object.entries(ds.dims)) expect(summary).toContain(`${dim}${len}`);
  });

  it("plots a variable with the values Node reads, NaN fill transparent, and steps through time", async () => {
    await plot("classic.nc", "temp");
    const details = await page.textContent(".variable-details");
    // Opened by the URL the page used: the manifest's path table holds that URL.
    using ds = await openVirtualDataset(`${explorer.url}data/classic.nc`, { core });
    const temp = ds.variable("temp");
    const manifestBytes = temp.data instanceof ManifestArray ? temp.data.manifest.nbytes : -1;
    expect(details).toContain(`chunks${variableInfo(temp).nchunks} (0 missing)`);
    expect(details).toContain(`manifest size${manifestBytes} B`);
    expect(details).toContain("bytes");

    for (const t of [0, 3]) {
      if (t > 0) {
        await page.locator("#slider-time").fill(String(t));
        await page.waitForFunction((i) => (window.vzarrExplorer.lastPlot?.selection[0] as number) === i, t);
        await idle();
      }
      const got = await lastPlot();
      expect(got.selection[0]).toBe(t);
      const want = await readArray(join(data, "classic.nc"), "temp", got.selection, { core });
      expect(got.bytes).toEqual(nodeValues(want).bytes);
      // The heatmap: one pixel per value; NaN, ±Infinity and masked fill values are transparent.
      const decoded = Array.from(decodeCf(want, temp.attrs).data as Float32Array);
      const pixels = await canvasPixels();
      expect([pixels.height, pixels.width]).toEqual([3, 4]);
      expect(pixels.transparent).toBe(decoded.filter((v) => !Number.isFinite(v)).length);
      expect(pixels.distinct).toBeGreaterThan(1);
      const finite = decoded.filter((v) => Number.isFinite(v));
      expect(Number(await page.textContent("#plot-min"))).toBeCloseTo(Math.min(...finite), 0);
      expect(Number(await page.textContent("#plot-max"))).toBeCloseTo(Math.max(...finite), 0);
      expect(await page.textContent("#value-time")).toContain(`${t} / 4`);
    }
  });

  it("steps through a 5-D GRIB variable and transposes when rows come after columns", async () => {
    await plot("grouping.grib2", "isobaricInhPa/instant/t");
    const sliders = ["time", "step", "isobaricInhPa"];
    expect(await page.locator(".sliders input[type=range]").evaluateAll((els) => els.map((e) => e.getAttribute("data-dim")))).toEqual(
      sliders,
    );
    const chosen = [1, 2, 1];
    for (const [k, dim] of sliders.entries()) {
      await page.locator(`#slider-${dim}`).fill(String(chosen[k]));
      await page.waitForFunction(([axis, i]) => window.vzarrExplorer.lastPlot?.selection[axis as number] === i, [k, chosen[k]]);
    }
    await idle();
    let got = await lastPlot();
    const want = await readArray(join(data, "grouping.grib2"), "isobaricInhPa/instant/t", [1, 2, 1, null, null], { core });
    expect(got.bytes).toEqual(nodeValues(want).bytes);
    expect(await page.textContent("#value-time")).toMatch(/1 \/ 1 \(time = \d{4}-\d\d-\d\d/);

    // Rows = longitude, columns = latitude: the drawn slice is the transpose of what was read.
    await page.selectOption("#axis-y", { label: "longitude" });
    await page.waitForFunction(() => window.vzarrExplorer.lastPlot?.slice.ny === 12);
    await idle();
    got = await lastPlot();
    const values = want.data as Float64Array;
    const [ny, nx] = want.shape as [number, number];
    expect([got.ny, got.nx]).toEqual([nx, ny]);
    const transposed = Array.from({ length: nx * ny }, (_, k) => values[(k % ny) * nx + Math.floor(k / ny)] as number);
    expect(got.slice).toEqual(transposed.map((v) => (Number.isNaN(v) ? -1e300 : v)));
  });

  it("opens a local file, and its heatmap screenshot is a picture, not a blank", async () => {
    await page.setInputFiles("#files", join(fixtures, "grib", "packing_ccsds.grib2"));
    await idle();
    expect(await page.textContent(".tree")).toContain("packing_ccsds.grib2");
    await plot("packing_ccsds.grib2", "surface/instant/t");
    const got = await lastPlot();
    const want = await readArray(join(fixtures, "grib", "packing_ccsds.grib2"), "surface/instant/t", got.selection, { core });
    expect(got.bytes).toEqual(nodeValues(want).bytes);

    const shot = decodePng(await page.locator("#heatmap").screenshot());
    const stats = colourStats(shot);
    expect(shot.width).toBeGreaterThan(300);
    expect(stats.distinct).toBeGreaterThan(30);
    expect(stats.nonBackground).toBeGreaterThan(shot.width * shot.height * 0.5);
    const bar = colourStats(decodePng(await page.locator("#colorbar").screenshot()));
    expect(bar.distinct).toBeGreaterThan(50);
    expect(page.problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("shows a COG's overviews and mask as groups and plots an overview as Node reads it", async () => {
    const cog = join(fixtures, "tiff", "cog_u8_mask.tif");
    await page.setInputFiles("#files", cog);
    await idle();
    const id = await entryId("cog_u8_mask.tif");
    for (const group of ["overview_1", "overview_2", "mask", "overview_1/mask"]) {
      expect(await page.locator(`.node.group[data-entry="${id}"][data-path="${group}"]`).count(), group).toBe(1);
    }
    await page.click(`.node.group[data-entry="${id}"][data-path="overview_1"]`);
    await plot("cog_u8_mask.tif", "overview_1/band_data");
    const got = await lastPlot();
    expect([got.ny, got.nx]).toEqual([128, 128]);
    const want = await readArray(cog, "overview_1/band_data", got.selection, { core });
    expect(got.bytes).toEqual(nodeValues(want).bytes);
    expect(page.problems.filter((p) => !p.includes("404"))).toEqual([]);
  });

  it("shows the group tree of a netCDF-4/HDF5 file and plots a variable of a nested group", async () => {
    await page.setInputFiles("#files", join(fixtures, "hdf5", "nc4_basic.nc"));
    await idle();
    const id = await entryId("nc4_basic.nc");
    for (const group of ["forecast", "forecast/member_01", "curvilinear"]) {
      expect(await page.locator(`.node.group[data-entry="${id}"][data-path="${group}"]`).count(), group).toBe(1);
    }
    await page.click(`.node.group[data-entry="${id}"][data-path="forecast"]`);
    expect(await page.textContent(".group-details")).toContain("descriptiona group");
    await plot("nc4_basic.nc", "forecast/member_01/precip");
    await page.locator("#slider-time").fill("4");
    await page.waitForFunction(() => window.vzarrExplorer.lastPlot?.selection[0] === 4);
    await idle();
    const got = await lastPlot();
    const want = await readArray(join(fixtures, "hdf5", "nc4_basic.nc"), "forecast/member_01/precip", got.selection, { core });
    expect(got.bytes).toEqual(nodeValues(want).bytes);
    expect(got.shape).toEqual([2, 8]);

    // A 1-D coordinate (loaded into memory when opened) is drawn as a line.
    await plot("nc4_basic.nc", "lat");
    const lat = await lastPlot();
    expect(lat.bytes).toEqual(nodeValues(await readArray(join(fixtures, "hdf5", "nc4_basic.nc"), "lat", undefined, { core })).bytes);
    expect(await page.getAttribute("#heatmap", "class")).toBe("line");
    expect((await canvasPixels()).distinct).toBeGreaterThan(1);
  });

  it("exports kerchunk JSON identical to Node's, for URLs and for local files", async () => {
    const id = await entryId("classic.nc");
    await page.click(`.node.group[data-entry="${id}"][data-path=""]`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(".group-details .export")]);
    expect(download.suggestedFilename()).toBe("classic.nc.json");
    const text = readFileSync(await download.path(), "utf8");
    using ds = await openVirtualDataset(`${explorer.url}data/classic.nc`, { core });
    expect(text).toBe(await kerchunkJsonText(ds));
    const refs = (JSON.parse(text) as { refs: Record<string, unknown> }).refs;
    expect(Object.keys(refs)).toEqual(expect.arrayContaining([".zgroup", ".zattrs", "temp/.zarray", "temp/.zattrs", "temp/0.0.0"]));

    const local = await entryId("packing_ccsds.grib2");
    await page.click(`.node.group[data-entry="${local}"][data-path=""]`);
    const [second] = await Promise.all([page.waitForEvent("download"), page.click(".group-details .export")]);
    const grib = JSON.parse(readFileSync(await second.path(), "utf8")) as { refs: Record<string, unknown> };
    // A local file is referenced by its name: the JSON works next to the file.
    expect(grib.refs["surface/instant/t/0.0"]).toEqual(["packing_ccsds.grib2", expect.any(Number), expect.any(Number)]);
  });

  it("combines several files along a dimension, like Node, and falls back to side by side", async () => {
    await page.selectOption("#combine-mode", "nested");
    await page.fill("#concat-dim", "time");
    await page.fill("#urls", MONTHS.map((m) => `data/air_${m}.nc`).join("\n"));
    await page.click("#open-button");
    await idle();
    const label = "3 files combined along time";
    expect(await page.textContent(".tree")).toContain(label);
    expect(await page.textContent(".group-details")).toContain("time90");

    // Day 10 of February is index 31 + 9 of the combined time axis: read it from the file alone.
    await plot(label, "air");
    await page.locator("#slider-time").fill("40");
    await page.waitForFunction(() => window.vzarrExplorer.lastPlot?.selection[0] === 40);
    await idle();
    const got = await lastPlot();
    const want = await readArray(join(data, "air_2023-02.nc"), "air", [9, ...got.selection.slice(1)], { core });
    expect(got.bytes).toEqual(nodeValues(want).bytes);

    // The combined references equal Node's combine of the same files.
    const id = await entryId(label);
    await page.click(`.node.group[data-entry="${id}"][data-path=""]`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(".group-details .export")]);
    const parts = await Promise.all(MONTHS.map((m) => openVirtualDataset(`${explorer.url}data/air_${m}.nc`, { core })));
    using combined = combineNested(parts, "time");
    expect(readFileSync(await download.path(), "utf8")).toBe(await kerchunkJsonText(combined));

    // Files that do not combine along time open side by side, with the reason listed.
    const before = await page.locator(".tree .entry").count();
    await page.fill("#urls", "data/classic.nc\ndata/grouping.grib2");
    await page.click("#open-button");
    await idle();
    expect(await page.textContent("#errors")).toContain("combine (opened side by side instead)");
    expect(await page.locator(".tree .entry").count()).toBe(before + 2);
    await page.selectOption("#combine-mode", "none");
  });
});
