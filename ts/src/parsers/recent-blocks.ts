/**
 * The blocks a scan's earlier rounds fetched, kept for its later rounds. Sources coalesce
 * nearby ranges into one read and hand back views into it; the gap bytes often hold what the
 * next tree level asks for (HDF5 B-tree nodes sit between data chunks). Remembering whole
 * blocks, within a memory budget, turns those re-reads into lookups — over HTTP a scan of a
 * metadata-dense file otherwise fetches it about twice.
 *
 * A scan of a million-chunk file feeds ~10,000 ranges, so both operations stay logarithmic:
 * blocks are kept sorted by file offset, and a view that is a standalone copy of its range
 * (no gap bytes around it, as from a caching source) is not remembered at all.
 */
import type { ByteRange } from "../io/byte-source.js";

interface Block {
  offset: number;
  bytes: Uint8Array;
}

export class RecentBlocks {
  /** Sorted by `offset`. */
  private blocks: Block[] = [];
  private readonly buffers = new Set<ArrayBufferLike>();
  /** Insertion order, for evicting the oldest first. */
  private readonly order: Block[] = [];
  private held = 0;

  constructor(private readonly budget = 256 * 1024 * 1024) {}

  /** Remembers the whole buffer behind a view that holds `range` (views share their read). */
  remember(range: ByteRange, view: Uint8Array): void {
    const offset = range.offset - view.byteOffset;
    // A view covering its whole buffer holds nothing beyond the range itself.
    if (offset < 0 || view.byteLength === view.buffer.byteLength || this.buffers.has(view.buffer)) return;
    const block = { offset, bytes: new Uint8Array(view.buffer, 0, view.buffer.byteLength) };
    this.blocks.splice(this.firstAfter(offset), 0, block);
    this.order.push(block);
    this.buffers.add(view.buffer);
    this.held += block.bytes.length;
    while (this.held > this.budget && this.order.length > 1) this.forget(this.order.shift() as Block);
  }

  /** The bytes of `range` if a remembered block holds all of them. */
  lookup(range: ByteRange): Uint8Array | undefined {
    // Blocks starting at or before the range, nearest first; blocks may overlap, so a few
    // earlier ones can still reach far enough.
    for (let i = this.firstAfter(range.offset) - 1, tries = 0; i >= 0 && tries < 8; i--, tries++) {
      const b = this.blocks[i] as Block;
      const at = range.offset - b.offset;
      if (at + range.length <= b.bytes.length) return b.bytes.subarray(at, at + range.length);
    }
    return undefined;
  }

  /** Index of the first block whose offset is greater than `offset`. */
  private firstAfter(offset: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.blocks[mid] as Block).offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private forget(block: Block): void {
    this.blocks.splice(this.blocks.indexOf(block), 1);
    this.buffers.delete(block.bytes.buffer);
    this.held -= block.bytes.length;
  }
}
