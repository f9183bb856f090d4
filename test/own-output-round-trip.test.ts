/**
 * What vzarr writes, vzarr reads back: variable-length strings from its own Icechunk
 * repository (and kerchunk references), and a netCDF-3 file appended to the repository made
 * from the same file (its char variables' fill value as stored, base64, equals the file's).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, runPythonJson, vzarr } from "./helpers/python.js";

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
      const r = await vzarr(["refs", file, "-o", out, "--format", format, "-q"], env);
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

  it("a netCDF-3 file appends to the repository made from it, and every variable reads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-rt3-"));
    const file = join(fixtures, "netcdf3", "classic.nc");
    const repo = join(dir, "repo");
    expect((await vzarr(["refs", file, "-o", repo, "--format", "icechunk", "-q"], env)).code).toBe(0);
    const r = await vzarr(["refs", file, "-o", repo, "--format", "icechunk", "-q", "--append-dim", "time"], env);
    expect(r.code, r.stderr).toBe(0);
    using original = await openVirtualDataset(file, { core, loadableVariables: [] });
    for (const name of ["temp", "count", "flag", "label"]) {
      const once = await readArray(original, name, undefined, { core });
      const twice = await readArray(repo, name, undefined, { core });
      expect(twice.shape[0], name).toBe(2 * (once.shape[0] as number));
      const half = (twice.data as ArrayLike<number>).length / 2;
      expect(Array.from(twice.data as ArrayLike<number>).slice(half), name).toEqual(Array.from(once.data as ArrayLike<number>));
    }
  });
});
