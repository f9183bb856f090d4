/**
 * Nothing is dropped silently: `vzarr refs` fails when a variable cannot be written (the
 * parser could not represent it, or the output format cannot hold it) and says what to do;
 * `--on-unsupported skip` writes the rest and lists what was left out in the summary.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

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
    // zarr-python reads this from 3.4 on (README); the pinned 3.1 has no rectilinear grid, so
    // the values are checked through vzarr's reader of the repository.
    const back = await readArray(repo, "air", undefined, { core });
    expect(digest(back)).toBe((await pythonJson<{ sha256: string }>("concat_values.py", ["air", "-", ...monthly])).sha256);
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
