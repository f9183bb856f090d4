/**
 * A byte source that reads in aligned blocks and keeps the last few. Opening a file takes
 * many small dependent reads (signature, header, then each loadable coordinate); with blocks
 * they become one or two requests — a small netCDF file is read once — which is what makes
 * opening thousands of files fast, locally (fewer syscalls) and over HTTP (fewer round trips).
 * Ranges larger than a few blocks bypass the cache.
 *
 * Remote files read front to back (a GRIB file is walked message by message: each message's
 * length says where the next starts) would cost a round trip per block. With
 * `maxSequentialRun`, a read that continues where the last fetch ended fetches a run of
 * blocks twice as long as the last one (up to that many bytes) in one request, as an
 * operating system's read-ahead grows: a 1 GB GRIB file is read in a few dozen requests
 * instead of one per message (`expectForwardWalk`) or per 64 KiB block.
 */
import { BlockPool } from "./block-pool.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";

const DEFAULT_BLOCK = 64 * 1024;
/** Buffers shared by this thread's read-ahead sources over sources that read into memory. */
const pool = new BlockPool(DEFAULT_BLOCK, 64);

export interface ReadAheadOptions {
  /** Block size in bytes (default 64 KiB). */
  blockSize?: number;
  /** Blocks kept (least recently used go first; default 32). */
  maxBlocks?: number;
  /** Longest sequential run fetched at once, in bytes (default 0: no runs, one block at a time). */
  maxSequentialRun?: number;
}

export class ReadAheadSource implements ByteSource {
  readonly url: string;
  private readonly blockSize: number;
  private readonly maxBlocks: number;
  private readonly blocks = new Map<number, Uint8Array>();
  /** Pool buffers this source read into: returned by `release`, when no view can remain. */
  private readonly pooled: Uint8Array[] = [];
  private size: number | undefined;
  private readonly maxRunBlocks: number;
  /** The block after the last fetch, and how many blocks that fetch had. */
  private nextBlock = -1;
  private lastRun = 0;
  private forwardWalk = false;

  constructor(
    private readonly inner: ByteSource,
    options: ReadAheadOptions = {},
  ) {
    this.url = inner.url;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK;
    this.maxBlocks = options.maxBlocks ?? 32;
    this.maxRunBlocks = Math.max(1, Math.floor((options.maxSequentialRun ?? 0) / this.blockSize));
  }

  async stat(): Promise<SourceIdentity> {
    const s = await this.inner.stat();
    this.size = s.size;
    return s;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return (await this.readRanges([{ offset, length }]))[0] as Uint8Array;
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return this.rangesFromBlocks(ranges, true);
  }

  viewRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return this.rangesFromBlocks(ranges, false);
  }

  /** `copy`: hand out copies (decoders may work in place; the blocks must stay intact). */
  private async rangesFromBlocks(ranges: readonly ByteRange[], copy: boolean): Promise<Uint8Array[]> {
    const size = this.size ?? (await this.stat()).size;
    const bs = this.blockSize;
    const direct = (r: ByteRange) => r.length > (bs * this.maxBlocks) / 4 || r.offset + r.length > size;
    // The blocks this call assembles from, held here: callers may overlap calls, and another
    // call's eviction must not take a block between its fetch and its use.
    const held = new Map<number, Uint8Array>();
    const wanted = new Set<number>();
    for (const r of ranges) {
      if (direct(r) || r.length === 0) continue;
      for (let b = Math.floor(r.offset / bs); b * bs < r.offset + r.length; b++) {
        if (held.has(b)) continue;
        if (this.blocks.has(b)) held.set(b, this.touch(b));
        else wanted.add(b);
      }
    }
    const directRanges = ranges.filter(direct);
    const list = this.extendSequential(
      [...wanted].sort((a, b) => a - b),
      size,
    );
    const [fetched, directData] = await Promise.all([
      list.length > 0 ? this.fetchBlocks(list, size) : [],
      directRanges.length > 0 ? this.inner.readRanges(directRanges) : [],
    ]);
    list.forEach((b, i) => {
      const block = fetched[i] as Uint8Array;
      held.set(b, block);
      this.blocks.set(b, block);
    });
    let d = 0;
    const out = ranges.map((r) => {
      if (direct(r)) return directData[d++] as Uint8Array;
      return r.length === 0 ? new Uint8Array(0) : this.assemble(r, held, copy);
    });
    this.evict();
    return out;
  }

  /**
   * Tells the source its reader walks the file forward, skipping parts (GRIB messages' data):
   * reads past the last fetch, not only right after it, then grow the runs — covering the
   * skipped parts, many messages per request, instead of a round trip per message.
   */
  expectForwardWalk(): void {
    this.forwardWalk = true;
  }

  /**
   * The blocks to fetch: `list`, or — when it continues the last fetch — a run twice as long
   * as that one's (so a file read front to back costs O(log) requests up to the longest run).
   */
  private extendSequential(list: number[], size: number): number[] {
    const first = list[0];
    if (first === undefined || this.maxRunBlocks <= 1) return list;
    const lastBlock = Math.ceil(size / this.blockSize) - 1;
    let out = list;
    // A forward walk (GRIB: each message's header, its data skipped) continues at any block
    // past the last fetch; other readers only where the last fetch ended.
    if (first === this.nextBlock || (this.forwardWalk && this.nextBlock >= 0 && first > this.nextBlock)) {
      const run = Math.min(this.maxRunBlocks, Math.max(list.length, 2 * this.lastRun));
      const end = Math.min(lastBlock, first + run - 1);
      out = [...list];
      for (let b = (list[list.length - 1] as number) + 1; b <= end; b++) if (!this.blocks.has(b)) out.push(b);
      out.sort((a, b) => a - b);
    }
    const last = out[out.length - 1] as number;
    this.nextBlock = last + 1;
    this.lastRun = last - first + 1;
    return out;
  }

  /** Reads whole blocks: into pool buffers when the inner source can, a bounded number per source. */
  private async fetchBlocks(list: readonly number[], size: number): Promise<Uint8Array[]> {
    const bs = this.blockSize;
    const ranges = list.map((b) => ({ offset: b * bs, length: Math.min(bs, size - b * bs) }));
    const readInto = this.inner.readInto?.bind(this.inner);
    if (readInto === undefined || bs !== pool.blockSize || this.pooled.length + list.length > 2 * this.maxBlocks) {
      return this.inner.readRanges(ranges);
    }
    return Promise.all(
      ranges.map(async (r) => {
        const buffer = pool.take();
        this.pooled.push(buffer);
        const block = buffer.subarray(0, r.length);
        await readInto(r.offset, block);
        return block;
      }),
    );
  }

  private assemble(r: ByteRange, held: Map<number, Uint8Array>, copy: boolean): Uint8Array {
    const bs = this.blockSize;
    const first = Math.floor(r.offset / bs);
    const last = Math.floor((r.offset + Math.max(r.length, 1) - 1) / bs);
    if (first === last) {
      const block = held.get(first) as Uint8Array;
      const at = r.offset - first * bs;
      return copy ? block.slice(at, at + r.length) : block.subarray(at, at + r.length);
    }
    const out = new Uint8Array(r.length);
    let done = 0;
    for (let b = first; b <= last; b++) {
      const block = held.get(b) as Uint8Array;
      const from = b === first ? r.offset - b * bs : 0;
      const n = Math.min(block.length - from, r.length - done);
      out.set(block.subarray(from, from + n), done);
      done += n;
    }
    return out;
  }

  /** A cached block, moved to the most-recently-used end. */
  private touch(b: number): Uint8Array {
    const block = this.blocks.get(b) as Uint8Array;
    this.blocks.delete(b);
    this.blocks.set(b, block);
    return block;
  }

  private evict(): void {
    // A sequential run stays whole, with the one before it (a message may straddle the two).
    const keep = Math.max(this.maxBlocks, 2 * this.lastRun);
    for (const b of this.blocks.keys()) {
      if (this.blocks.size <= keep) break;
      this.blocks.delete(b);
    }
  }

  /**
   * Forgets the cached blocks and hands their buffers back for the next file: views from
   * `viewRanges` must not be used after this.
   */
  release(): void {
    this.blocks.clear();
    pool.give(this.pooled.splice(0));
  }

  /** `release`, then closes the inner source. */
  close(): Promise<void> {
    this.release();
    return this.inner.close?.() ?? Promise.resolve();
  }
}
