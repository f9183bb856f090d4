/** Reading over HTTP range requests: values, coalescing, retries, change detection, allow-list. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { NotAllowedError, NotFoundError, SourceChangedError } from "../ts/src/errors/vzarr-error.js";
import { HttpSource } from "../ts/src/io/http.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { regularGrid } from "../ts/src/metadata/array-metadata.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { fixtures } from "./helpers/paths.js";
import { type RangeServer, startRangeServer } from "./helpers/range-server.js";

const dir = mkdtempSync(join(tmpdir(), "vzarr-http-"));
let server: RangeServer;
const CHUNKS = 1000;
const PER_CHUNK = 25;

beforeAll(async () => {
  copyFileSync(join(fixtures, "netcdf3", "classic.nc"), join(dir, "classic.nc"));
  copyFileSync(join(fixtures, "netcdf3", "classic.nc"), join(dir, "changing.nc"));
  // A raw file of CHUNKS chunks of PER_CHUNK float32 values each, value = element index.
  writeFileSync(join(dir, "raw.bin"), new Uint8Array(Float32Array.from({ length: CHUNKS * PER_CHUNK }, (_, i) => i).buffer));
  server = await startRangeServer(dir);
});
afterAll(() => server.close());

function rawDataset(url: string): VirtualDataset {
  const manifest = ChunkManifest.fromArrays(
    {
      shape: [CHUNKS],
      paths: Array(CHUNKS).fill(url),
      offsets: Array.from({ length: CHUNKS }, (_, i) => i * PER_CHUNK * 4),
      lengths: Array(CHUNKS).fill(PER_CHUNK * 4),
    },
    core,
  );
  const meta = {
    shape: [CHUNKS * PER_CHUNK],
    chunkGrid: regularGrid([PER_CHUNK]),
    dtype: "<f4",
    codecs: [{ name: "bytes", configuration: { endian: "little" } }],
    fillValue: 0,
  };
  return new VirtualDataset({ variables: [["x", new VirtualVariable(["i"], new ManifestArray(meta, manifest))]] });
}

const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { variables: Record<string, { sha256: string; dtype: string }> }
>;

describe(`HTTP byte source (${core.kind} backend)`, () => {
  it("virtualizes and reads a netCDF file over range requests", async () => {
    using ds = await openVirtualDataset(`${server.url}/classic.nc`, { core });
    for (const [name, v] of Object.entries((oracle["classic.nc"] as (typeof oracle)[string]).variables)) {
      if (v.dtype.startsWith("|S")) continue;
      expect(digest(await readArray(ds, name, undefined, { core })), name).toBe(v.sha256);
    }
  });

  it("coalesces the chunks of one file into few requests", async () => {
    using ds = rawDataset(`${server.url}/raw.bin`);
    const before = server.requests.length;
    const r = await readArray(ds, "x", undefined, { core });
    const used = server.requests.length - before;
    expect(Array.from((r.data as Float32Array).subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect((r.data as Float32Array)[CHUNKS * PER_CHUNK - 1]).toBe(CHUNKS * PER_CHUNK - 1);
    // 1000 chunks: one HEAD plus a handful of ranged GETs (batches of 256 chunks each coalesce into one).
    expect(used).toBeLessThanOrEqual(6);
  });

  it("retries on 5xx with backoff", async () => {
    const src = new HttpSource(`${server.url}/raw.bin`, { backoffMs: 1 });
    server.failNext(2, 503);
    const bytes = await src.read(4, 4);
    expect(new Float32Array(bytes.slice().buffer)[0]).toBe(1);
    server.failNext(5, 500);
    await expect(new HttpSource(`${server.url}/raw.bin`, { backoffMs: 1, attempts: 3 }).read(0, 4)).rejects.toThrow(/HTTP 500/);
    server.failNext(0);
  });

  it("fails with SourceChanged when the file changed after indexing", async () => {
    using ds = await openVirtualDataset(`${server.url}/changing.nc`, { core });
    const bytes = readFileSync(join(dir, "changing.nc"));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(join(dir, "changing.nc"), bytes);
    const name = Object.keys((oracle["classic.nc"] as (typeof oracle)[string]).variables)[0] as string;
    await expect(readArray(ds, name, undefined, { core })).rejects.toBeInstanceOf(SourceChangedError);
  });

  it("refuses URLs outside the allow-list without fetching them", async () => {
    using ds = rawDataset(`${server.url}/raw.bin`);
    const before = server.requests.length;
    await expect(readArray(ds, "x", undefined, { core, allow: ["https://data.example.org/"] })).rejects.toBeInstanceOf(NotAllowedError);
    expect(server.requests.length).toBe(before);
  });

  it("reports missing files as NotFound", async () => {
    await expect(openVirtualDataset(`${server.url}/missing.nc`, { core })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reads suffix ranges", async () => {
    const tail = await new HttpSource(`${server.url}/raw.bin`).readSuffix(8);
    expect(Array.from(new Float32Array(tail.slice().buffer))).toEqual([CHUNKS * PER_CHUNK - 2, CHUNKS * PER_CHUNK - 1]);
  });
});
