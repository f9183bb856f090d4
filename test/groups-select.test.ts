/**
 * `--group` / `{ group }` selects a group in every format: the group becomes the dataset's
 * root (as HDF5's), an unknown group is NotFound listing the groups there are, and a
 * variable asked for by its short name points to the full paths that end with it.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const grib = join(fixtures, "grib", "grouping.grib2");

describe(`group selection (${core.kind} backend)`, () => {
  it("a GRIB group becomes the root; its variables read as from the whole file", async () => {
    using whole = await openVirtualDataset(grib, { core });
    using one = await openVirtualDataset(grib, { core, group: "isobaricInhPa/instant" });
    expect([...one.groups.keys()]).toEqual([]);
    expect(one.variable("t").dims).toEqual(["time", "step", "isobaricInhPa", "latitude", "longitude"]);
    const a = await readArray(one, "t", undefined, { core });
    const b = await readArray(whole, "isobaricInhPa/instant/t", undefined, { core });
    expect(a.data).toEqual(b.data);
    using level = await openVirtualDataset(grib, { core, group: "heightAboveGround" });
    expect([...level.groups.keys()]).toContain("instant");
    expect(level.attrs.Conventions).toBe("CF-1.7");
  });

  it("an unknown group is NotFound listing the groups, in the library and the CLI", async () => {
    await expect(openVirtualDataset(grib, { core, group: "nosuch" })).rejects.toMatchObject({
      kind: "NotFound",
      message: expect.stringMatching(/no group "nosuch".*isobaricInhPa\/instant/),
    });
    const r = await vzarr(["info", grib, "--group", "nosuch"], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NotFound: no group "nosuch" in the GRIB file; groups: .*heightAboveGround/);
  });

  it("cat with --group reads the group's variable; a short name suggests the full paths", async () => {
    const ok = await vzarr(
      [
        "cat",
        grib,
        "t",
        "--group",
        "isobaricInhPa/instant",
        "--slice",
        "0,0,0,0,0:3",
        "-o",
        join(tmpdir(), `vzarr-group-${process.pid}.npy`),
      ],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const missing = await vzarr(["cat", grib, "t", "-o", join(tmpdir(), `vzarr-group-${process.pid}.npy`)], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no variable t; .*in groups: isobaricInhPa\/instant\/t.*--group isobaricInhPa\/instant/);
  });
});
