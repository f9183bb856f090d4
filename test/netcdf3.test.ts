import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { CorruptFileError } from "../ts/src/errors/vzarr-error.js";
import { parseJsonLenient } from "../ts/src/metadata/json-text.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { corpus, fixtures, hasCorpus } from "./helpers/paths.js";

interface OracleVar {
  dims: string[];
  dtype: string;
  shape: number[];
  sha256: string;
  fill_value: unknown;
}
const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { dims: Record<string, number>; variables: Record<string, OracleVar>; format: string }
>;
const files = Object.keys(oracle).filter((f) => f.endsWith(".nc"));

describe(`netCDF3 (${core.kind} backend)`, () => {
  it.each(files)("%s: structure and values equal netCDF4-python", async (name) => {
    const path = join(fixtures, "netcdf3", name);
    using ds = await openVirtualDataset(path, { core });
    const want = oracle[name] as (typeof oracle)[string];
    expect(ds.format).toBe("netcdf3");
    for (const [vname, v] of Object.entries(want.variables)) {
      const got = ds.variable(vname);
      expect(got.dims).toEqual(v.dims);
      expect(got.shape).toEqual(v.shape);
      const r = await readArray(ds, vname, undefined, { core });
      expect(r.shape).toEqual(v.shape);
      if (!v.dtype.startsWith("|S")) expect(digest(r), `${name}:${vname}`).toBe(v.sha256);
    }
  });

  it("reads selections like NumPy", async () => {
    const path = join(fixtures, "netcdf3", "classic.nc");
    using ds = await openVirtualDataset(path, { core });
    const [name, v] = Object.entries((oracle["classic.nc"] as (typeof oracle)[string]).variables).find(([, x]) => x.shape.length >= 2) as [
      string,
      OracleVar,
    ];
    const all = await readArray(ds, name, undefined, { core });
    const last = v.shape.length - 1;
    const sel = v.shape.map((d, a) => (a === 0 ? 0 : a === last ? { start: 0, stop: d, step: 2 } : null));
    const part = await readArray(ds, name, sel, { core });
    expect(part.shape).toEqual(v.shape.slice(1).map((d, a) => (a === last - 1 ? Math.ceil(d / 2) : d)));
    // Element check against the full read.
    const full = all.data as ArrayLike<number>;
    const got = part.data as ArrayLike<number>;
    const inner = v.shape.slice(1).reduce((x, y) => x * y, 1);
    const lastLen = v.shape[last] as number;
    let k = 0;
    for (let i = 0; i < inner; i++) {
      if ((i % lastLen) % 2 === 0) expect(got[k++]).toEqual(full[i]);
    }
  });

  it.runIf(hasCorpus)("corpus files written by netCDF-C match truth.json", async () => {
    const truth = parseJsonLenient(readFileSync(join(corpus, "truth.json"), "utf8")) as Record<string, Record<string, unknown>>;
    const nc3 = Object.keys(truth).filter((f) => /nctest\/|nc_test\/bad|ref_test_36|ref_nccopy3|ref_null_byte/.test(f));
    expect(nc3.length).toBeGreaterThan(3);
    for (const f of nc3) {
      const entry = truth[f] as Record<string, { sha256?: string; shape?: number[] } | string>;
      if ("error" in entry) {
        await expect(openVirtualDataset(join(corpus, f), { core })).rejects.toBeInstanceOf(CorruptFileError);
        continue;
      }
      using ds = await openVirtualDataset(join(corpus, f), { core });
      for (const [vname, t] of Object.entries(entry)) {
        if (typeof t !== "object" || t.sha256 === undefined) continue;
        const r = await readArray(ds, vname, undefined, { core });
        expect(digest(r), `${f}:${vname}`).toBe(t.sha256);
      }
    }
  });

  it("refuses truncated and garbled headers with tagged errors", async () => {
    const bytes = readFileSync(join(fixtures, "netcdf3", "classic.nc"));
    const { MemorySource } = await import("../ts/src/io/memory.js");
    for (const cut of [4, 8, 13, 40, 100, 200]) {
      await expect(openVirtualDataset(new MemorySource("mem://cut.nc", bytes.subarray(0, cut)), { core })).rejects.toMatchObject({
        kind: expect.stringMatching(/CorruptFile|LimitExceeded|UnsupportedFeature/),
      });
    }
  });
});
