/** The `vzarr` command end to end, its output read back by the Python stack. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const tmp = mkdtempSync(join(tmpdir(), "vzarr-cli-"));
const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { variables: Record<string, { sha256: string; shape: number[]; dtype: string }> }
>;

describe(`vzarr CLI (${core.kind} backend)`, () => {
  it("info prints the structure as text and JSON", async () => {
    const file = join(fixtures, "netcdf3", "classic.nc");
    const text = await vzarr(["info", file], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("(netcdf3)");
    const json = await vzarr(["info", file, "--json"], env);
    const info = JSON.parse(json.stdout) as {
      format: string;
      variables: Record<string, { shape: number[]; nchunks: number; virtual: boolean }>;
    };
    expect(info.format).toBe("netcdf3");
    for (const [name, v] of Object.entries((oracle["classic.nc"] as (typeof oracle)[string]).variables)) {
      expect(info.variables[name]?.shape).toEqual(v.shape);
      expect(info.variables[name]?.virtual).toBe(true);
    }
  });

  it.runIf(hasPython)("refs writes kerchunk JSON that fsspec + xarray read to the same values", async () => {
    for (const name of ["classic.nc", "offset64.nc", "cdf5.nc"]) {
      const out = join(tmp, `${name}.json`);
      const r = await vzarr(["refs", join(fixtures, "netcdf3", name), "-o", out, "--format", "kerchunk-json"], env);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const read = await pythonJson<Record<string, { sha256?: string; shape: number[] }>>("read_refs.py", [out]);
      for (const [v, want] of Object.entries((oracle[name] as (typeof oracle)[string]).variables)) {
        expect(read[v]?.shape, `${name}:${v}`).toEqual(want.shape);
        if (!want.dtype.startsWith("|S")) expect(read[v]?.sha256, `${name}:${v}`).toBe(want.sha256);
      }
    }
  });

  it.runIf(hasPython)("cat writes .npy that NumPy loads", async () => {
    const out = join(tmp, "x.npy");
    const file = join(fixtures, "netcdf3", "classic.nc");
    const [name, want] = Object.entries((oracle["classic.nc"] as (typeof oracle)[string]).variables).find(
      ([, v]) => v.shape.length > 1,
    ) as [string, { sha256: string; shape: number[] }];
    const r = await vzarr(["cat", file, name, "-o", out], env);
    expect(r.code).toBe(0);
    const loaded = await pythonJson<{ sha256: string; shape: number[] }>("digest_npy.py", [out]);
    expect(loaded).toEqual({ sha256: want.sha256, shape: want.shape });
    const sliced = await vzarr(["cat", file, name, "--slice", "0", "-o", out], env);
    expect(sliced.code).toBe(0);
    expect((await pythonJson<{ shape: number[] }>("digest_npy.py", [out])).shape).toEqual(want.shape.slice(1));
  });

  it.runIf(hasPython)("cat --decode masks and scales like netCDF4-python", async () => {
    const file = join(tmp, "packed.nc");
    const want = await pythonJson<{ sha256: string; shape: number[] }>("make_packed.py", [file]);
    const out = join(tmp, "decoded.npy");
    const r = await vzarr(["cat", file, "t", "--decode", "-o", out], env);
    expect(r.code).toBe(0);
    expect(await pythonJson("digest_npy.py", [out])).toEqual(want);
  });

  it("fails with one tagged line, never a stack trace", async () => {
    const missing = await vzarr(["info", join(tmp, "nope.nc")], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^vzarr: NotFound: .*nope\.nc/);
    expect(missing.stderr).not.toContain("    at ");
    const garbage = join(tmp, "garbage.nc");
    (await import("node:fs")).writeFileSync(garbage, "this is not a netCDF file at all");
    const bad = await vzarr(["cat", garbage, "x", "-o", join(tmp, "g.npy")], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^vzarr: UnsupportedFeature: unrecognised file format/);
    const usage = await vzarr(["cat"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: vzarr cat");
    const unknownVar = await vzarr(["cat", join(fixtures, "netcdf3", "classic.nc"), "nope", "-o", join(tmp, "n.npy")], env);
    expect(unknownVar.stderr).toMatch(/^vzarr: NotFound: no variable nope/);
  });
});
