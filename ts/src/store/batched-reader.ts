/**
 * Collects byte-range reads issued in the same tick (zarrita fires one `get` per chunk, all
 * at once) and sends them to each file as one coalesced batch.
 */
import type { ByteRange } from "../io/byte-source.js";
import type { SourcePool } from "./source-pool.js";

interface Pending extends ByteRange {
  resolve: (b: Uint8Array) => void;
  reject: (e: unknown) => void;
}

export class BatchedReader {
  private queue = new Map<string, Pending[]>();
  private scheduled = false;

  constructor(private readonly pool: SourcePool) {}

  read(url: string, offset: number, length: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let list = this.queue.get(url);
      if (list === undefined) {
        list = [];
        this.queue.set(url, list);
      }
      list.push({ offset, length, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => void this.flush(), 0);
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = new Map();
    this.scheduled = false;
    await Promise.all(
      [...batch].map(async ([url, list]) => {
        try {
          const source = await this.pool.get(url);
          const blocks = await source.readRanges(list);
          list.forEach((p, i) => {
            p.resolve(blocks[i] as Uint8Array);
          });
        } catch (e) {
          for (const p of list) p.reject(e);
        }
      }),
    );
  }
}
