/**
 * `toIcechunk`'s `mode` ("w-" / "w" / "a", as xarray's `to_zarr`) and `group`: what each
 * leaves in the repository, read back by Python icechunk + zarr.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { ConflictError, InvalidArgumentError } from "../ts/src/errors/vzarr-error.js";
import { timeBlock, virtualF4, writeFloat32 } from "./helpers/icechunk-data.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

interface ReadResult {
  groups: Record<string, Record<string, unknown>>;
  arrays: Record<string, { shape: number[]; values: (number | null)[]; dims: string[] }>;
  ancestry: { message: string }[];
}

let dir: string;
const read = (repo: string) => pythonJson<ReadResult>("icechunk_oracle.py", ["read", repo, `file://${dir}/`]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vzarr-ic-modes-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function grid(name: string, values: number[]): VirtualDataset {
  const file = writeFloat32(dir, `${name}.bin`, values);
  const v = new VirtualVariable(
    ["x"],
    virtualF4(file, [values.length], { kind: "regular", chunkShape: [values.length] }, [1], values.length),
  );
  return new VirtualDataset({ variables: [[name, v]], attrs: { from: name } });
}

describe.skipIf(!hasPython)("toIcechunk mode and group", () => {
  it('"w-" (the default) creates a repository and refuses an existing one; "w" commits a replacement', async () => {
    const repo = join(dir, "modes");
    await grid("first", [1, 2, 3]).toIcechunk(repo, { message: "first" });
    await expect(grid("second", [4, 5]).toIcechunk(repo)).rejects.toThrow(ConflictError);
    await expect(grid("second", [4, 5]).toIcechunk(repo, { mode: "w-" })).rejects.toThrow(/already an Icechunk repository/);
    let back = await read(repo);
    expect(Object.keys(back.arrays)).toEqual(["first"]);

    await grid("second", [4, 5]).toIcechunk(repo, { mode: "w", message: "replaced" });
    back = await read(repo);
    // The replacement holds only the new dataset; the first commit is still in the history.
    expect(Object.keys(back.arrays)).toEqual(["second"]);
    expect(back.arrays.second?.values).toEqual([4, 5]);
    expect(back.groups["/"]).toEqual({ from: "second" });
    expect(back.ancestry.map((s) => s.message)).toEqual(["replaced", "first", "Repository initialized"]);
  });

  it('"a" adds variables to what is there, and appends along appendDim', async () => {
    const repo = join(dir, "append");
    await timeBlock(dir, "b0.bin", [0, 1], 100).toIcechunk(repo);
    // appendDim alone means mode "a" (as xarray), so this needs no mode.
    await timeBlock(dir, "b1.bin", [2], 200).toIcechunk(repo, { appendDim: "time" });
    await grid("extra", [7, 8, 9]).toIcechunk(repo, { mode: "a" });
    await expect(timeBlock(dir, "b2.bin", [3], 300).toIcechunk(repo, { appendDim: "time", mode: "w" })).rejects.toThrow(
      InvalidArgumentError,
    );
    const back = await read(repo);
    expect(Object.keys(back.arrays).sort()).toEqual(["extra", "temp", "time"]);
    expect(back.arrays.extra?.values).toEqual([7, 8, 9]);
    expect(back.arrays.time?.values).toEqual([0, 1, 2]);
    expect(back.arrays.temp?.values).toEqual([100, 101, 102, 103, 110, 111, 112, 113, 200, 201, 202, 203]);
  });

  it("group writes the dataset under a group path; modes apply to that group", async () => {
    const repo = join(dir, "groups");
    await grid("root_var", [1]).toIcechunk(repo);
    await grid("a", [1, 2]).toIcechunk(repo, { group: "runs/one", mode: "a" });
    await grid("b", [3, 4]).toIcechunk(repo, { group: "runs/two", mode: "w-" });
    await expect(grid("c", [5]).toIcechunk(repo, { group: "runs/two" })).rejects.toThrow(/group \/runs\/two already exists/);
    // Replacing one group leaves its siblings and the root alone.
    await grid("c", [5, 6, 7]).toIcechunk(repo, { group: "/runs/two", mode: "w" });
    const back = await read(repo);
    expect(Object.keys(back.arrays).sort()).toEqual(["root_var", "runs/one/a", "runs/two/c"]);
    expect(back.arrays["runs/two/c"]?.values).toEqual([5, 6, 7]);
    expect(back.groups["runs/two/"]).toEqual({ from: "c" });
    expect(back.groups["runs/"]).toEqual({});

    const appended = join(dir, "group-append");
    const opts = { group: "g" };
    await timeBlock(dir, "g0.bin", [0], 10).toIcechunk(appended, opts);
    await timeBlock(dir, "g1.bin", [1], 20).toIcechunk(appended, { ...opts, appendDim: "time" });
    const g = await read(appended);
    expect(g.arrays["g/time"]?.values).toEqual([0, 1]);
    expect(g.arrays["g/temp"]?.values).toEqual([10, 11, 12, 13, 20, 21, 22, 23]);
    await expect(grid("x", [1]).toIcechunk(appended, { group: "g/../h", mode: "a" })).rejects.toThrow(InvalidArgumentError);
  });

  it("the CLI's --overwrite of a repository commits a replacement: the old variables are gone", async () => {
    const repo = join(dir, "cli.icechunk");
    const container = ["--container", `${fixtures}/`];
    const first = await vzarr(["refs", join(fixtures, "netcdf3", "classic.nc"), "-o", repo, "-q", ...container]);
    expect(first.code, first.stderr).toBe(0);
    const again = await vzarr(["refs", join(fixtures, "netcdf3", "zero_records.nc"), "-o", repo, "-q", ...container]);
    expect(again.code).not.toBe(0);
    const replaced = await vzarr(["refs", join(fixtures, "netcdf3", "zero_records.nc"), "-o", repo, "-q", "--overwrite", ...container]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const back = await pythonJson<ReadResult>("icechunk_oracle.py", ["read", repo, `file://${fixtures}/`]);
    // classic.nc's variables that zero_records.nc lacks are not kept by a replacement.
    expect(Object.keys(back.arrays).sort()).toEqual(["field", "time", "y"]);
    expect(back.ancestry).toHaveLength(3);
  });
});
