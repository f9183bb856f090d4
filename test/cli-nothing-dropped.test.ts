/**
 * Nothing is dropped silently: `vzarr refs` fails when a variable cannot be written (the
 * parser could not represent it, or the output format cannot hold it) and says what to do;
 * `--on-unsupported skip` writes the rest and lists what was left out in the summary.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { core } from "./helpers/backend.js";
import { hasPython, pythonJson, pythonScript, runPythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };

describe.runIf(hasPython)(`refs never drops a variable silently (${core.kind} backend)`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vzarr-drops-"));
  let monthly: string[];
  let stores: string;

  beforeAll(async () => {
    monthly = (await pythonJson<{ files: string[] }>("make_archive.py", ["monthly", join(tmp, "monthly"), "2024", "NETCDF4"])).files;
    stores = join(tmp, "stores");
    await pythonJson("make_zarr_stores.py", [stores]);
  }, 120_000);

  it("kerchunk output of month-long time chunks fails by default and names --format icechunk", async () => {
    const out = join(tmp, "monthly.json");
    const r = await vzarr(["refs", ...monthly, "--concat-dim", "time", "-o", out, "-q"], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/UnsupportedFeature.*rectilinear.*--format icechunk.*variable air/s);
    expect(existsSync(out)).toBe(false);

    const skip = await vzarr(["refs", ...monthly, "--concat-dim", "time", "-o", out, "--on-unsupported", "skip"], env);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).toMatch(/left out \(--on-unsupported skip\): air, precip/);
    expect(skip.stderr).toMatch(/skipping air: .*rectilinear/);

    const repo = join(tmp, "monthly.icechunk");
    const ice = await vzarr(["refs", ...monthly, "--concat-dim", "time", "-o", repo, "--format", "icechunk", "-q"], env);
    expect(ice.code, ice.stderr).toBe(0);
    // As the README shows: zarr-python reads the rectilinear grid once the config allows it,
    // to the values netCDF4-python reads from the monthly files.
    const got = await runPythonJson<{ shape: number[]; sha256: string }>(
      {
        code: `import json, sys, icechunk, xarray as xr, zarr
sys.path.insert(0, sys.argv[3])
from concat_values import digest
zarr.config.set({"array.rectilinear_chunks": True})
repo = icechunk.Repository.open(icechunk.local_filesystem_storage(sys.argv[1]),
    authorize_virtual_chunk_access=icechunk.containers_credentials({sys.argv[2]: None}))
ds = xr.open_zarr(repo.readonly_session("main").store, consolidated=False, mask_and_scale=False)
print(json.dumps({"shape": list(ds.air.shape), "sha256": digest(ds.air.values)}))`,
      },
      [repo, `file://${dirname(monthly[0] as string)}/`, pythonScript("")],
    );
    expect(got).toEqual(await pythonJson("concat_values.py", ["air", "-", ...monthly]));
  });

  it("a variable the parser left out fails the run by default, and is listed when skipped", async () => {
    const input = join(stores, "sharded.zarr");
    const out = join(tmp, "sharded.json");
    const r = await vzarr(["refs", input, "-o", out, "-q"], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/variable whole cannot be represented.*compressed as a whole.*--on-unsupported skip/s);
    expect(existsSync(out)).toBe(false);

    const repo = join(tmp, "sharded.icechunk");
    const skip = await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "--on-unsupported", "skip"], env);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/warning: leaving out whole: /);
    expect(skip.stdout).toMatch(/left out \(--on-unsupported skip\): whole/);
  });
});
