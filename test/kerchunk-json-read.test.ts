/**
 * Reading kerchunk JSON written by kerchunk and by VirtualiZarr: the manifests must hold
 * exactly the chunks h5py reports for the same file (an independent reader), in both
 * version 0 and version 1 form, with inline data, and groups.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { openKerchunkJson } from "../ts/src/formats/kerchunk/open-references.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core } from "./helpers/backend.js";
import { type H5Fixture, interopScript, makeH5Fixture } from "./helpers/h5-fixture.js";
import { runPython } from "./helpers/python.js";

let fx: H5Fixture;
let fileBytes: Uint8Array;

beforeAll(async () => {
  fx = await makeH5Fixture();
  fileBytes = readFileSync(fx.file);
  await runPython(interopScript, ["kerchunk-json", fx.file, join(fx.dir, "kc.json"), "0"]);
  await runPython(interopScript, ["kerchunk-json", fx.file, join(fx.dir, "kc-inline.json"), "300"]);
  await runPython(interopScript, ["vz", fx.file, join(fx.dir, "vz.json"), "json"]);
});

function manifestOf(ds: VirtualDataset, path: string): ManifestArray {
  const slash = path.lastIndexOf("/");
  const v = ds.group(slash < 0 ? "" : path.slice(0, slash)).variable(path.slice(slash + 1));
  expect(v.data).toBeInstanceOf(ManifestArray);
  return v.data as ManifestArray;
}

/** Every variable's chunks equal h5py's: same coordinates, file, offsets and lengths. */
function expectSameChunks(ds: VirtualDataset, options: { inlined?: boolean; only?: string[] } = {}): void {
  for (const [path, v] of Object.entries(fx.variables)) {
    if (options.only !== undefined && !options.only.includes(path)) continue;
    const array = manifestOf(ds, path);
    expect(array.shape, path).toEqual(v.shape);
    expect(array.metadata.chunkGrid, path).toEqual({ kind: "regular", chunkShape: v.chunks });
    expect(array.manifest.stats().present, path).toBe(v.refs.length);
    for (const r of v.refs) {
      const coords = r.slice(0, v.shape.length);
      const offset = r[v.shape.length] as number;
      const size = r[v.shape.length + 1] as number;
      const entry = array.manifest.entry(coords);
      if (entry?.data !== undefined && options.inlined === true) {
        expect(Buffer.from(entry.data).equals(Buffer.from(fileBytes.subarray(offset, offset + size))), `${path} ${coords}`).toBe(true);
      } else {
        expect(entry, `${path} ${coords}`).toEqual({ path: fx.url, offset, length: size });
      }
    }
  }
}

describe(`reading kerchunk JSON (${core.kind} backend)`, () => {
  it("reads kerchunk's SingleHdf5ToZarr output: chunks equal h5py's, metadata and groups intact", async () => {
    using ds = await openKerchunkJson(join(fx.dir, "kc.json"), { core });
    expect(ds.format).toBe("kerchunk-json");
    expectSameChunks(ds);
    const air = ds.variable("air");
    expect(air.dims).toEqual(["time", "lat", "lon"]);
    expect(air.attrs).toEqual({ units: "K" });
    expect(air.metadata.fillValue).toBe(-9999);
    expect(air.metadata.codecs.map((c) => c.name)).toEqual(["bytes", "numcodecs.shuffle", "numcodecs.zlib"]);
    expect(ds.variable("count").dtype).toBe(">i2");
    expect(ds.attrs).toEqual({ title: "vzarr kerchunk interop" });
    expect(ds.group("forecast").attrs).toEqual({ model: "toy" });
    expect(ds.dims).toEqual({ time: 4, lat: 8, lon: 6 });
    // time index 3 of air was never written: its 4 chunks are missing
    expect(manifestOf(ds, "air").manifest.entry([3, 0, 0])).toBeNull();
  });

  it("reads inline (base64) chunks as the same bytes the file holds", async () => {
    using ds = await openKerchunkJson(join(fx.dir, "kc-inline.json"), { core });
    const lat = manifestOf(ds, "lat").manifest.entry([0]);
    expect(lat?.data).toBeDefined();
    expectSameChunks(ds, { inlined: true });
  });

  it("reads VirtualiZarr's to_kerchunk(format='json') output", async () => {
    using ds = await openKerchunkJson(join(fx.dir, "vz.json"), { core });
    expectSameChunks(ds, { only: ["air", "count", "lat", "lon", "time"] });
    expect(ds.variable("air").dims).toEqual(["time", "lat", "lon"]);
  });

  it("reads version 0 (a flat object) like version 1", async () => {
    const v1 = JSON.parse(readFileSync(join(fx.dir, "kc.json"), "utf8")) as { refs: Record<string, unknown> };
    const v0Path = join(fx.dir, "kc-v0.json");
    // v0 allows metadata as JSON objects as well as text
    const refs = Object.fromEntries(
      Object.entries(v1.refs).map(([k, v]) => [k, k.endsWith(".zattrs") ? JSON.parse(v as string) : v] as [string, unknown]),
    );
    writeFileSync(v0Path, JSON.stringify(refs, null, 1));
    using ds = await openKerchunkJson(v0Path, { core });
    expectSameChunks(ds);
    expect(ds.variable("air").attrs).toEqual({ units: "K" });
  });

  it("sizes whole-file references [url] by the file's size, with relative URLs next to the JSON", async () => {
    const file = join(fx.dir, "whole.json");
    const zarray = { shape: [2], chunks: [1], dtype: "|u1", compressor: null, filters: null, fill_value: 0, order: "C" };
    writeFileSync(
      file,
      JSON.stringify({ ".zgroup": '{"zarr_format":2}', "w/.zarray": JSON.stringify(zarray), "w/0": ["data.nc"], "w/1": ["data.nc", 3, 4] }),
    );
    using ds = await openKerchunkJson(file, { core });
    const m = manifestOf(ds, "w").manifest;
    expect(m.entry([0])).toEqual({ path: fx.url, offset: 0, length: fileBytes.length });
    expect(m.entry([1])).toEqual({ path: fx.url, offset: 3, length: 4 });
  });

  it("opens one group or drops variables on request", async () => {
    using g = await openKerchunkJson(join(fx.dir, "kc.json"), { core, group: "forecast" });
    expect([...g.variables.keys()]).toEqual(["precip"]);
    using d = await openKerchunkJson(join(fx.dir, "kc.json"), { core, dropVariables: ["air", "forecast/precip"] });
    expect(d.variables.has("air")).toBe(false);
    expect(d.group("forecast").variables.size).toBe(0);
  });
});
