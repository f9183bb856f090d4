/** The parts of openVirtualMfdataset: glob expansion, the thread payload, read-ahead blocks, progress text. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProgressReporter, progressText } from "../ts/src/cli/progress.js";
import { fromPayload, toPayload } from "../ts/src/dataset/pool/transfer.js";
import { expandInputs, globLocal, segmentPattern } from "../ts/src/io/glob.js";
import { LocalFileSource } from "../ts/src/io/local-file.js";
import { MemorySource } from "../ts/src/io/memory.js";
import { ReadAheadSource } from "../ts/src/io/read-ahead.js";
import type { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core } from "./helpers/backend.js";
import { chunkRefs, fileDataset } from "./helpers/synthetic.js";

describe("glob", () => {
  const root = mkdtempSync(join(tmpdir(), "vzarr-glob-"));
  for (const f of [
    "a/2001/x_01.nc",
    "a/2001/x_02.nc",
    "a/2002/x_10.nc",
    "a/2002/deep/x_03.nc",
    "a/.hidden/x_04.nc",
    "a/2001/.x_05.nc",
    "a/2001/y_01.txt",
  ]) {
    mkdirSync(join(root, f, ".."), { recursive: true });
    writeFileSync(join(root, f), "");
  }
  symlinkSync(join(root, "a"), join(root, "a", "2002", "loop"));
  const rel = (list: string[]) => list.map((p) => p.slice(root.length + 1));

  it("matches *, ?, [..], ** like a shell, sorted, without dotfiles or symlink loops", async () => {
    expect(rel(await globLocal(join(root, "a/*/x_0?.nc")))).toEqual(["a/2001/x_01.nc", "a/2001/x_02.nc"]);
    expect(rel(await globLocal(join(root, "a/200[2-9]/*.nc")))).toEqual(["a/2002/x_10.nc"]);
    expect(rel(await globLocal(join(root, "a/200[!1]/x_1[0]*")))).toEqual(["a/2002/x_10.nc"]);
    expect(rel(await globLocal(join(root, "a/**/x_*.nc")))).toEqual([
      "a/2001/x_01.nc",
      "a/2001/x_02.nc",
      "a/2002/deep/x_03.nc",
      "a/2002/x_10.nc",
    ]);
    expect(rel(await globLocal(join(root, "a/2001/.x*")))).toEqual(["a/2001/.x_05.nc"]);
    expect(segmentPattern("x_[ab].nc").test("x_a.nc")).toBe(true);
    expect(segmentPattern("x.(1)+").test("x.(1)+")).toBe(true);
  });

  it("expands inputs in order, passes plain paths and URLs through, refuses empty globs and HTTP globs", async () => {
    const out = await expandInputs([join(root, "a/2002/*.nc"), "s3://bucket/file.nc", join(root, "a/2001/x_0[12].nc")]);
    expect(rel(out.filter((p) => p.startsWith(root)))).toEqual(["a/2002/x_10.nc", "a/2001/x_01.nc", "a/2001/x_02.nc"]);
    expect(out[1]).toBe("s3://bucket/file.nc");
    await expect(expandInputs(join(root, "nothing/*.nc"))).rejects.toMatchObject({
      kind: "InvalidArgument",
      message: expect.stringMatching(/no files match/),
    });
    // (S3 globs are listed with ListObjectsV2: test/s3-glob.test.ts, against moto.)
    await expect(expandInputs("https://example.invalid/data/*.nc")).rejects.toMatchObject({
      kind: "UnsupportedFeature",
      message: expect.stringMatching(/--from-file/),
    });
  });
});

describe(`thread payload (${core.kind} backend)`, () => {
  it("round-trips a dataset with inlined chunks and loaded values", () => {
    const ds = fileDataset(core, { file: "a.nc", times: [0, 1, 2] });
    const air = ds.variable("air").data as ManifestArray;
    air.manifest.setInlined(1, Uint8Array.from([1, 2, 3, 4]));
    const before = chunkRefs(ds.variable("air"));
    const { payload, transfer, stats } = toPayload(ds);
    expect(stats).toEqual({ chunks: 3, bytesReferenced: 200 });
    const back = fromPayload(structuredClone(payload, { transfer }), core);
    expect(chunkRefs(back.variable("air"))).toEqual(before);
    expect((back.variable("air").data as ManifestArray).manifest.entry(1)?.data).toEqual(Uint8Array.from([1, 2, 3, 4]));
    expect(back.variable("time").data).toMatchObject({ values: Float64Array.from([0, 1, 2]) });
    expect(back.variable("air").attrs).toEqual(ds.variable("air").attrs);
    expect([...back.sources.keys()]).toEqual(["a.nc"]);
    back.free();
    ds.free();
  });
});

describe("read-ahead source", () => {
  it("serves small reads from aligned blocks, exact bytes, one inner request per new block", async () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251);
    const inner = new MemorySource("mem://x", bytes);
    let requests = 0;
    const counting = {
      ...inner,
      url: inner.url,
      stat: () => inner.stat(),
      read: (o: number, n: number) => inner.read(o, n),
      readRanges: (r: { offset: number; length: number }[]) => {
        requests += r.length;
        return inner.readRanges(r);
      },
    };
    const src = new ReadAheadSource(counting, { blockSize: 1024, maxBlocks: 64 });
    await src.stat();
    const ranges = [
      { offset: 0, length: 8 },
      { offset: 8, length: 900 },
      { offset: 1000, length: 100 },
      { offset: 5000, length: 3000 },
      { offset: 299_990, length: 10 },
    ];
    const got = await src.readRanges(ranges);
    ranges.forEach((r, i) => {
      expect(got[i]).toEqual(bytes.subarray(r.offset, r.offset + r.length));
    });
    const first = requests;
    expect(first).toBe(2 + 4 + 1);
    await src.readRanges([{ offset: 10, length: 20 }]);
    expect(requests).toBe(first);
    const big = await src.read(100_000, 50_000);
    expect(big).toEqual(bytes.subarray(100_000, 150_000));
    await expect(src.read(299_999, 10)).rejects.toMatchObject({ kind: "Io" });
  });

  it("keeps overlapping calls correct when one evicts the blocks another is assembling", async () => {
    const bytes = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 13) % 253);
    const inner = new MemorySource("mem://y", bytes);
    // The first call's direct (large) read resolves late; meanwhile a second call fills
    // and evicts the 4-block cache.
    let slow: () => void = () => {};
    const gate = new Promise<void>((ok) => {
      slow = ok;
    });
    const delaying = {
      url: inner.url,
      stat: () => inner.stat(),
      read: (o: number, n: number) => inner.read(o, n),
      readRanges: async (r: { offset: number; length: number }[]) => {
        if (r.some((x) => x.length > 1024)) await gate;
        return inner.readRanges(r);
      },
    };
    const src = new ReadAheadSource(delaying, { blockSize: 1024, maxBlocks: 4 });
    await src.stat();
    const first = src.readRanges([
      { offset: 100, length: 50 },
      { offset: 20_000, length: 5000 },
    ]);
    const second = await src.readRanges([0, 1, 2, 3, 4, 5, 6, 7].map((k) => ({ offset: 30_000 + k * 1024, length: 10 })));
    expect(second[7]).toEqual(bytes.subarray(30_000 + 7 * 1024, 30_000 + 7 * 1024 + 10));
    slow();
    const got = await first;
    expect(got[0]).toEqual(bytes.subarray(100, 150));
    expect(got[1]).toEqual(bytes.subarray(20_000, 25_000));
  });
});

describe("read-ahead buffer reuse", () => {
  it("reads the next file into the buffers the last one released, with that file's bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-pool-"));
    const contents = [0, 1].map((k) => Uint8Array.from({ length: 150_000 }, (_, i) => (i * (7 + k)) % 251));
    const paths = contents.map((c, k) => {
      const path = join(dir, `f${k}.bin`);
      writeFileSync(path, c);
      return path;
    });
    const buffersOf = async (k: number) => {
      const src = new ReadAheadSource(new LocalFileSource(paths[k] as string));
      const ranges = [
        { offset: 10, length: 100 },
        { offset: 70_000, length: 50 },
        { offset: 149_990, length: 10 },
      ];
      const views = await src.viewRanges(ranges);
      ranges.forEach((r, i) => {
        expect(views[i], `file ${k} range ${i}`).toEqual((contents[k] as Uint8Array).subarray(r.offset, r.offset + r.length));
      });
      const buffers = new Set(views.map((v) => v.buffer));
      await src.close();
      return buffers;
    };
    const first = await buffersOf(0);
    const second = await buffersOf(1);
    expect([...second].filter((b) => first.has(b)).length).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("progress", () => {
  it("draws a bar on a terminal, plain lines elsewhere, nothing when quiet", () => {
    const p = { filesDone: 120, filesTotal: 365, chunks: 43800, bytesReferenced: 1, elapsedMs: 1500 };
    expect(progressText(p)).toBe("120/365 files · 43,800 chunks · 80 files/s · ETA 3.1 s");
    const tty: string[] = [];
    const bar = new ProgressReporter({ isTTY: true, columns: 100, write: (t) => tty.push(t) }, { ttyIntervalMs: 100 });
    bar.update({ ...p, elapsedMs: 200 });
    bar.update({ ...p, elapsedMs: 250 });
    bar.update({ ...p, filesDone: 365, elapsedMs: 260 });
    bar.done();
    expect(tty.length).toBe(3);
    expect(tty[0]?.startsWith("\r\u001b[2K[")).toBe(true);
    expect(tty[0]).toMatch(/\[█+░+\] 120\/365 files/);
    expect(tty[1]).toMatch(/\[█+\] 365\/365 files/);
    expect(tty[2]).toBe("\n");
    const log: string[] = [];
    const plain = new ProgressReporter({ isTTY: false, write: (t) => log.push(t) }, { lineIntervalMs: 1000 });
    for (const ms of [10, 900, 1100, 1500, 2200]) plain.update({ ...p, elapsedMs: ms });
    expect(log).toEqual([`vzarr: ${progressText({ ...p, elapsedMs: 1100 })}\n`, `vzarr: ${progressText({ ...p, elapsedMs: 2200 })}\n`]);
    const quiet: string[] = [];
    new ProgressReporter({ isTTY: true, write: (t) => quiet.push(t) }, { quiet: true }).update(p);
    expect(quiet).toEqual([]);
  });
});
