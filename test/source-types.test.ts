/**
 * Every fixture (netCDF3, HDF5 / netCDF-4, GRIB) read through every byte source — local file,
 * HTTP range requests, S3 — gives the same values. The local reads are checked against the
 * reference libraries elsewhere (netcdf3/hdf5/grib tests); here the sources must agree.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetInfo } from "../ts/src/dataset/describe.js";
import { openVirtualDataset, openVirtualDatasetHere } from "../ts/src/dataset/open-virtual-dataset.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasMoto, type Moto, startMoto } from "./helpers/moto.js";
import { fixtures } from "./helpers/paths.js";
import { type RangeServer, startRangeServer } from "./helpers/range-server.js";

/** 13 M values of constant fields on big grids: a memory-budget test, slow to read thrice here. */
const TOO_BIG = new Set(["grib/coordinate_budget.grib2"]);

const FILES = ["netcdf3", "hdf5", "grib"].flatMap((dir) =>
  readdirSync(join(fixtures, dir))
    .filter((f) => /\.(nc|h5|grib1|grib2)$/.test(f))
    .map((f) => `${dir}/${f}`)
    .filter((f) => !TOO_BIG.has(f)),
);

/** Digests of every readable numeric variable, by full path. */
async function digests(input: string): Promise<Record<string, string>> {
  using ds = await openVirtualDataset(input, { core, loadableVariables: [] });
  const out: Record<string, string> = {};
  for (const [path, v] of ds.walkVariables()) {
    if (v.dtype === "|O" || v.dtype.includes("S")) continue;
    try {
      out[path] = digest(await readArray(ds, path, undefined, { core }));
    } catch (e) {
      out[path] = `error ${(e as Error & { kind?: string }).kind}`;
    }
  }
  return out;
}

let http: RangeServer;
let moto: Moto | undefined;
const saved: Record<string, string | undefined> = {};

describe(`every source type (${core.kind} backend)`, () => {
  beforeAll(async () => {
    http = await startRangeServer(fixtures);
    if (hasMoto) {
      moto = await startMoto();
      for (const [k, v] of Object.entries(moto.env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      await moto.createBucket("fixtures");
      for (const f of FILES) await moto.put("fixtures", f, readFileSync(join(fixtures, f)));
    }
  }, 120_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await http?.close();
    await moto?.stop();
  });

  // Native: a local file is scanned by the addon, which reads it itself; everything else by
  // the read loop (scanSource). Both must describe the file identically.
  it.each(FILES)("%s: the platform's local open and the read loop give the same dataset", async (file) => {
    const described = async (open: typeof openVirtualDataset) => {
      using ds = await open(join(fixtures, file), { core });
      const chunks = [...ds.walkVariables()].map(([path, v]) =>
        v.data instanceof ManifestArray ? [path, v.data.manifest.columns(), v.data.manifest.inlined()] : [path],
      );
      return { info: datasetInfo(ds), chunks };
    };
    expect(await described(openVirtualDataset)).toEqual(await described(openVirtualDatasetHere));
  });

  it.each(FILES)("%s: local, HTTP and S3 reads agree", async (file) => {
    const local = await digests(join(fixtures, file));
    expect(Object.keys(local).length, file).toBeGreaterThan(0);
    expect(await digests(`${http.url}/${file}`), `${file} over HTTP`).toEqual(local);
    if (moto !== undefined) expect(await digests(`s3://fixtures/${file}`), `${file} over S3`).toEqual(local);
  });
});
