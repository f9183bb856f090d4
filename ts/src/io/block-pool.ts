/**
 * Reusable read buffers of one size. Opening a file reads a block or two into fresh 64 KiB
 * buffers that are garbage a millisecond later; over a thousand files, allocating them cost
 * more than the reads themselves (freshly mapped pages fault in, and freeing them gives the
 * pages back to the system, so the next file faults again). Buffers go back to the pool
 * when their reader is done with them; the pool keeps a bounded number.
 */
export class BlockPool {
  private readonly free: Uint8Array[] = [];

  constructor(
    readonly blockSize: number,
    private readonly capacity: number,
  ) {}

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.blockSize);
  }

  /** Returns buffers this pool handed out; the caller must hold no view into them. */
  give(blocks: Iterable<Uint8Array>): void {
    for (const b of blocks) {
      if (this.free.length >= this.capacity) return;
      if (b.byteLength === this.blockSize && b.byteOffset === 0) this.free.push(b);
    }
  }
}
