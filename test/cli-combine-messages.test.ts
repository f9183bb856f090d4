/**
 * Combine messages speak CLI: a concat dimension no input has is explained as stacking along
 * a new dimension (with the inputs' dimensions and the likely flag), a directory input
 * suggests a glob, and `--decode-times` exists on the command line.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openIcechunk } from "../ts/src/formats/icechunk/index.js";
import { core } from "./helpers/backend.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };

describe.runIf(hasPython)(`combine messages (${core.kind} backend)`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vzarr-combine-msg-"));
  let files: string[];
  beforeAll(async () => {
    files = (await pythonJson<{ files: string[] }>("make_archive.py", ["monthly", join(tmp, "m"), "2024", "NETCDF4"])).files.slice(0, 3);
  }, 120_000);

  it("--concat-dim that no input has: stacking along a new dimension, why it fails, the dimensions, the likely flag", async () => {
    const r = await vzarr(["refs", ...files, "--concat-dim", "tim", "-o", join(tmp, "x.icechunk")], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /no input has a dimension tim, so the 3 files were being stacked along a new dimension tim; that fails because/,
    );
    expect(r.stderr).toMatch(/The inputs' dimensions: time \(31 or 29\), lat \(4\), lon \(5\)\. Did you mean --concat-dim time\?/);
  });

  it("a conflicting variable names the flag that leaves it out (or keeps the first file's)", async () => {
    const dir = join(tmp, "cases");
    await pythonJson("make_append_cases.py", [dir]);
    const packed = await vzarr(
      ["refs", join(dir, "base.nc"), join(dir, "packed.nc"), "--concat-dim", "time", "-o", join(tmp, "p.json")],
      env,
    );
    expect(packed.code).not.toBe(0);
    expect(packed.stderr).toMatch(
      /IncompatibleArrays: cannot combine variable temp: scale_factor .*; to combine the rest, leave it out with --drop temp/,
    );
    const lat = await vzarr(["refs", join(dir, "base.nc"), join(dir, "lat.nc"), "--concat-dim", "time", "-o", join(tmp, "l.json")], env);
    expect(lat.stderr).toMatch(/--drop lat, or --compat override to keep the first file's/);
    const dropped = await vzarr(
      ["refs", join(dir, "base.nc"), join(dir, "packed.nc"), "--concat-dim", "time", "--drop", "temp", "-o", join(tmp, "p.json"), "-q"],
      env,
    );
    expect(dropped.code, dropped.stderr).toBe(0);
  });

  it("a directory of files suggests a glob", async () => {
    const r = await vzarr(["refs", dirname(files[0] as string), "-o", join(tmp, "y.json")], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/InvalidArgument: .* is a directory .*pass a glob such as '.*\/\*\.nc'/);
  });

  it("--decode-times combines and the times read as dates in order", async () => {
    const repo = join(tmp, "z.icechunk");
    const r = await vzarr(["refs", ...files, "--concat-dim", "time", "--decode-times", "-o", repo, "-q"], env);
    expect(r.code, r.stderr).toBe(0);
    using ds = await openIcechunk(repo);
    expect(ds.dims.time).toBe(31 + 29 + 31);
    expect(String(ds.variable("time").attrs.units)).toMatch(/since/);
  });
});
