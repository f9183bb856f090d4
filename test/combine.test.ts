/** concat / merge / combineNested / combineByCoords on in-memory datasets (no files). */
import { describe, expect, it } from "vitest";
import { combineByCoords, combineNested, concat, merge } from "../ts/src/dataset/combine/index.js";
import { LoadedArray } from "../ts/src/dataset/loaded-array.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { IncompatibleArraysError } from "../ts/src/errors/vzarr-error.js";
import type { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core, rng } from "./helpers/backend.js";
import { chunkRefs, type FileSpec, fileDataset } from "./helpers/synthetic.js";

const open = (spec: FileSpec) => fileDataset(core, spec);
const times = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
const values = (ds: VirtualDataset, name: string) => Array.from((ds.variable(name).data as LoadedArray).values as Float64Array);

function freeAll(...list: VirtualDataset[]): void {
  for (const ds of list) ds.free();
}

describe(`combine (${core.kind} backend)`, () => {
  it("concat joins every file's chunks in order with one manifest op, keeps equal coordinates once", () => {
    const live = core.manifestLiveCount();
    const parts = [open({ file: "a.nc", times: [0, 1] }), open({ file: "b.nc", times: [2, 3, 4] }), open({ file: "c.nc", times: [5] })];
    const all = concat(parts, "time");
    expect(all.dims).toEqual({ time: 6, lat: 2, lon: 3 });
    expect(chunkRefs(all.variable("air"))).toEqual(parts.flatMap((p) => chunkRefs(p.variable("air"))));
    expect(values(all, "time")).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all.variable("lat")).toBe(parts[0]?.variable("lat"));
    expect([...all.sources.keys()]).toEqual(["a.nc", "b.nc", "c.nc"]);
    expect(all.attrs).toEqual({ title: "a.nc" });
    freeAll(all, ...parts);
    expect(core.manifestLiveCount()).toBe(live);
  });

  it("concat builds a rectilinear grid where chunk lengths differ along the dimension", () => {
    const jan = open({ file: "jan.nc", times: times(0, 31), timeChunk: 31 });
    const feb = open({ file: "feb.nc", times: times(31, 29), timeChunk: 29 });
    const both = concat([jan, feb], "time");
    expect(both.variable("air").metadata.chunkGrid).toEqual({ kind: "rectilinear", chunkShapes: [[31, 29], 2, 3] });
    expect(() => concat([jan, feb], "time", { allowRectilinear: false })).toThrow(/rectilinear.*variable air/);
    freeAll(both, jan, feb);
  });

  it.each([
    ["dtype", { air: { dtype: "<f8" } }, /variable air: the dtype is <f4 in a\.nc but <f8 in b\.nc/],
    [
      "codecs",
      {
        air: {
          codecs: [
            { name: "bytes", configuration: { endian: "little" } },
            { name: "gzip", configuration: { level: 4 } },
          ],
        },
      },
      /air: the codec pipeline .* in a\.nc but .*gzip.* in b\.nc/,
    ],
    ["fill value", { air: { fillValue: -9999 } }, /air: the Zarr fill value is NaN in a\.nc but -9999 in b\.nc/],
    ["chunk shape", { chunks: [1, 1, 3] }, /air: the chunk length along lat is 2 in a\.nc but 1 in b\.nc/],
    ["scale_factor", { airAttrs: { scale_factor: 0.01 } }, /air: scale_factor is \(absent\) in a\.nc but 0\.01 in b\.nc/],
    ["add_offset", { airAttrs: { add_offset: 273.15 } }, /air: add_offset is \(absent\) in a\.nc but 273\.15 in b\.nc/],
    ["_FillValue", { airAttrs: { _FillValue: -1 } }, /air: _FillValue is \(absent\) in a\.nc but -1 in b\.nc/],
  ] as [string, Partial<FileSpec>, RegExp][])("refuses a different %s, naming the variable, files and values", (_what, change, message) => {
    const plain = open({ file: "a.nc", times: [0] });
    const b = open({ file: "b.nc", times: [1], ...change });
    let err: unknown;
    try {
      concat([plain, b], "time");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IncompatibleArraysError);
    expect((err as IncompatibleArraysError).variable).toBe("air");
    expect(String((err as Error).message)).toMatch(message);
    freeAll(plain, b);
  });

  it("refuses virtual time variables with different units, re-encodes loaded ones", () => {
    const a = open({ file: "a.nc", times: [0, 1], units: "days since 2000-01-01" });
    const b = open({ file: "b.nc", times: [48, 72], units: "hours since 2000-01-01" });
    const both = concat([a, b], "time");
    expect(values(both, "time")).toEqual([0, 1, 2, 3]);
    expect(both.variable("time").attrs.units).toBe("days since 2000-01-01");
    const va = open({ file: "a.nc", times: [0, 1], virtualTime: true });
    const vb = open({ file: "b.nc", times: [48, 72], units: "hours since 2000-01-01", virtualTime: true });
    expect(() => concat([va, vb], "time")).toThrow(
      /variable time: units is days since 2000-01-01 in a\.nc but hours since 2000-01-01 in b\.nc \(stored values cannot be rewritten/,
    );
    const noleap = open({ file: "n.nc", times: [400], calendar: "noleap" });
    expect(() => concat([a, noleap], "time")).toThrow(/calendar noleap in n\.nc and standard in a\.nc/);
    freeAll(both, a, b, va, vb, noleap);
  });

  it("keeps variables without the dimension once, or broadcasts them with dataVars: all", () => {
    const a = open({ file: "a.nc", times: [0, 1], lat: [10, 20] });
    const b = open({ file: "b.nc", times: [2], lat: [10, 21] });
    expect(() => concat([a, b], "time")).toThrow(/variable lat has no dimension time and differs between a\.nc and b\.nc/);
    const mask = (file: string) => {
      const ds = open({ file, times: [0, 1] });
      return ds.with({ variables: [...ds.variables, ["mask", ds.variable("air").withDims(["t2", "lat", "lon"])]] });
    };
    const m1 = mask("m1.nc");
    const m2 = open({ file: "m2.nc", times: [2, 3, 4] });
    const m2b = m2.with({ variables: [...m2.variables, ["mask", m1.variable("mask")]] });
    const kept = concat([m1, m2b], "time");
    expect(kept.variable("mask")).toBe(m1.variable("mask"));
    const spread = concat([m1, m2b], "time", { dataVars: "all" });
    expect(spread.variable("mask").dims).toEqual(["time", "t2", "lat", "lon"]);
    expect(spread.variable("mask").shape).toEqual([5, 2, 2, 3]);
    expect(chunkRefs(spread.variable("mask")).length).toBe(5 * 2);
    freeAll(kept, spread, a, b, m1, m2);
  });

  it("concat along a new dimension stacks data variables and adds its coordinate", () => {
    const members = [0, 1, 2].map((m) => open({ file: `m${m}.nc`, times: [0, 1] }));
    const ens = concat(members, "member", { coordValues: [0, 1, 2], coordAttrs: { long_name: "member" } });
    expect(ens.variable("air").dims).toEqual(["member", "time", "lat", "lon"]);
    expect(ens.variable("air").shape).toEqual([3, 2, 2, 3]);
    expect(chunkRefs(ens.variable("air"))).toEqual(members.flatMap((p) => chunkRefs(p.variable("air"))));
    expect(values(ens, "member")).toEqual([0, 1, 2]);
    expect(ens.coordNames.has("member")).toBe(true);
    expect(values(ens, "time")).toEqual([0, 1]);
    freeAll(ens, ...members);
  });

  it("merge unions variables and names the one that conflicts", () => {
    const a = open({ file: "a.nc", times: [0, 1] });
    const b = open({ file: "b.nc", times: [0, 1] });
    const renamed = b.rename({ air: "sst" });
    const m = merge([a, renamed]);
    expect([...m.variables.keys()].sort()).toEqual(["air", "lat", "lon", "sst", "time"]);
    expect(() => merge([a, b])).toThrow(/cannot merge: variable air differs between a\.nc and b\.nc/);
    const later = open({ file: "c.nc", times: [5, 6] }).rename({ air: "sst" });
    expect(() => merge([a, later])).toThrow(/variable time differs/);
    freeAll(m, a, b, later);
  });

  it("combineNested joins a grid of files along two dimensions", () => {
    const grid = [0, 1].map((m) => [0, 1, 2].map((t) => open({ file: `m${m}_t${t}.nc`, times: [2 * t, 2 * t + 1] })));
    const live = core.manifestLiveCount();
    const all = combineNested(grid, ["member", "time"]);
    expect(all.variable("air").shape).toEqual([2, 6, 2, 3]);
    expect(chunkRefs(all.variable("air"))).toEqual(grid.flat().flatMap((p) => chunkRefs(p.variable("air"))));
    // Only the result's manifest is new: intermediates were released.
    expect(core.manifestLiveCount()).toBe(live + 1);
    freeAll(all, ...grid.flat());
  });

  it("combineByCoords orders shuffled files by decoded times (different units and calendars)", () => {
    const specs: FileSpec[] = [
      { file: "d0.nc", times: [0, 1, 2], units: "days since 2000-01-01" },
      { file: "d1.nc", times: [72, 96], units: "hours since 2000-01-01", calendar: "proleptic_gregorian" },
      { file: "d2.nc", times: [5, 6, 7, 8], units: "days since 2000-01-01", calendar: "gregorian" },
      { file: "d3.nc", times: [0, 1440], units: "minutes since 2000-01-10" },
      { file: "d4.nc", times: [-1, 0], units: "days since 2000-01-13" },
    ];
    const order = [3, 0, 4, 2, 1];
    const r = rng(5);
    for (let round = 0; round < 4; round++) {
      const shuffled = [...order].sort(() => r() - 0.5);
      const parts = shuffled.map((i) => open(specs[i] as FileSpec));
      const all = combineByCoords(parts);
      expect(values(all, "time")).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(chunkRefs(all.variable("air")).map((s) => s.split("@")[0])).toEqual(
        ["d0", "d0", "d0", "d1", "d1", "d2", "d2", "d2", "d2", "d3", "d3", "d4", "d4"].map((f) => `${f}.nc`),
      );
      freeAll(all, ...parts);
    }
  });

  it("combineByCoords refuses overlaps, repeats and non-monotonic coordinates, naming the files", () => {
    const a = open({ file: "a.nc", times: [0, 1, 2] });
    const overlap = open({ file: "b.nc", times: [2.5, 3], units: "days since 1999-12-31" });
    expect(() => combineByCoords([overlap, a])).toThrow(
      /time overlaps: a\.nc ends at 2000-01-03T00:00:00 but b\.nc starts at 2000-01-02T12:00:00/,
    );
    const repeat = open({ file: "c.nc", times: [48, 72], units: "hours since 2000-01-01" });
    expect(() => combineByCoords([a, repeat])).toThrow(
      /time repeats: a\.nc ends at 2000-01-03T00:00:00 but c\.nc starts at 2000-01-03T00:00:00/,
    );
    const zigzag = open({ file: "z.nc", times: [5, 4, 6] });
    expect(() => combineByCoords([a, zigzag])).toThrow(/time in z\.nc is not strictly monotonic/);
    const virtual = open({ file: "v.nc", times: [7], virtualTime: true });
    const virtual2 = open({ file: "w.nc", times: [8], virtualTime: true });
    expect(() => combineByCoords([virtual, virtual2])).toThrow(/values are not loaded in v\.nc; list it in loadableVariables/);
    freeAll(a, overlap, repeat, zigzag, virtual, virtual2);
  });

  it("combineByCoords merges files holding different variables at the same times", () => {
    const air = [0, 1].map((k) => open({ file: `air${k}.nc`, times: [2 * k, 2 * k + 1] }));
    const sst = [1, 0].map((k) => open({ file: `sst${k}.nc`, times: [2 * k, 2 * k + 1] }).rename({ air: "sst" }));
    const all = combineByCoords([...sst, ...air]);
    expect(all.variable("air").shape).toEqual([4, 2, 3]);
    expect(chunkRefs(all.variable("sst")).map((s) => s.split("@")[0])).toEqual(["sst0.nc", "sst0.nc", "sst1.nc", "sst1.nc"]);
    freeAll(all, ...air, ...sst);
  });

  it("isel cuts on chunk boundaries only; rename and dropVariables edit names", () => {
    const jan = open({ file: "jan.nc", times: times(0, 31), timeChunk: 31 });
    const feb = open({ file: "feb.nc", times: times(31, 29), timeChunk: 29 });
    const both = concat([jan, feb], "time");
    const second = both.isel({ time: [31, null] });
    expect(second.dims.time).toBe(29);
    expect(values(second, "time")[0]).toBe(31);
    expect(chunkRefs(second.variable("air"))).toEqual(["feb.nc@1000"]);
    expect(() => both.isel({ time: [1, 40] })).toThrow(expect.objectContaining({ kind: "InvalidArgument", variable: "air" }));
    expect(() => both.isel({ lat: [0, 1] })).toThrow(/does not fall on chunk boundaries/);
    expect(both.isel({ lat: [0, 2] }).variable("air")).toBe(both.variable("air"));
    const renamed = both.rename({ time: "t", air: "temperature" });
    expect(renamed.variable("temperature").dims).toEqual(["t", "lat", "lon"]);
    expect(renamed.coordNames.has("t")).toBe(true);
    expect(() => both.rename({ nope: "x" })).toThrow(/no variable or dimension nope/);
    const dropped = both.dropVariables(["air", "lon"]);
    expect([...dropped.variables.keys()]).toEqual(["time", "lat"]);
    freeAll(second, both, jan, feb);
  });

  it("loaded coordinates along the dimension concatenate in memory", () => {
    const a = open({ file: "a.nc", times: [0, 1] });
    const b = open({ file: "b.nc", times: [2] });
    const both = concat([a, b], "time");
    const t = both.variable("time").data as LoadedArray;
    expect(t).toBeInstanceOf(LoadedArray);
    expect(t.shape).toEqual([3]);
    expect((both.variable("air").data as ManifestArray).shape).toEqual([3, 2, 3]);
    freeAll(both, a, b);
  });
});
