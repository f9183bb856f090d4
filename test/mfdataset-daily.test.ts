/**
 * The main job on a year of daily files written by netCDF4-python: many files in, one
 * virtual dataset out, checked against xarray's own combine of the originals.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { kerchunkJsonText } from "../ts/src/formats/kerchunk/write-json.js";
import { core, rng } from "./helpers/backend.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const tmp = mkdtempSync(join(tmpdir(), "vzarr-mf-"));
const archive = (kind: string, ...args: string[]) =>
  pythonJson<{ files: string[] } & Record<string, string>>("make_archive.py", [kind, join(tmp, kind), ...args]);

describe.runIf(hasPython)(`openVirtualMfdataset and vzarr refs over many files (${core.kind} backend)`, () => {
  let daily: string[] = [];
  beforeAll(async () => {
    daily = (await archive("daily", "365", "NETCDF4")).files;
  });

  it("365 daily netCDF-4 files (zlib + shuffle) → kerchunk JSON that xarray reads as it combines the originals; --jobs and by-coords agree", async () => {
    const nested = join(tmp, "daily-nested.json");
    const r = await vzarr(["refs", join(tmp, "daily", "day_*.nc"), "-o", nested, "--concat-dim", "time", "--jobs", "2"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*daily-nested\.json \(kerchunk-json, .*\): 365 files, 5 variables, 730 chunk references to [\d.]+ kB in /,
    );
    const serial = join(tmp, "daily-serial.json");
    expect(
      (await vzarr(["refs", join(tmp, "daily", "day_*.nc"), "-o", serial, "--concat-dim", "time", "--jobs", "1", "-q"], env)).code,
    ).toBe(0);
    expect(readFileSync(serial, "utf8")).toBe(readFileSync(nested, "utf8"));
    const random = rng(3);
    const shuffled = [...daily].sort(() => random() - 0.5);
    using byCoords = await openVirtualMfdataset(shuffled, { combine: "by_coords", parallel: false });
    expect(await kerchunkJsonText(byCoords)).toBe(readFileSync(nested, "utf8"));
    const check = await pythonJson<{ ok: boolean; error?: string; dims: Record<string, number> }>("compare_mf.py", [
      nested,
      "nested",
      ...daily,
    ]);
    expect(check.error).toBeUndefined();
    expect(check).toMatchObject({ ok: true, dims: { time: 365, lat: 4, lon: 5 } });
  });

  it("opens in-process and on workers to the same dataset, with progress reported per file", async () => {
    const files = daily.slice(0, 40);
    const seen: number[] = [];
    const results: VirtualDataset[] = [];
    for (const parallel of [false, true]) {
      results.push(
        await openVirtualMfdataset(files, {
          concatDim: "time",
          parallel,
          jobs: 2,
          onProgress: (p) => {
            if (parallel) seen.push(p.filesDone);
          },
        }),
      );
    }
    const [a, b] = results as [VirtualDataset, VirtualDataset];
    expect(await kerchunkJsonText(b)).toBe(await kerchunkJsonText(a));
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const ds of results) ds.free();
  });

  it("stops on an exception from onProgress, raises it, and frees every file it opened", async () => {
    for (const parallel of [false, true]) {
      const live = core.manifestLiveCount();
      const stop = new Error("stop here");
      await expect(
        openVirtualMfdataset(daily.slice(0, 40), {
          concatDim: "time",
          parallel,
          jobs: 2,
          onProgress: (p) => {
            if (p.filesDone === 3) throw stop;
          },
        }),
      ).rejects.toBe(stop);
      expect(core.manifestLiveCount()).toBe(live);
    }
  });
});
