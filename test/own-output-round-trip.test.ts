/**
 * What vzarr writes, vzarr reads back: variable-length strings from its own Icechunk
 * repository (and kerchunk references), and a netCDF-3 file appended to the repository made
 * from its predecessor (its char variable's fill value as stored, base64, equals the file's).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, runPythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };

describe(`own output round-trips (${core.kind} backend)`, () => {
  it("variable-length strings read back from vzarr's Icechunk repository and kerchunk JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-rt-"));
    const file = join(fixtures, "hdf5", "nc4_basic.nc");
    const want = await readArray(file, "names", undefined, { core });
    expect(want.data).toEqual(["alpha", "beta", "", "delta", "épsilon", "zeta"]);
    for (const [format, out] of [
      ["icechunk", join(dir, "repo")],
      ["kerchunk-json", join(dir, "refs.json")],
    ] as const) {
      const r = await vzarr(["refs", file, "-o", out, "--format", format, "--on-unsupported", "skip", "-q"], env);
      expect(r.code, r.stderr).toBe(0);
      expect((await readArray(out, "names", undefined, { core })).data, format).toEqual(want.data);
      expect((await readArray(out, "names", [[1, 5]], { core })).data, format).toEqual(["beta", "", "delta", "épsilon"]);
    }
    if (hasPython) {
      // And the kerchunk strings (vlen-utf8, dtype |O) read in fsspec + xarray as well.
      const names = await runPythonJson<string[]>(
        {
          code: `import json, sys, warnings; warnings.filterwarnings("ignore"); import xarray as xr
ds = xr.open_dataset("reference://", engine="zarr", consolidated=False, zarr_format=2, storage_options={"fo": sys.argv[1], "remote_protocol": "file"})
print(json.dumps([str(x) for x in ds["names"].values]))`,
        },
        [join(dir, "refs.json")],
      );
      expect(names).toEqual(want.data);
    }
  });

  it.runIf(hasPython)("a netCDF-3 file appends to the repository made from its predecessor, char variables included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-rt3-"));
    await pythonJson("make_append_cases.py", [dir]);
    const repo = join(dir, "repo");
    expect((await vzarr(["refs", join(dir, "base3.nc"), "-o", repo, "--format", "icechunk", "-q"], env)).code).toBe(0);
    // The char variable's fill value is a byte in the file and base64 in the repository.
    const r = await vzarr(["refs", join(dir, "next3.nc"), "-o", repo, "--format", "icechunk", "-q", "--append-dim", "time"], env);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ["temp", "precip", "label"]) {
      const parts = [
        await readArray(join(dir, "base3.nc"), name, undefined, { core }),
        await readArray(join(dir, "next3.nc"), name, undefined, { core }),
      ];
      const both = await readArray(repo, name, undefined, { core });
      expect(both.shape[0], name).toBe(8);
      expect(Array.from(both.data as ArrayLike<number>), name).toEqual(parts.flatMap((p) => Array.from(p.data as ArrayLike<number>)));
    }
  });
});
