/** Icechunk repositories in S3 (moto server): signed requests and conditional writes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { ConflictError } from "../ts/src/errors/vzarr-error.js";
import { listSnapshots, openIcechunk, S3Storage, writeIcechunk } from "../ts/src/formats/icechunk/index.js";
import { loadedI8, timeBlock } from "./helpers/icechunk-data.js";
import { hasMoto, type Moto, startMoto } from "./helpers/moto.js";
import { pythonJson } from "./helpers/python.js";

describe.skipIf(!hasMoto)("Icechunk on S3", () => {
  let moto: Moto;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    moto = await startMoto();
    await moto.createBucket("ice");
    for (const [k, v] of Object.entries(moto.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    dir = mkdtempSync(join(tmpdir(), "vzarr-ics3-"));
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits, appends and conflicts through conditional writes; Python reads the repository", async () => {
    const url = "s3://ice/repos/one";
    await writeIcechunk(timeBlock(dir, "s0.bin", [0, 1], 0), url, { message: "s3 first" });
    await writeIcechunk(timeBlock(dir, "s1.bin", [2], 100), url, { appendDim: "time", message: "s3 append" });
    const results = await Promise.allSettled([
      writeIcechunk(new VirtualDataset({ variables: [["a", loadedI8([1], ["a"])]] }), url, { message: "a" }),
      writeIcechunk(new VirtualDataset({ variables: [["b", loadedI8([2], ["b"])]] }), url, { message: "b" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason as Error;
    expect(loser, loser.message).toBeInstanceOf(ConflictError);
    const log = await listSnapshots(url);
    expect(log.map((s) => s.message).slice(1)).toEqual(["s3 append", "s3 first", "Repository initialized"]);
    using ds = await openIcechunk(url);
    expect(ds.variable("temp").shape).toEqual([3, 4]);
    // One backup per update; the losing commit may leave one more (its copy landed, its PUT did not).
    expect((await new S3Storage(url).list("overwritten")).length).toBeGreaterThanOrEqual(3);

    const got = await pythonJson<{ arrays: Record<string, { values: number[] }>; ancestry: { message: string }[] }>("icechunk_oracle.py", [
      "read",
      url,
      `file://${dir}/`,
    ]);
    expect(got.arrays.temp?.values).toEqual([0, 1, 2, 3, 10, 11, 12, 13, 100, 101, 102, 103]);
    expect(got.arrays.time?.values).toEqual([0, 1, 2]);
    expect(got.ancestry).toHaveLength(4);
  });

  it("refuses to create a repository twice (If-None-Match)", async () => {
    const storage = new S3Storage("s3://ice/repos/cas");
    expect(await storage.putIfMatch("repo", new Uint8Array([1]), null)).not.toBeNull();
    expect(await storage.putIfMatch("repo", new Uint8Array([2]), null)).toBeNull();
    const current = await storage.getVersioned("repo");
    expect(await storage.putIfMatch("repo", new Uint8Array([3]), '"not-the-etag"', "overwritten/x")).toBeNull();
    expect(await storage.putIfMatch("repo", new Uint8Array([3]), current?.version ?? null, "overwritten/y")).not.toBeNull();
    expect(await storage.get("overwritten/y")).toEqual(new Uint8Array([1]));
    expect(await storage.get("repo")).toEqual(new Uint8Array([3]));
  });
});

describe("S3 storage retries", () => {
  /** A fetch that answers from `statuses` in turn and records each request's method. */
  function scripted(statuses: number[]) {
    const seen: string[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init?.method ?? (input instanceof Request ? input.method : "GET"));
      const status = statuses.shift() ?? 200;
      return new Response(status === 200 ? "ok" : "busy", { status, headers: { etag: '"e2"' } });
    };
    return { seen, storage: new S3Storage("s3://b/p", { anonymous: true, endpoint: "http://127.0.0.1:9", fetch }) };
  }

  it("repeats reads and backup copies answered 500/503, never a conditional PUT", async () => {
    const reads = scripted([503, 500]);
    expect(await reads.storage.get("k")).toEqual(new TextEncoder().encode("ok"));
    expect(reads.seen).toEqual(["GET", "GET", "GET"]);

    // The backup copy is repeated; the conditional PUT that follows answers 500 once and fails.
    const update = scripted([500, 200, 500]);
    await expect(update.storage.putIfMatch("k", new Uint8Array([1]), '"e1"', "backup/k")).rejects.toThrow(/HTTP 500/);
    expect(update.seen).toEqual(["PUT", "PUT", "PUT"]);
  });
});
