/**
 * `renamePaths` / `--rename-paths FROM=TO`: references follow files that moved. The files
 * are indexed in one place and read from another; the original dataset is unchanged.
 */
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };

describe(`renamePaths (${core.kind} backend)`, () => {
  const moved = mkdtempSync(join(tmpdir(), "vzarr-moved-"));
  cpSync(join(fixtures, "hdf5"), moved, { recursive: true });
  const from = pathToFileURL(join(fixtures, "hdf5")).href;
  const to = pathToFileURL(moved).href;

  it("a dataset with its references moved reads the moved copies (checked by size); the original is unchanged", async () => {
    using ds = await openVirtualDataset(join(fixtures, "hdf5", "nc4_basic.nc"), { core, loadableVariables: [] });
    using there = ds.renamePaths((p) => p.replace(from, to));
    const name = [...ds.walkVariables()].find(([, v]) => v.virtual)?.[0] as string;
    const entry = (d: typeof ds) =>
      (d.variable(name).data as { manifest: { entry(i: number): { path: string } | null } }).manifest.entry(0);
    expect(entry(there)?.path.startsWith(to)).toBe(true);
    expect(entry(ds)?.path.startsWith(from)).toBe(true);
    expect([...there.sources.keys()][0]?.startsWith(to)).toBe(true);
    const a = await readArray(ds, name, undefined, { core });
    const b = await readArray(there, name, undefined, { core });
    expect(b.data).toEqual(a.data);
  });

  it("refs --rename-paths FROM=TO writes references to where the files will be", async () => {
    const out = join(moved, "refs.json");
    const r = await vzarr(
      [
        "refs",
        join(fixtures, "hdf5", "nc4_basic.nc"),
        "-o",
        out,
        "--rename-paths",
        `${join(fixtures, "hdf5")}/=${moved}/`,
        "--on-unsupported",
        "skip",
        "-q",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toContain(`${to}/nc4_basic.nc`);
    expect(text).not.toContain(from);
    const bad = await vzarr(
      ["refs", join(fixtures, "hdf5", "nc4_basic.nc"), "-o", join(moved, "x.json"), "--rename-paths", "nothing"],
      env,
    );
    expect(bad.stderr).toMatch(/--rename-paths takes FROM=TO/);
  });
});
