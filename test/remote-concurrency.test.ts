/**
 * Many remote files in flight: `concurrency` (CLI `--concurrency`) bounds the files opened at
 * once, independently of `jobs` (CPU threads), and every file costs one request; the combined
 * dataset equals the one made from the local files.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatencyServer, startLatencyServer } from "../bench/lib/latency-server.mjs";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
import { core } from "./helpers/backend.js";
import { hasPython, vzarr } from "./helpers/python.js";
import { makeRemoteFixtures, referenceList } from "./helpers/remote-fixtures.js";

const FILES = 24;
let dir: string;
let server: LatencyServer;
const name = (i: number) => `daily/t2m_${String(i).padStart(4, "0")}.nc`;

beforeAll(async () => {
  if (!hasPython) return;
  dir = await makeRemoteFixtures(FILES);
  server = await startLatencyServer(dir, { delayMs: 100 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPython)(`remote files in flight (${core.kind} backend)`, () => {
  const urls = () => Array.from({ length: FILES }, (_, i) => `${server.url}/${name(i)}`);

  it("opens `concurrency` files at once whatever `jobs` says, one request each", async () => {
    using local = await openVirtualMfdataset(
      Array.from({ length: FILES }, (_, i) => join(dir, name(i))),
      { core, concatDim: "time" },
    );
    for (const concurrency of [8, undefined]) {
      server.reset();
      using remote = await openVirtualMfdataset(urls(), { core, concatDim: "time", jobs: 1, concurrency });
      expect(server.totals.requests).toBe(FILES);
      // Never more than `concurrency` (default 64: all 24 may be), far more than `jobs` (1
      // job alone kept 2 remote files in flight); with 100 ms per request the lanes fill.
      expect(server.totals.peakInFlight).toBeLessThanOrEqual(concurrency ?? FILES);
      expect(server.totals.peakInFlight).toBeGreaterThanOrEqual(concurrency ?? 16);
      expect(referenceList(remote)).toEqual(referenceList(local));
    }
  }, 60_000);

  it("vzarr refs --concurrency N", async () => {
    server.reset();
    const out = join(dir, "refs.json");
    const r = await vzarr(["refs", ...urls(), "--concat-dim", "time", "--concurrency", "5", "--jobs", "1", "-o", out, "-q"], {
      VZARR_BACKEND: core.kind,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(server.totals.peakInFlight).toBe(5);
    // with 100 ms per request, the five lanes are all busy at once
    expect(server.totals.requests).toBe(FILES);
    const refs = JSON.parse(readFileSync(out, "utf8")) as { refs: Record<string, unknown> };
    expect(Object.keys(refs.refs).filter((k) => k.startsWith("t2m/") && !k.includes(".z"))).toHaveLength(FILES * 24);
    const bad = await vzarr(["refs", ...urls(), "--concurrency", "0", "-o", join(dir, "x.json")]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--concurrency must be a positive integer/);
  }, 60_000);
});
