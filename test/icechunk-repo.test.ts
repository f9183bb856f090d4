/** Repository operations: concurrent commits, branches and tags, corrupt files, the CLI. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { ConflictError, CorruptFileError, NotFoundError, VzarrError } from "../ts/src/errors/vzarr-error.js";
import {
  IcechunkRepository,
  LocalStorage,
  listBranches,
  listSnapshots,
  listTags,
  lookupChunk,
  openIcechunk,
  writeIcechunk,
} from "../ts/src/formats/icechunk/index.js";
import { decodeRepoInfo } from "../ts/src/formats/icechunk/repo-info.js";
import { decodeTransactionLog } from "../ts/src/formats/icechunk/transaction-log.js";
import { loadedI8, timeBlock } from "./helpers/icechunk-data.js";
import { repoRoot } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vzarr-icr-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const one = (name: string, values: number[]) => new VirtualDataset({ variables: [[name, loadedI8(values, [name])]] });

describe("concurrent commits", () => {
  it("lets exactly one of two commits on the same tip win; the other gets ConflictError", async () => {
    const repo = join(dir, "race");
    await writeIcechunk(one("base", [1]), repo, { message: "base" });
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        writeIcechunk(one(`a${round}`, [round]), repo, { message: `a${round}` }),
        writeIcechunk(one(`b${round}`, [round]), repo, { message: `b${round}` }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const winner = results[0]?.status === "fulfilled" ? "a" : "b";
      const log = await listSnapshots(repo);
      expect(log[0]?.message).toBe(`${winner}${round}`);
      // Nothing of an earlier winner is lost by a later commit.
      using ds = await openIcechunk(repo);
      for (let r = 0; r <= round; r++) expect([...ds.variables.keys()].filter((k) => k.endsWith(String(r)))).toHaveLength(1);
    }
    expect(await listSnapshots(repo)).toHaveLength(7);
    // Every backup holds a complete earlier repo file.
    const backups = await new LocalStorage(repo).list("overwritten");
    expect(backups.length).toBeGreaterThanOrEqual(6);
    for (const b of backups) decodeRepoInfo(readFileSync(join(repo, b)), b);
  });

  it("lets exactly one of many compare-and-swaps of the repo file land", async () => {
    const storage = new LocalStorage(join(dir, "cas"));
    await storage.putIfMatch("repo", new Uint8Array([0]), null);
    const current = await storage.getVersioned("repo");
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        storage.putIfMatch("repo", new Uint8Array([i + 1]), current?.version ?? null, `overwritten/b${i}`),
      ),
    );
    expect(attempts.filter((x) => x !== null)).toHaveLength(1);
    expect(await storage.putIfMatch("repo", new Uint8Array([99]), null)).toBeNull();
  });
});

describe("branches, tags and history", () => {
  it("creates, lists and deletes refs; commits to a new branch from main", async () => {
    const repo = join(dir, "refs");
    const first = await writeIcechunk(one("x", [1, 2]), repo, { message: "one" });
    const dev = await writeIcechunk(one("y", [3]), repo, { branch: "dev", message: "on dev" });
    expect((await listBranches(repo)).map((b) => [b.name, b.snapshotId])).toEqual([
      ["dev", dev],
      ["main", first],
    ]);
    expect((await listSnapshots(repo, { branch: "dev" })).map((s) => s.message)).toEqual(["on dev", "one", "Repository initialized"]);
    using onMain = await openIcechunk(repo);
    expect([...onMain.variables.keys()]).toEqual(["x"]);
    const r = await IcechunkRepository.open(repo);
    await r.createTag("release", first);
    await expect(r.createTag("release", dev)).rejects.toThrow(ConflictError);
    expect((await listTags(repo)).map((t) => t.name)).toEqual(["release"]);
    await r.deleteTag("release");
    expect(await listTags(repo)).toEqual([]);
    await expect(r.createTag("release", dev)).rejects.toThrow(/cannot be reused/);
    await expect(openIcechunk(repo, { tag: "release" })).rejects.toThrow(NotFoundError);
    await r.createBranch("feature", first);
    await r.deleteBranch("feature");
    await expect(r.deleteBranch("main")).rejects.toThrow(VzarrError);
    await expect(r.createBranch("a/b", first)).rejects.toThrow(/invalid branch name/);
    // The ops log is newest first with strictly increasing times.
    const info = decodeRepoInfo(readFileSync(join(repo, "repo")), "repo");
    const times = info.latestUpdates.map((u) => u.updatedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBe(times.length);
    expect(info.latestUpdates.slice(1).every((u) => u.backupPath !== null)).toBe(true);
  });

  it("looks chunks up by coordinates and logs appended coordinates in the tx log", async () => {
    const repo = join(dir, "lookup");
    await writeIcechunk(timeBlock(dir, "l0.bin", [0, 1], 0), repo, { manifestSplitSize: 1 });
    const id = await writeIcechunk(timeBlock(dir, "l1.bin", [2, 3], 50), repo, { appendDim: "time", manifestSplitSize: 1 });
    expect(await lookupChunk(repo, "temp", [3, 0])).toMatchObject({
      kind: "virtual",
      location: `file://${join(dir, "l1.bin")}`,
      offset: 16,
      length: 16,
    });
    expect(await lookupChunk(repo, "temp", [4, 0])).toBeNull();
    const tx = decodeTransactionLog(readFileSync(join(repo, "transactions", id)), id);
    expect(tx.updatedChunks.map((u) => u.chunks).find((c) => c[0]?.length === 2)).toEqual([
      [2, 0],
      [3, 0],
    ]);
    expect(tx.updatedArrays).toHaveLength(2);
    expect(tx.newArrays).toHaveLength(0);
    // One manifest per chunk row (split size 1), extents disjoint.
    using ds = await openIcechunk(repo);
    expect([...(ds.variable("temp").data as { manifest: { entries(): Iterable<unknown> } }).manifest.entries()]).toHaveLength(4);
  });
});

describe("bad repositories", () => {
  it("reports missing, truncated and corrupt files with tagged errors", async () => {
    await expect(openIcechunk(join(dir, "nothing"))).rejects.toThrow(NotFoundError);
    const repo = join(dir, "corrupt");
    const id = await writeIcechunk(one("x", [1]), repo);
    const snap = join(repo, "snapshots", id);
    const good = readFileSync(snap);
    writeFileSync(snap, good.subarray(0, good.length - 7));
    await expect(openIcechunk(repo)).rejects.toThrow(CorruptFileError);
    const flipped = Buffer.from(good);
    for (let i = 60; i < flipped.length; i += 7) flipped[i] = (flipped[i] as number) ^ 0xa5;
    writeFileSync(snap, flipped);
    await expect(openIcechunk(repo)).rejects.toThrow(VzarrError);
    writeFileSync(snap, good);
    const repoFile = join(repo, "repo");
    const info = readFileSync(repoFile);
    writeFileSync(repoFile, info.subarray(0, 30));
    await expect(openIcechunk(repo)).rejects.toThrow(CorruptFileError);
    await expect(writeIcechunk(one("y", [1]), repo)).rejects.toThrow(CorruptFileError);
    writeFileSync(repoFile, info);
    rmSync(snap);
    await expect(openIcechunk(repo)).rejects.toThrow(NotFoundError);
  });
});

describe("openVirtualDataset and the CLI", () => {
  it("detects a repository directory", async () => {
    const repo = join(dir, "detect");
    await writeIcechunk(one("x", [4, 5]), repo);
    using ds = await openVirtualDataset(repo);
    expect(ds.format).toBe("icechunk");
    expect(ds.variable("x").shape).toEqual([2]);
  });

  it.skipIf(!existsSync(join(repoRoot, "dist", "cli", "main.js")))("vzarr info prints an Icechunk repository", async () => {
    const repo = join(dir, "cli");
    await writeIcechunk(timeBlock(dir, "c0.bin", [0, 1], 0), repo);
    const r = await vzarr(["info", repo, "--json"]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { format: string; variables: Record<string, { shape: number[]; nchunks: number }> };
    expect(info.format).toBe("icechunk");
    expect(info.variables.temp).toMatchObject({ shape: [2, 4], nchunks: 2 });
  });

  it.skipIf(!existsSync(join(repoRoot, "dist", "cli", "main.js")))("vzarr refs --format icechunk commits and appends", async () => {
    const source = join(dir, "cli-src");
    await writeIcechunk(timeBlock(dir, "c1.bin", [0, 1], 0), source);
    const more = join(dir, "cli-more");
    await writeIcechunk(timeBlock(dir, "c2.bin", [2], 100), more);
    const out = join(dir, "cli-out");
    const first = await vzarr([
      "refs",
      source,
      "-o",
      out,
      "--format",
      "icechunk",
      "--message",
      "from the CLI",
      "--container",
      dir, // a plain directory stands for file://<dir>/
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/committed snapshot [0-9A-Z]{20}/);
    const second = await vzarr(["refs", more, "-o", out, "--format", "icechunk", "--append-dim", "time", "--branch", "main"]);
    expect(second.code, second.stderr).toBe(0);
    expect((await listSnapshots(out)).map((s) => s.message)).toEqual([`vzarr refs ${more}`, "from the CLI", "Repository initialized"]);
    using ds = await openIcechunk(out);
    expect(ds.variable("temp").shape).toEqual([3, 4]);
    const bad = await vzarr(["refs", more, "-o", out, "--format", "icechunk", "--append-dim", "time", "--container", "file:///elsewhere/"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/InvalidArgument: chunk location .* is under none of the virtual chunk containers/);
  });
});
