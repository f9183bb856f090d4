import { describe, expect, it } from "vitest";
import type { ByteRange } from "../ts/src/io/byte-source.js";
import { JOIN_GAP, joinViews } from "../ts/src/parsers/join-views.js";

/** A file whose byte at offset i is i % 251; a read of [offset, offset+length) as a fresh buffer. */
function readBlock(offset: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (offset + i) % 251);
}
/** Views of `ranges` cut from one coalesced read that starts at `base`. */
const cut = (read: Uint8Array, base: number, ranges: ByteRange[]) =>
  ranges.map((r) => read.subarray(r.offset - base, r.offset - base + r.length));

describe("joinViews (fewer, larger feeds into the core)", () => {
  it("joins neighbours in one read, gap bytes included, without copying", () => {
    const read = readBlock(1000, 10_000);
    const ranges = [
      { offset: 1000, length: 2000 },
      { offset: 3022, length: 2000 }, // 22 bytes of node padding apart, as v2 B-tree leaves
      { offset: 5022, length: 100 }, // adjacent
    ];
    const pieces = joinViews(ranges, cut(read, 1000, ranges));
    expect(pieces).toHaveLength(1);
    const [piece] = pieces;
    expect(piece?.offset).toBe(1000);
    expect(piece?.bytes.buffer).toBe(read.buffer);
    expect(Array.from(piece?.bytes ?? [])).toEqual(Array.from(readBlock(1000, 4122)));
  });

  it("keeps apart views of different buffers, gaps beyond JOIN_GAP and views not laid out as the file", () => {
    const a = readBlock(0, 100);
    const b = readBlock(100, 100); // the next bytes, but another read
    const far = readBlock(0, 300 + JOIN_GAP);
    const packed = new Uint8Array([...readBlock(0, 10), ...readBlock(50, 10)]); // two ranges side by side
    expect(
      joinViews(
        [
          { offset: 0, length: 100 },
          { offset: 100, length: 100 },
        ],
        [a, b],
      ),
    ).toHaveLength(2);
    const farRanges = [
      { offset: 0, length: 100 },
      { offset: 200 + JOIN_GAP, length: 100 },
    ];
    expect(joinViews(farRanges, cut(far, 0, farRanges))).toHaveLength(2);
    const pieces = joinViews(
      [
        { offset: 0, length: 10 },
        { offset: 50, length: 10 },
      ],
      [packed.subarray(0, 10), packed.subarray(10, 20)],
    );
    expect(pieces.map((p) => [p.offset, Array.from(p.bytes)])).toEqual([
      [0, Array.from(readBlock(0, 10))],
      [50, Array.from(readBlock(50, 10))],
    ]);
  });

  it("returns single views unchanged and nothing for nothing", () => {
    const v = readBlock(7, 5);
    expect(joinViews([{ offset: 7, length: 5 }], [v])).toEqual([{ offset: 7, bytes: v }]);
    expect(joinViews([], [])).toEqual([]);
  });
});
