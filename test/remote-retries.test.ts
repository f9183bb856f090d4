/**
 * Reading through a flaky object store: injected 503 SlowDown answers and dropped connections
 * (before the answer and in the middle of a body) are retried with backoff, and what is read
 * equals the local file; when the retries run out the error names the URL and the last status.
 * Connections are reused (keep-alive) across the requests of many files.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatencyServer, startLatencyServer } from "../bench/lib/latency-server.mjs";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { IoError } from "../ts/src/errors/vzarr-error.js";
import { HttpSource } from "../ts/src/io/http.js";
import { backoffDelay } from "../ts/src/io/retry.js";
import { S3Source } from "../ts/src/io/s3.js";
import { core } from "./helpers/backend.js";
import { hasPython } from "./helpers/python.js";
import { makeRemoteFixtures, referenceList, valueDigests } from "./helpers/remote-fixtures.js";

const FILES = 4;
let dir: string;
let server: LatencyServer;
const daily = (i: number) => `daily/t2m_${String(i).padStart(4, "0")}.nc`;

beforeAll(async () => {
  if (!hasPython) return;
  dir = await makeRemoteFixtures(FILES);
  server = await startLatencyServer(dir, { delayMs: 1 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function expectSameAsLocal(url: string, file: string): Promise<void> {
  using remote = await openVirtualDataset(new HttpSource(url, { backoffMs: 5 }), { core });
  using local = await openVirtualDataset(join(dir, file), { core });
  expect(referenceList(remote)).toEqual(referenceList(local));
  server.clearFaults();
  expect(await valueDigests(remote, core)).toEqual(await valueDigests(local, core));
}

describe("backoff", () => {
  it("grows exponentially with jitter, within bounds", () => {
    expect(backoffDelay(1, 100, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, () => 0.5)).toBe(600);
    expect(backoffDelay(30, 100, () => 1)).toBe(20_000);
  });
});

describe.skipIf(!hasPython)(`retries over HTTP and S3 (${core.kind} backend)`, () => {
  for (const kind of ["503", "drop", "drop-body"] as const) {
    it(`retries ${kind} answers and reads what the local file holds`, async () => {
      server.reset();
      server.failNext(3, kind);
      await expectSameAsLocal(`${server.url}/${daily(0)}`, daily(0));
      expect(server.totals.faults).toBe(3);
    });
  }

  it("opens many files through random faults (seeded), equal to the local files", async () => {
    server.reset();
    server.failRandomly(0.3, 21, "drop");
    const urls = Array.from({ length: FILES }, (_, i) => `${server.url}/${daily(i)}`);
    using remote = await openVirtualMfdataset(urls, { core, concatDim: "time" });
    server.clearFaults();
    expect(server.totals.faults).toBeGreaterThan(0);
    using local = await openVirtualMfdataset(
      Array.from({ length: FILES }, (_, i) => join(dir, daily(i))),
      { core, concatDim: "time" },
    );
    expect(referenceList(remote)).toEqual(referenceList(local));
    expect(await valueDigests(remote, core)).toEqual(await valueDigests(local, core));
  }, 60_000);

  it("names the URL and the last status when the retries run out", async () => {
    server.reset();
    server.failNext(3, "503");
    const url = `${server.url}/${daily(1)}`;
    const error = await openVirtualDataset(new HttpSource(url, { attempts: 3, backoffMs: 1 }), { core }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as IoError).message).toContain(url);
    expect((error as IoError).message).toMatch(/gave up after 3 attempts \(last: HTTP 503 SlowDown\)/);
    server.failNext(2, "drop");
    const dropped = await new HttpSource(url, { attempts: 2, backoffMs: 1 }).read(0, 10).catch((e: unknown) => e);
    expect((dropped as IoError).message).toMatch(/gave up after 2 attempts \(last: connection failed \(ECONNRESET\)\)/);
    expect((dropped as IoError).file).toBe(url);
  });

  it("retries S3 reads (SlowDown, resets) the same way", async () => {
    server.reset();
    server.failNext(2, "503");
    server.failNext(1, "drop-body");
    // The served folder is the endpoint: bucket `daily`, key `t2m_0002.nc`.
    const source = new S3Source("s3://daily/t2m_0002.nc", { endpoint: server.url, anonymous: true, backoffMs: 5 });
    using remote = await openVirtualDataset(source, { core });
    using local = await openVirtualDataset(join(dir, daily(2)), { core });
    expect(referenceList(remote)).toEqual(referenceList(local));
    expect(server.totals.faults).toBe(3);
  });

  it("reuses connections across files (keep-alive)", async () => {
    server.reset();
    for (let i = 0; i < FILES; i++) {
      using ds = await openVirtualDataset(`${server.url}/${daily(i)}`, { core });
      expect(ds.variables.size).toBeGreaterThan(0);
    }
    expect(server.totals.requests).toBe(FILES);
    expect(server.totals.connections).toBeLessThanOrEqual(1);
  });
});
