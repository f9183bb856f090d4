/**
 * `-o` says what the output is: `.json` kerchunk JSON, `.parq`/`.parquet` a kerchunk
 * Parquet set, `.icechunk` (or an existing repository) an Icechunk repository — unless
 * `--format` says otherwise. Each output is checked by opening it as what it should be.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { listSnapshots } from "../ts/src/formats/icechunk/index.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const input = join(fixtures, "netcdf3", "classic.nc");

describe(`refs -o infers the output format (${core.kind} backend)`, () => {
  const dir = mkdtempSync(join(tmpdir(), "vzarr-oformat-"));

  it("picks the format from the name and says which it wrote", async () => {
    for (const [name, format] of [
      ["a.json", "kerchunk-json"],
      ["b.parq", "kerchunk-parquet"],
      ["c.parquet", "kerchunk-parquet"],
      ["d.icechunk", "icechunk"],
    ] as const) {
      const r = await vzarr(["refs", input, "-o", join(dir, name)], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, name).toContain(`(${format}`);
    }
    expect(JSON.parse(readFileSync(join(dir, "a.json"), "utf8")).version).toBe(1);
    for (const name of ["b.parq", "c.parquet"]) {
      expect(statSync(join(dir, name)).isDirectory()).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, name, ".zmetadata"), "utf8")).record_size).toBeGreaterThan(0);
    }
    expect(await listSnapshots(join(dir, "d.icechunk"))).toHaveLength(2);
    for (const name of ["a.json", "b.parq", "d.icechunk"]) {
      using ds = await openVirtualDataset(join(dir, name), { core });
      expect(ds.variables.has("temp"), name).toBe(true);
    }
  });

  it("an existing repository under any name takes an append; --format still decides", async () => {
    const repo = join(dir, "repo-without-extension");
    expect((await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "-q"], env)).code).toBe(0);
    const again = await vzarr(["refs", input, "-o", repo, "--overwrite"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/committed snapshot .* \(icechunk\)/);
    const explicit = await vzarr(["refs", input, "-o", join(dir, "e.parq"), "--format", "kerchunk-json", "-q"], env);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "e.parq"), "utf8")).version).toBe(1);
  });
});
