/**
 * Monthly files of 28–31 one-chunk days written by netCDF4-python: joined on a
 * variable-length (rectilinear) chunk grid, read back like netCDF4-python.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
import { kerchunkJsonText } from "../ts/src/formats/kerchunk/write-json.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasPython, pythonJson } from "./helpers/python.js";

const tmp = mkdtempSync(join(tmpdir(), "vzarr-mf-"));
const FORMATS = ["NETCDF3_64BIT_OFFSET", "NETCDF4"];

describe.runIf(hasPython)(`openVirtualMfdataset over monthly files (${core.kind} backend)`, () => {
  it.each(FORMATS)(
    "monthly %s files of 28–31 days join along time on a rectilinear grid and read back like netCDF4-python",
    async (format) => {
      const { files } = await pythonJson<{ files: string[] }>("make_archive.py", [
        "monthly",
        join(tmp, `monthly-${format}`),
        "2024",
        format,
      ]);
      using ds = await openVirtualMfdataset(files, { concatDim: "time", jobs: 2 });
      const lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      expect(ds.variable("air").metadata.chunkGrid).toEqual({ kind: "rectilinear", chunkShapes: [lengths, 4, 5] });
      expect(ds.dims.time).toBe(366);
      for (const [name, sel, text] of [
        ["air", undefined, "-"],
        ["precip", undefined, "-"],
        ["air", [{ start: 25, stop: 65 }, null, { start: 1, stop: 3 }], "25:65,:,1:3"],
        ["precip", [{ start: 58, stop: 62 }, 2, null], "58:62,2,:"],
      ] as const) {
        const got = await readArray(ds, name, sel, { core });
        const want = await pythonJson<{ shape: number[]; sha256: string }>("concat_values.py", [name, text, ...files]);
        expect({ shape: got.shape, sha256: digest(got) }, `${name} ${text}`).toEqual(want);
      }
      await expect(kerchunkJsonText(ds, { onUnsupported: "raise" })).rejects.toMatchObject({
        kind: "UnsupportedFeature",
        variable: "air",
        message: expect.stringMatching(/rectilinear.*write Icechunk instead/),
      });
    },
  );
});
