/** GRIB through the TypeScript read path (both backends) against ecCodes' values. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { parseJsonLenient } from "../ts/src/metadata/json-text.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { corpus, fixtures, hasCorpus } from "./helpers/paths.js";
import { hasPython, pythonJson } from "./helpers/python.js";

interface Message {
  sum: number;
  n_missing: number;
  packingType: string;
}

/** Sum and NaN count over every GRIB data variable of a file, as the corpus check does. */
async function totals(path: string): Promise<{ sum: number; missing: number; variables: number }> {
  using ds = await openVirtualDataset(path, { core });
  let sum = 0;
  let missing = 0;
  let variables = 0;
  for (const [name, v] of ds.walkVariables()) {
    if (!v.virtual || v.metadata.codecs[0]?.name !== "vzarr.grib") continue;
    variables++;
    // A message absent from the cube is a missing chunk: NaN, but not an ecCodes value.
    const stats = "manifest" in v.data ? v.data.manifest.stats() : undefined;
    const chunkSize = v.shape.slice(-2).reduce((a, b) => a * b, 1);
    if (stats !== undefined) missing -= (stats.chunks - stats.present) * chunkSize;
    const r = await readArray(ds, name, undefined, { core });
    for (const x of r.data as Float64Array) {
      if (Number.isNaN(x)) missing++;
      else sum += x;
    }
  }
  return { sum, missing, variables };
}

function expectClose(got: number, want: number, what: string) {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-6);
}

const oracle = JSON.parse(readFileSync(join(fixtures, "grib", "oracle.json"), "utf8")) as { files: Record<string, Message[]> };
const files = Object.keys(oracle.files);

describe(`GRIB (${core.kind} backend)`, () => {
  // JPEG 2000 (5.40) included: the core locates the codestream, OpenJPEG (wasm) decodes it.
  it.each(files)("%s: values equal ecCodes", async (file) => {
    const msgs = oracle.files[file] as Message[];
    const got = await totals(join(fixtures, "grib", file));
    expect(got.variables).toBeGreaterThan(0);
    expect(got.missing).toBe(msgs.reduce((n, m) => n + m.n_missing, 0));
    expectClose(
      got.sum,
      msgs.reduce((s, m) => s + m.sum, 0),
      file,
    );
  });

  it("JPEG 2000 samples wider than the decoder's 16 bits fail with UnsupportedFeature, not wrong values", async () => {
    const path = join(fixtures, "grib", "jpeg_wide.grib2");
    using ds = await openVirtualDataset(path, { core });
    const names = [...ds.walkVariables()].filter(([, v]) => v.virtual).map(([n]) => n);
    expect(names).toHaveLength(1);
    await expect(readArray(ds, names[0] as string, undefined, { core })).rejects.toMatchObject({
      kind: "UnsupportedFeature",
      message: expect.stringContaining("20 bits"),
      variable: names[0],
      file: expect.stringContaining("jpeg_wide.grib2"),
    });
  });

  // 16 bytes of latitude/longitude per point that barely compress: large projected grids
  // (HRRR's 1.9 M points) carry x/y and a CF grid mapping instead, from which pyproj computes
  // the same latitude/longitude ecCodes gives.
  it.runIf(hasPython)("large projected grids get x/y and a CF grid mapping that pyproj turns into ecCodes' coordinates", async () => {
    const path = join(fixtures, "grib", "coordinate_budget.grib2");
    using ds = await openVirtualDataset(path, { core });
    const groups = ["instant", "instant_grid2", "instant_grid3"].map((g) => ds.group(`heightAboveGround/${g}`));
    const [first, second, third] = groups as [VirtualDataset, VirtualDataset, VirtualDataset];
    for (const g of groups) {
      expect(g.variables.has("latitude")).toBe(false);
      expect(g.attrs.GRIB_coordinatesComputable).toMatch(/pyproj\.CRS\.from_cf/);
      expect(g.coordNames.has("spatial_ref")).toBe(true);
    }
    expect(first.variable("2t").attrs.grid_mapping).toBe("spatial_ref");
    const mapping = first.variable("spatial_ref").attrs;
    expect(mapping.grid_mapping_name).toBe("lambert_conformal_conic");

    const nx = 1800;
    const points = [0, 1234567, 1300 * nx - 1];
    const want = await pythonJson<{ points: [number, number, number][] }>("grib_points.py", [path, "0", ...points.map(String)]);
    const x = (await readArray(first, "x", undefined, { core })).data as Float64Array;
    const y = (await readArray(first, "y", undefined, { core })).data as Float64Array;
    const xy = points.map((p) => `${x[p % nx]},${y[Math.floor(p / nx)]}`);
    const got = await pythonJson<{ points: [number, number][] }>("cf_points.py", [JSON.stringify(mapping), ...xy]);
    points.forEach((_, i) => {
      const [wantLat, wantLon] = want.points[i] as [number, number, number];
      const [lat, lon] = got.points[i] as [number, number];
      expect(lat).toBeCloseTo(wantLat, 6);
      expect(((((lon - wantLon) % 360) + 540) % 360) - 180).toBeCloseTo(0, 6);
    });
    for (const [group, name, value] of [
      [first, "2t", 281.5],
      [second, "10u", -3.25],
      [third, "10v", 4],
    ] as const) {
      const r = await readArray(group, name, undefined, { core });
      expect(r.shape.slice(-2), name).toEqual(group.variable(name).shape.slice(-2));
      expect(
        (r.data as Float64Array).every((x) => x === value),
        name,
      ).toBe(true);
    }
  });

  // Native: bit-identical (Rust's f64::powf is glibc's pow, as in ecCodes). The wasm build's
  // pow comes from Rust's own libm and differs in the last bit or two.
  it.runIf(hasPython).each(["spectral.grib1", "spectral.grib2"])("%s: spherical harmonic coefficients equal ecCodes'", async (file) => {
    const path = join(fixtures, "grib", file);
    type Field = { shortName: string; count: number; sha256: string; values: number[] };
    const want = await pythonJson<{ messages: Field[] }>("grib_digests.py", [path]);
    using ds = await openVirtualDataset(path, { core });
    const byName = new Map([...ds.walkVariables()].map(([p, v]) => [p.split("/").pop() as string, [p, v] as const]));
    expect(want.messages.length).toBe(5);
    for (const m of want.messages) {
      const [name, v] = byName.get(m.shortName) ?? [];
      expect(v?.dims, m.shortName).toEqual(["values"]);
      const got = (await readArray(ds, name as string, undefined, { core })).data as Float64Array;
      if (core.kind === "native") {
        const bytes = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
        expect(createHash("sha256").update(bytes).digest("hex"), `${file}:${m.shortName}`).toBe(m.sha256);
      } else {
        expect(got.length).toBe(m.count);
        const worst = m.values.reduce((w, x, i) => Math.max(w, Math.abs((got[i] as number) - x) / Math.max(Math.abs(x), 1e-300)), 0);
        expect(worst, `${file}:${m.shortName}`).toBeLessThan(1e-15);
      }
    }
  });

  // Integer arithmetic and ecCodes' scaling: bit-identical on both backends.
  it.runIf(hasPython)("second_order.grib1: GRIB1 second-order packing decodes to ecCodes' values exactly", async () => {
    const path = join(fixtures, "grib", "second_order.grib1");
    type Field = { shortName: string; count: number; sha256: string };
    const want = await pythonJson<{ messages: Field[] }>("grib_digests.py", [path]);
    using ds = await openVirtualDataset(path, { core });
    const byName = new Map([...ds.walkVariables()].map(([p]) => [p.split("/").pop() as string, p]));
    expect(want.messages.map((m) => m.shortName)).toEqual(["t", "u", "v", "z", "q", "r"]);
    for (const m of want.messages) {
      const name = byName.get(m.shortName);
      expect(name, m.shortName).toBeDefined();
      const r = await readArray(ds, name as string, undefined, { core });
      expect(r.shape.slice(-2), m.shortName).toEqual([13, 24]);
      // ecCodes hands out missing points as its missingValue, we as NaN (the fill value).
      const got = Float64Array.from(r.data as Float64Array, (x) => (Number.isNaN(x) ? 9999 : x));
      const bytes = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
      expect(createHash("sha256").update(bytes).digest("hex"), m.shortName).toBe(m.sha256);
    }
  });

  it.runIf(hasCorpus)("corpus GRIB files from NOAA, ECMWF, DWD, MSC match truth.json", async () => {
    const truth = parseJsonLenient(readFileSync(join(corpus, "truth.json"), "utf8")) as Record<string, { messages?: Message[] }>;
    let checked = 0;
    for (const [file, entry] of Object.entries(truth)) {
      const msgs = entry.messages;
      if (msgs === undefined) continue;
      const got = await totals(join(corpus, file));
      expect(got.missing, file).toBe(msgs.reduce((n, m) => n + m.n_missing, 0));
      expectClose(
        got.sum,
        msgs.reduce((s, m) => s + m.sum, 0),
        file,
      );
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
