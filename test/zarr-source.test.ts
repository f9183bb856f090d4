/**
 * Zarr stores as sources: stores written by zarr-python (v2, v3, sharded, a root array, zip)
 * open as datasets whose every array reads as zarr-python reads it — locally, over HTTP
 * (consolidated metadata) and on S3 (listing) — and our kerchunk and Icechunk output of them
 * reads back in Python to the same values.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { CorruptFileError, UnsupportedFeatureError } from "../ts/src/errors/vzarr-error.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasMoto, type Moto, startMoto } from "./helpers/moto.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";
import { type RangeServer, startRangeServer } from "./helpers/range-server.js";

type Want = Record<string, Record<string, { shape: number[]; dtype: string; sha256: string }>>;

const STORES = ["v2.zarr", "v2c.zarr", "v3.zarr", "v3c.zarr", "sharded.zarr", "rootarray.zarr", "v2.zarr.zip", "v3.zarr.zip"];

describe.runIf(hasPython)(`Zarr stores as sources (${core.kind} backend)`, () => {
  let dir: string;
  let want: Want;
  const out = mkdtempSync(join(tmpdir(), "vzarr-zarr-out-"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vzarr-zarr-"));
    want = await pythonJson<Want>("make_zarr_stores.py", [dir]);
  }, 120_000);

  async function expectValues(input: string, store: string): Promise<number> {
    using ds = await openVirtualDataset(input, { core, loadableVariables: [] });
    let compared = 0;
    for (const [path, w] of Object.entries(want[store] ?? {})) {
      const name = path === "" ? store.replace(/\.zarr.*$/, "") : path;
      if (ds.skipped.has(name)) continue; // shards compressed as a whole (checked below)
      const r = await readArray(ds, name, undefined, { core });
      expect(r.shape, `${store}:${name}`).toEqual(w.shape);
      expect(digest(r), `${store}:${name}`).toBe(w.sha256);
      compared++;
    }
    return compared;
  }

  it.each(STORES)("%s: every array reads as zarr-python reads it", async (store) => {
    const skipped = store === "sharded.zarr" ? 1 : 0;
    expect(await expectValues(join(dir, store), store)).toBe(Object.keys(want[store] ?? {}).length - skipped);
  });

  it("keeps groups, attributes, dimension names and fill values; shards compressed as a whole are left out with the reason", async () => {
    using v2 = await openVirtualDataset(join(dir, "v2.zarr"), { core, loadableVariables: [] });
    expect(v2.format).toBe("zarr2");
    expect(v2.attrs.title).toBe("v2 store");
    expect(v2.variable("temp").dims).toEqual(["time", "lat", "lon"]);
    expect(v2.variable("temp").attrs).toEqual({ units: "K" });
    expect(v2.group("forecast").attrs.member).toBe(1);
    expect(v2.variable("count").metadata.fillValue).toBe(-9);
    using only = await openVirtualDataset(join(dir, "v3.zarr"), { core, group: "nested/deeper", loadableVariables: [] });
    expect([...only.variables.keys()]).toEqual(["x"]);
    await expect(openVirtualDataset(join(dir, "v3.zarr"), { core, group: "nosuch" })).rejects.toThrow(/no group nosuch.*groups: .*nested/);
    using sharded = await openVirtualDataset(join(dir, "sharded.zarr"), { core, loadableVariables: [] });
    // Inner chunks: 5 × 5 of the (10, 13) array in (2, 3) chunks, a reference each.
    expect(sharded.variable("end").metadata.chunkGrid).toEqual({ kind: "regular", chunkShape: [2, 3] });
    expect(sharded.skipped.get("whole")?.kind).toBe("UnsupportedFeature");
    await expect(readArray(sharded, "whole", undefined, { core })).rejects.toThrow(/compressed as a whole/);
  });

  it("kerchunk JSON of v2 and v3 stores reads in fsspec + xarray to zarr-python's values", async () => {
    for (const store of ["v2.zarr", "v3c.zarr", "sharded.zarr"]) {
      const refs = join(out, `${store}.json`);
      const r = await vzarr(["refs", join(dir, store), "-o", refs, "-q", "--on-unsupported", "skip"], { VZARR_BACKEND: core.kind });
      expect(r.code, r.stderr).toBe(0);
      const got = await pythonJson<Record<string, { shape: number[]; sha256?: string }>>("read_refs.py", [refs]);
      for (const [path, w] of Object.entries(want[store] ?? {})) {
        if (path.includes("/")) continue; // read_refs.py reads the root group
        if (store === "sharded.zarr" && path === "whole") continue;
        expect(got[path]?.sha256, `${store}:${path}`).toBe(w.sha256);
      }
    }
  });

  it("an Icechunk repository of a sharded store reads in Python icechunk + zarr (inner chunks as virtual refs)", async () => {
    const repo = join(out, "sharded-repo");
    const r = await vzarr(["refs", join(dir, "sharded.zarr"), "-o", repo, "--format", "icechunk", "-q", "--on-unsupported", "skip"], {
      VZARR_BACKEND: core.kind,
    });
    expect(r.code, r.stderr).toBe(0);
    type Arrays = Record<string, { shape: number[]; values: (number | null)[] }>;
    const { arrays } = await pythonJson<{ arrays: Arrays }>("icechunk_oracle.py", ["read", repo, `file://${dir}/sharded.zarr/`]);
    using ds = await openVirtualDataset(join(dir, "sharded.zarr"), { core, loadableVariables: [] });
    for (const name of ["end", "start"]) {
      const ours = await readArray(ds, name, undefined, { core });
      expect(arrays[name]?.shape).toEqual(ours.shape);
      expect(arrays[name]?.values).toEqual(Array.from(ours.data as ArrayLike<number>));
    }
  });

  describe("remote stores", () => {
    let server: RangeServer;
    beforeAll(async () => {
      server = await startRangeServer(dir);
    });
    afterAll(async () => server?.close());

    it("over HTTP: consolidated stores open (v2 and v3), unconsolidated ones say how to fix them", async () => {
      expect(await expectValues(`${server.url}/v3c.zarr`, "v3c.zarr")).toBe(5);
      expect(await expectValues(`${server.url}/v2c.zarr`, "v2c.zarr")).toBe(4);
      expect(await expectValues(`${server.url}/sharded.zarr`, "sharded.zarr")).toBe(2);
      expect(await expectValues(`${server.url}/v3.zarr.zip`, "v3.zarr.zip")).toBe(2);
      const e = await openVirtualDataset(`${server.url}/v3.zarr`, { core }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnsupportedFeatureError);
      expect((e as Error).message).toMatch(/no consolidated metadata.*consolidate_metadata/);
    });

    it.runIf(hasMoto)("on S3: listed with ListObjectsV2 (paginated), sharded and not", async () => {
      const moto: Moto = await startMoto();
      const saved: Record<string, string | undefined> = {};
      try {
        await moto.createBucket("zarr");
        for (const store of ["v3.zarr", "sharded.zarr"]) {
          for (const file of walk(join(dir, store))) {
            await moto.put("zarr", `stores/${store}/${relative(join(dir, store), file)}`, readFileSync(file));
          }
        }
        for (const [k, v] of Object.entries(moto.env)) {
          saved[k] = process.env[k];
          process.env[k] = v;
        }
        expect(await expectValues("s3://zarr/stores/v3.zarr", "v3.zarr")).toBe(5);
        expect(await expectValues("s3://zarr/stores/sharded.zarr", "sharded.zarr")).toBe(2);
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        await moto.stop();
      }
    });
  });

  it("damaged zip stores fail with tagged errors", async () => {
    const zip = readFileSync(join(dir, "v2.zarr.zip"));
    const cases: [string, Uint8Array][] = [
      ["truncated.zarr.zip", zip.subarray(0, zip.length - 30)],
      ["no-directory.zarr.zip", zip.subarray(0, Math.floor(zip.length / 2))],
    ];
    const flipped = Uint8Array.from(zip);
    // The central directory's offset field in the end record: it now points elsewhere.
    flipped[zip.length - 6] = (flipped[zip.length - 6] as number) ^ 0x40;
    cases.push(["bad-offset.zarr.zip", flipped]);
    for (const [name, bytes] of cases) {
      const path = join(out, name);
      writeFileSync(path, bytes);
      const e = await openVirtualDataset(path, { core }).catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(CorruptFileError);
    }
  });
});

function walk(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}
