/** The explorer's plot values: complex variables are plotted as their magnitude. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { readArray } from "../ts/src/store/read-array.js";
import { numericValues } from "../web/explorer/plot.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";

describe(`explorer plot values (${core.kind} backend)`, () => {
  it("turns complex numbers into one magnitude per element", async () => {
    using ds = await openVirtualDataset(join(fixtures, "hdf5", "h5_complex_latest.h5"), { core, loadableVariables: [] });
    for (const name of ["c64_chunked", "c128_be"]) {
      const r = await readArray(ds, name, undefined, { core });
      const parts = r.data as Float32Array | Float64Array;
      const values = numericValues(r) as Float64Array;
      expect(values.length, name).toBe(r.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) {
        expect(values[i]).toBeCloseTo(Math.hypot(parts[2 * i] as number, parts[2 * i + 1] as number), 12);
      }
      expect(values.some((v) => v > 0)).toBe(true);
    }
  });
});
