/**
 * The blocks a scan's earlier rounds fetched, kept for its later rounds. Sources coalesce
 * nearby ranges into one read and hand back views into it; the gap bytes often hold what the
 * next tree level asks for (HDF5 B-tree nodes sit between data chunks). Remembering whole
 * blocks, within a memory budget, turns those re-reads into lookups — over HTTP a scan of a
 * metadata-dense file otherwise fetches it about twice.
 */
import type { ByteRange } from "../io/byte-source.js";

interface Block {
  offset: number;
  bytes: Uint8Array;
}

export class RecentBlocks {
  private blocks: Block[] = [];
  private held = 0;

  constructor(private readonly budget = 256 * 1024 * 1024) {}

  /** Remembers the whole buffer behind a view that holds `range` (views share their read). */
  remember(range: ByteRange, view: Uint8Array): void {
    const offset = range.offset - view.byteOffset;
    if (offset < 0 || this.blocks.some((b) => b.bytes.buffer === view.buffer)) return;
    const bytes = new Uint8Array(view.buffer, 0, view.buffer.byteLength);
    this.blocks.push({ offset, bytes });
    this.held += bytes.length;
    while (this.held > this.budget && this.blocks.length > 1) {
      this.held -= (this.blocks.shift() as Block).bytes.length;
    }
  }

  /** The bytes of `range` if a remembered block holds all of them. */
  lookup(range: ByteRange): Uint8Array | undefined {
    for (const b of this.blocks) {
      const at = range.offset - b.offset;
      if (at >= 0 && at + range.length <= b.bytes.length) return b.bytes.subarray(at, at + range.length);
    }
    return undefined;
  }
}
