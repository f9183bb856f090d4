/** `decodeTimes`: loaded CF times re-encoded as seconds since 1970, equal to what cftime decodes. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NORMALIZED_TIME_UNITS } from "../ts/src/dataset/cf/normalize-times.js";
import { LoadedArray } from "../ts/src/dataset/loaded-array.js";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { core } from "./helpers/backend.js";
import { hasPython, pythonJson } from "./helpers/python.js";

describe.runIf(hasPython)(`decodeTimes (${core.kind} backend)`, () => {
  it("re-encodes times of any units and calendar as seconds since 1970, as cftime decodes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-times-"));
    const want = await pythonJson<Record<string, number[]>>("make_times.py", [dir]);
    for (const [file, seconds] of Object.entries(want)) {
      using ds = await openVirtualDataset(join(dir, file), { core, decodeTimes: true });
      const time = ds.variable("time");
      expect(time.data).toBeInstanceOf(LoadedArray);
      expect(time.attrs.units, file).toBe(NORMALIZED_TIME_UNITS);
      expect(Array.from((time.data as LoadedArray).values as ArrayLike<number | bigint>, Number), file).toEqual(seconds);
      using raw = await openVirtualDataset(join(dir, file), { core });
      expect(raw.variable("time").attrs.units, file).not.toBe(NORMALIZED_TIME_UNITS);
    }
  });
});
