/**
 * Round trips per format over HTTP, counted by the latency server: a regression guard on the
 * number of requests opening one file costs (each is a round trip to an object store), with
 * the values read back equal to the same file opened from local disk.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatencyServer, startLatencyServer } from "../bench/lib/latency-server.mjs";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { core } from "./helpers/backend.js";
import { hasPython } from "./helpers/python.js";
import { makeRemoteFixtures, REMOTE_FILES, referenceList, valueDigests } from "./helpers/remote-fixtures.js";

let dir: string;
let server: LatencyServer;

beforeAll(async () => {
  if (!hasPython) return;
  dir = await makeRemoteFixtures(1);
  server = await startLatencyServer(dir, { delayMs: 1 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/**
 * Requests one open of each file costs (its loadable coordinates included). Before issue 21:
 * a HEAD then 64 KiB blocks — 2 for each small file, 74 for the 4.7 MB GRIB file (one per
 * 64 KiB block, the file read in full). Now the first request is a speculative GET sized for
 * the format that also tells the size: one request per small file; the GRIB file, walked
 * message by message, is fetched in runs that double while the reads stay sequential (1 MiB,
 * then 1, 2 and 0.6 MiB): 4 requests for 240 messages.
 */
const EXPECTED: Record<keyof typeof REMOTE_FILES, number> = {
  netcdf3: 1,
  netcdf4: 1,
  hdf5: 1,
  grib: 4,
  tiff: 1,
};

describe.skipIf(!hasPython)("the latency server", () => {
  it("delays every request, caps the bandwidth and counts per object", async () => {
    server.reset();
    server.setDelay(30);
    server.setBandwidth(2_000_000);
    try {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/${REMOTE_FILES.grib}`, { headers: { Range: "bytes=0-199999" } });
      expect((await res.arrayBuffer()).byteLength).toBe(200_000);
      // 30 ms of delay plus 200 kB at 2 MB/s = 100 ms.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(125);
      expect(res.headers.get("content-range")).toMatch(/^bytes 0-199999\/\d+$/);
      expect(server.counts(REMOTE_FILES.grib)).toEqual({ requests: 1, heads: 0, gets: 1, bytes: 200_000 });
    } finally {
      server.setDelay(1);
      server.setBandwidth(0);
    }
  });

  it("answers 503 SlowDown and drops connections, on demand and by seeded probability", async () => {
    server.reset();
    server.failNext(1, "503");
    const slow = await fetch(`${server.url}/${REMOTE_FILES.netcdf3}`);
    expect(slow.status).toBe(503);
    expect(await slow.text()).toContain("<Code>SlowDown</Code>");
    server.failNext(1, "drop");
    await expect(fetch(`${server.url}/${REMOTE_FILES.netcdf3}`)).rejects.toThrow();
    const pattern = async () => {
      server.failRandomly(0.5, 7);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${server.url}/${REMOTE_FILES.netcdf3}`)).status);
      server.clearFaults();
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });
});

describe.skipIf(!hasPython)(`requests per file over HTTP (${core.kind} backend)`, () => {
  for (const [format, file] of Object.entries(REMOTE_FILES) as [keyof typeof REMOTE_FILES, string][]) {
    it(`${format}: ${file} in ${EXPECTED[format]} requests, values equal the local file`, async () => {
      server.reset();
      // GRIB without its index sidecar (grib-index.test.ts): the walk through the file.
      using remote = await openVirtualDataset(`${server.url}/${file}`, { core, indexFile: "never" });
      const used = { ...server.totals };
      using local = await openVirtualDataset(join(dir, file), { core });
      expect(referenceList(remote)).toEqual(referenceList(local));
      expect(await valueDigests(remote, core)).toEqual(await valueDigests(local, core));
      expect(used.requests).toBe(EXPECTED[format]);
    }, 60_000);
  }
});
