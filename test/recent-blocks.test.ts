import { describe, expect, it } from "vitest";
import { RecentBlocks } from "../ts/src/parsers/recent-blocks.js";

/** A file of `n` bytes whose byte at offset i is i % 251, and a read of [offset, offset+length) as a fresh buffer. */
const fileByte = (i: number) => i % 251;
function readBlock(offset: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => fileByte(offset + i));
}
const expectFileBytes = (bytes: Uint8Array | undefined, offset: number) => {
  expect(bytes).toBeDefined();
  expect(Array.from(bytes as Uint8Array)).toEqual(Array.from(readBlock(offset, (bytes as Uint8Array).length)));
};

describe("RecentBlocks (bytes a scan already fetched)", () => {
  it("serves a later range from the gap bytes of a coalesced read", () => {
    const blocks = new RecentBlocks();
    const read = readBlock(1000, 5000); // one coalesced read …
    blocks.remember({ offset: 1000, length: 100 }, read.subarray(0, 100)); // … handed out as views
    blocks.remember({ offset: 5900, length: 100 }, read.subarray(4900, 5000));
    expectFileBytes(blocks.lookup({ offset: 3000, length: 200 }), 3000);
    expect(blocks.lookup({ offset: 5950, length: 100 })).toBeUndefined(); // runs past the block
    expect(blocks.lookup({ offset: 900, length: 200 })).toBeUndefined(); // starts before it
  });

  it("keeps no standalone copies (nothing beyond their range), however many", () => {
    const blocks = new RecentBlocks();
    for (let i = 0; i < 20_000; i++) blocks.remember({ offset: i * 10, length: 10 }, readBlock(i * 10, 10));
    expect(blocks.lookup({ offset: 50, length: 5 })).toBeUndefined();
  });

  it("finds the block holding a range among many, in any insertion order, with overlaps", () => {
    const blocks = new RecentBlocks();
    const starts = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) * 1000);
    for (const s of starts) {
      const read = readBlock(s, 1500); // overlaps the next block by 500 bytes
      blocks.remember({ offset: s, length: 10 }, read.subarray(0, 10));
    }
    for (const offset of [0, 999, 1200, 250_300, 498_700]) expectFileBytes(blocks.lookup({ offset, length: 300 }), offset);
    expect(blocks.lookup({ offset: 500_400, length: 200 })).toBeUndefined(); // past the last block's end (500,500)
  });

  it("forgets the oldest blocks beyond its memory budget", () => {
    const blocks = new RecentBlocks(10_000);
    for (let k = 0; k < 5; k++) {
      const read = readBlock(k * 4000, 4000);
      blocks.remember({ offset: k * 4000, length: 10 }, read.subarray(0, 10));
    }
    expect(blocks.lookup({ offset: 100, length: 10 })).toBeUndefined();
    expectFileBytes(blocks.lookup({ offset: 16_100, length: 10 }), 16_100);
  });
});
