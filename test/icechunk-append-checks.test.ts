/**
 * Appends keep the store valid: an append the rules of `concat` refuse (other latitudes,
 * other CF packing, repeated times, a missing or an extra variable) changes nothing and says
 * why; times in other units are converted into the stored ones; and after every append that
 * commits, xarray opens the repository with the times in order.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listSnapshots } from "../ts/src/formats/icechunk/index.js";
import { core } from "./helpers/backend.js";
import { hasPython, pythonJson, runPythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };

async function xarrayTimes(repo: string): Promise<string[]> {
  return runPythonJson<string[]>(
    {
      code: `import json, sys, warnings; warnings.filterwarnings("ignore")
import icechunk as ic, xarray as xr
repo = ic.Repository.open(ic.local_filesystem_storage(sys.argv[1]), authorize_virtual_chunk_access=ic.containers_credentials({sys.argv[2]: None}))
ds = xr.open_zarr(repo.readonly_session("main").store, consolidated=False, zarr_format=3)
print(json.dumps([str(t)[:10] for t in ds["time"].values]))`,
    },
    [repo, `file://${join(repo, "..")}/`],
  );
}

describe.runIf(hasPython)(`Icechunk appends (${core.kind} backend)`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vzarr-append-"));
    await pythonJson("make_append_cases.py", [dir]);
  }, 60_000);

  async function freshRepo(name: string): Promise<string> {
    const repo = join(dir, name);
    const r = await vzarr(["refs", join(dir, "base.nc"), "-o", repo, "--format", "icechunk", "-q", "--container", `${dir}/`], env);
    expect(r.code, r.stderr).toBe(0);
    return repo;
  }

  it.each([
    ["lat.nc", /coordinate lat differs from the stored one at index 0/],
    ["packed.nc", /temp has scale_factor 0\.02, the stored one 0\.01/],
    ["dup.nc", /time value .* is already in the repository/],
    ["missing.nc", /the repository has variable precip, the appended data does not/],
    ["extra.nc", /the appended data has variable wind, the repository does not/],
  ])("refuses %s with the reason and changes nothing", async (file, reason) => {
    const repo = await freshRepo(`repo-${file}`);
    const before = await listSnapshots(repo);
    const r = await vzarr(["refs", join(dir, file), "-o", repo, "--format", "icechunk", "-q", "--append-dim", "time"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/IncompatibleArrays: cannot append to .* along time: /);
    expect(r.stderr).toMatch(reason);
    expect(await listSnapshots(repo)).toEqual(before);
    expect(await xarrayTimes(repo)).toEqual(["2000-01-01", "2000-01-02", "2000-01-03", "2000-01-04"]);
  });

  it("converts times in other units into the stored ones; xarray sees the dates in order", async () => {
    const repo = await freshRepo("repo-hours");
    for (const file of ["hours.nc"]) {
      const r = await vzarr(["refs", join(dir, file), "-o", repo, "--format", "icechunk", "-q", "--append-dim", "time"], env);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(await xarrayTimes(repo)).toEqual([
      "2000-01-01",
      "2000-01-02",
      "2000-01-03",
      "2000-01-04",
      "2000-01-05",
      "2000-01-06",
      "2000-01-07",
      "2000-01-08",
    ]);
    // And the same days again are refused.
    const again = await vzarr(["refs", join(dir, "next.nc"), "-o", repo, "--format", "icechunk", "-q", "--append-dim", "time"], env);
    expect(again.stderr).toMatch(/already in the repository/);
  });
});
