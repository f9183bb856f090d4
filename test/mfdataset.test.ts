/**
 * Combining real files written by netCDF4-python: refused encodings, CF times across units
 * and calendars, corrupt files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualMfdataset, openVirtualMfdatasetWithReport } from "../ts/src/dataset/open-mfdataset.js";
import { IncompatibleArraysError } from "../ts/src/errors/vzarr-error.js";
import { kerchunkJsonText } from "../ts/src/formats/kerchunk/write-json.js";
import { core } from "./helpers/backend.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const tmp = mkdtempSync(join(tmpdir(), "vzarr-mf-"));
const FORMATS = ["NETCDF3_64BIT_OFFSET", "NETCDF4"];
const archive = (kind: string, ...args: string[]) =>
  pythonJson<{ files: string[] } & Record<string, string>>("make_archive.py", [kind, join(tmp, kind), ...args]);

describe.runIf(hasPython)(`openVirtualMfdataset and vzarr refs over files of one archive (${core.kind} backend)`, () => {
  it.each(FORMATS)(
    "refuses %s files whose encoding differs (scale_factor, add_offset, _FillValue, dtype, codecs, chunks), naming variable, files and values",
    async (format) => {
      const v = await pythonJson<Record<string, string>>("make_archive.py", ["variants", join(tmp, `variants-${format}`), format]);
      const e = format === "NETCDF4" ? "<" : ">";
      const cases: [string, string, RegExp][] = [
        ["scale_factor", "precip", /precip: scale_factor is 0\.01 in .*base\.nc but 0\.1 in .*scale_factor\.nc/],
        ["add_offset", "precip", /precip: add_offset is 10 in .*base\.nc but 5 in .*add_offset\.nc/],
        ["_FillValue", "precip", /precip: the Zarr fill value is -32767 in .*base\.nc but -999 in .*FillValue\.nc/],
        ["dtype", "air", new RegExp(`air: the dtype is \\${e}f4 in .*base\\.nc but \\${e}f8 in .*dtype\\.nc`)],
      ];
      if (format === "NETCDF4") {
        cases.push(["codecs", "air", /air: the codec pipeline is .*zlib.* in .*base\.nc but \[\{"name":"bytes".*\}\] in .*codecs\.nc/]);
        cases.push(["chunks", "air", /air: the chunk length along lat is 4 in .*base\.nc but 2 in .*chunks\.nc/]);
      }
      for (const [what, variable, message] of cases) {
        const err = await openVirtualMfdataset([v.base as string, v[what] as string], { concatDim: "time", parallel: false }).catch(
          (e: unknown) => e,
        );
        expect(err, what).toBeInstanceOf(IncompatibleArraysError);
        expect((err as IncompatibleArraysError).variable).toBe(variable);
        expect((err as Error).message).toMatch(message);
      }
      const cli = await vzarr(
        ["refs", v.base as string, v.scale_factor as string, "-o", join(tmp, "no.json"), "--concat-dim", "time"],
        env,
      );
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(
        /^vzarr: IncompatibleArrays: cannot combine variable precip: scale_factor is 0\.01 in .*base\.nc but 0\.1 in .*scale_factor\.nc/,
      );
    },
  );

  it("combines by coordinates across time units and calendars as xarray does", async () => {
    const { files } = await archive("mixed-time");
    const out = join(tmp, "mixed.json");
    const shuffled = [files[2], files[0], files[3], files[1]] as string[];
    const r = await vzarr(["refs", ...shuffled, "-o", out, "--jobs", "2", "-q"], env);
    expect(r.stderr).toBe("");
    const check = await pythonJson<{ ok: boolean; error?: string; time: string[] }>("compare_mf.py", [out, "by_coords", ...shuffled]);
    expect(check.error).toBeUndefined();
    expect(check.time).toEqual([
      "2001-01-01T00:00:00.000000000",
      "2001-01-02T00:00:00.000000000",
      "2001-01-03T00:00:00.000000000",
      "2001-01-10T00:00:00.000000000",
    ]);
    const refs = JSON.parse(readFileSync(out, "utf8")) as { refs: Record<string, string> };
    expect(JSON.parse(refs.refs["time/.zattrs"] as string)).toMatchObject({ units: "days since 2001-01-01", calendar: "standard" });
  });

  it("skips a corrupt file with --on-error skip, names it, and writes the rest", async () => {
    const dir = join(tmp, "with-corrupt");
    const { files } = await pythonJson<{ files: string[] }>("make_archive.py", ["daily", dir, "6"]);
    const bad = files[3] as string;
    writeFileSync(bad, readFileSync(bad).subarray(0, 300));
    const out = join(tmp, "skip.json");
    const raise = await vzarr(["refs", join(dir, "*.nc"), "-o", out, "--concat-dim", "time"], env);
    expect(raise.code).toBe(1);
    expect(raise.stderr).toContain("day_0003.nc");
    const skip = await vzarr(["refs", join(dir, "*.nc"), "-o", out, "--concat-dim", "time", "--on-error", "skip"], env);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toMatch(/^skipped .*day_0003\.nc: CorruptFile: /m);
    expect(skip.stdout).toMatch(/5 files \(1 skipped\)/);
    const rest = files.filter((f) => f !== bad);
    const check = await pythonJson<{ ok: boolean; error?: string; dims: Record<string, number> }>("compare_mf.py", [
      out,
      "nested",
      ...rest,
    ]);
    expect(check).toMatchObject({ ok: true, dims: { time: 5 } });
    const report = await openVirtualMfdatasetWithReport(join(dir, "*.nc"), { concatDim: "time", onError: "skip", jobs: 2 });
    expect(report.skipped.map((s) => [s.file, s.error.kind])).toEqual([[bad, "CorruptFile"]]);
    expect(report.files).toEqual(rest);
    report.dataset.free();
    // A failing call frees what it opened, on every path (this thread, scan threads).
    for (const parallel of [false, true]) {
      const live = core.manifestLiveCount();
      await expect(openVirtualMfdataset(join(dir, "*.nc"), { concatDim: "time", jobs: 2, parallel })).rejects.toMatchObject({
        kind: "CorruptFile",
        file: expect.stringContaining("day_0003.nc"),
      });
      expect(core.manifestLiveCount()).toBe(live);
    }
  });

  it("opens kerchunk references among the files on every path (they are not scanned)", async () => {
    const dir = join(tmp, "with-refs");
    const { files } = await pythonJson<{ files: string[] }>("make_archive.py", ["daily", dir, "4"]);
    const refs = join(dir, "day_0002.json");
    expect((await vzarr(["refs", files[2] as string, "-o", refs, "-q"], env)).code).toBe(0);
    const inputs = [files[0], files[1], refs, files[3]] as string[];
    // Listed, so the reference set loads its coordinates as the scanned files do.
    const options = { concatDim: "time", jobs: 2, loadableVariables: ["time", "lat", "lon"] };
    const texts: string[] = [];
    for (const parallel of [false, true]) {
      using ds = await openVirtualMfdataset(inputs, { ...options, parallel });
      texts.push(await kerchunkJsonText(ds));
    }
    expect(texts[1]).toBe(texts[0]);
    using all = await openVirtualMfdataset(files, { ...options, parallel: false });
    expect(texts[0]).toBe(await kerchunkJsonText(all));
  });
});
