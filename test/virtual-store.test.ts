/** zarrita reading through `openStore` gives the same values as netCDF4-python. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as zarr from "zarrita";
import { openStore } from "../ts/src/store/open-store.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { fixtures } from "./helpers/paths.js";

const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { variables: Record<string, { sha256: string; dtype: string; shape: number[] }> }
>;

describe(`openStore + zarrita (${core.kind} backend)`, () => {
  it("serves consolidated v3 metadata and chunks that zarrita decodes", async () => {
    const store = await openStore(join(fixtures, "netcdf3", "offset64.nc"), { core });
    const root = JSON.parse(new TextDecoder().decode(await store.get("/zarr.json"))) as {
      consolidated_metadata: { metadata: Record<string, unknown> };
    };
    const want = (oracle["offset64.nc"] as (typeof oracle)[string]).variables;
    expect(Object.keys(root.consolidated_metadata.metadata).sort()).toEqual(Object.keys(want).sort());
    for (const [name, v] of Object.entries(want)) {
      if (v.dtype.startsWith("|S") || v.shape.includes(0)) continue;
      const arr = await zarr.open.v3(zarr.root(store).resolve(name), { kind: "array" });
      const got = (await zarr.get(arr)) as unknown;
      if (typeof got !== "object" || got === null) {
        // zarrita returns 0-d arrays as a bare scalar.
        const direct = await readArray(join(fixtures, "netcdf3", "offset64.nc"), name, undefined, { core });
        expect(got, name).toEqual((direct.data as Int32Array)[0]);
        continue;
      }
      expect(digest({ data: (got as { data: never }).data, shape: v.shape, dtype: v.dtype }), name).toBe(v.sha256);
      // readArray takes the store too.
      expect(digest(await readArray(store, name, undefined, { core })), name).toBe(v.sha256);
    }
    expect(await store.get("/nope/zarr.json")).toBeUndefined();
    expect(await store.get(`/${Object.keys(want)[0]}/c/99/99/99`)).toBeUndefined();
    await store.close();
  });
});
