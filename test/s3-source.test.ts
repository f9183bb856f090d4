/** Reading `s3://` URLs with signed requests against an S3-compatible server (moto). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { NotFoundError } from "../ts/src/errors/vzarr-error.js";
import { S3Source } from "../ts/src/io/s3.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasMoto, type Moto, startMoto } from "./helpers/moto.js";
import { fixtures } from "./helpers/paths.js";

let moto: Moto;
const saved: Record<string, string | undefined> = {};

describe.runIf(hasMoto)(`S3 byte source (${core.kind} backend)`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    for (const [k, v] of Object.entries(moto.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    await moto.createBucket("archive");
    await moto.put("archive", "nc3/classic.nc", readFileSync(join(fixtures, "netcdf3", "classic.nc")));
  }, 60_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await moto?.stop();
  });

  it("virtualizes and reads a file in a bucket", async () => {
    const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
      string,
      { variables: Record<string, { sha256: string; dtype: string }> }
    >;
    using ds = await openVirtualDataset("s3://archive/nc3/classic.nc", { core });
    for (const [name, v] of Object.entries((oracle["classic.nc"] as (typeof oracle)[string]).variables)) {
      if (v.dtype.startsWith("|S")) continue;
      expect(digest(await readArray(ds, name, undefined, { core })), name).toBe(v.sha256);
    }
  });

  it("reads suffix ranges and reports missing keys and buckets", async () => {
    const size = readFileSync(join(fixtures, "netcdf3", "classic.nc")).length;
    const src = new S3Source("s3://archive/nc3/classic.nc");
    expect((await src.stat()).size).toBe(size);
    expect((await src.readSuffix(4)).length).toBe(4);
    await expect(new S3Source("s3://archive/nope.nc").stat()).rejects.toBeInstanceOf(NotFoundError);
    await expect(new S3Source("s3://no-such-bucket/x.nc").read(0, 4)).rejects.toBeInstanceOf(NotFoundError);
  });
});
