/** `VirtualDataset.toKerchunk` / `toIcechunk` (the DESIGN's API): what they write reads back identically. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { fixtures } from "./helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "vzarr-writers-"));

describe(`VirtualDataset writers (${core.kind} backend)`, () => {
  it("toKerchunk (JSON and Parquet) and toIcechunk round-trip every variable", async () => {
    const file = join(fixtures, "hdf5", "nc4_basic.nc");
    using ds = await openVirtualDataset(file, { core, loadableVariables: [] });
    const json = join(tmp, "refs.json");
    const parquet = join(tmp, "refs.parq");
    const repo = join(tmp, "repo");
    await ds.toKerchunk(json, { onUnsupported: "skip" });
    await ds.toKerchunk(parquet, { format: "parquet", recordSize: 7, onUnsupported: "skip" });
    const snapshot = await ds.toIcechunk(repo, { message: "from toIcechunk" });
    expect(snapshot).toMatch(/^[0-9A-Z]{20}$/);
    for (const out of [json, parquet, repo]) {
      using back = await openVirtualDataset(out, { core, loadableVariables: [] });
      for (const [name, v] of ds.walkVariables()) {
        if (!v.virtual || v.dtype === "|O") continue;
        const want = digest(await readArray(ds, name, undefined, { core }));
        expect(digest(await readArray(back, name, undefined, { core })), `${out}:${name}`).toBe(want);
      }
    }
  });
});
