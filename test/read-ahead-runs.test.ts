/**
 * Sequential runs of the read-ahead source: a file read front to back is fetched in runs that
 * double up to `maxSequentialRun`, each run one read of the inner source (one request over
 * HTTP); jumping elsewhere starts again at one block; the bytes are always the file's.
 */
import { describe, expect, it } from "vitest";
import type { ByteRange } from "../ts/src/io/byte-source.js";
import { MemorySource } from "../ts/src/io/memory.js";
import { ReadAheadSource } from "../ts/src/io/read-ahead.js";
import { rng } from "./helpers/backend.js";

const KiB = 1024;

function counted(bytes: Uint8Array) {
  const inner = new MemorySource("mem://file", bytes);
  const calls: ByteRange[][] = [];
  const source = {
    url: inner.url,
    stat: () => inner.stat(),
    read: (o: number, n: number) => inner.read(o, n),
    readRanges: (r: readonly ByteRange[]) => {
      calls.push([...r]);
      return inner.readRanges(r);
    },
  };
  return { source, calls };
}

describe("read-ahead sequential runs", () => {
  const random = rng(5);
  const bytes = Uint8Array.from({ length: 4096 * KiB + 123 }, () => Math.floor(random() * 256));

  it("reads a file front to back in doubling runs, each one inner read", async () => {
    const { source, calls } = counted(bytes);
    const ra = new ReadAheadSource(source, { maxSequentialRun: 1024 * KiB });
    for (let at = 0; at < bytes.length; at += 10_000) {
      const n = Math.min(700, bytes.length - at);
      expect(await ra.read(at, n)).toEqual(bytes.subarray(at, at + n));
    }
    // Runs of 1, 2, 4, 8 and 16 blocks (1 MiB), then 1 MiB each: 5 + 3 for 4 MiB and a bit.
    const runs = calls.map((c) => c.reduce((s, r) => s + r.length, 0));
    expect(runs.slice(0, 6)).toEqual([64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, 1024 * KiB, 1024 * KiB]);
    expect(calls.length).toBe(8);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(bytes.length);
  });

  it("starts again at one block after a jump, and reads block by block without the option", async () => {
    const { source, calls } = counted(bytes);
    const ra = new ReadAheadSource(source, { maxSequentialRun: 1024 * KiB });
    await ra.read(0, 10);
    await ra.read(64 * KiB, 10);
    await ra.read(3000 * KiB, 10);
    expect(calls.map((c) => c.length)).toEqual([1, 2, 1]);
    const plain = counted(bytes);
    const one = new ReadAheadSource(plain.source);
    for (let at = 0; at < 1024 * KiB; at += 16 * KiB) await one.read(at, 100);
    expect(plain.calls.length).toBe(16);
  });
});
