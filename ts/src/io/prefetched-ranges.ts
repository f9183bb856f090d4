/**
 * A byte source that serves some ranges from bytes fetched all at once beforehand, and the
 * rest from another source. A scan that would walk a file read by dependent read (GRIB,
 * message after message) becomes one round of parallel requests when an index says where
 * the reads will fall (`formats/grib/index-file.ts`): the walk then finds its bytes here.
 */
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { coalesce } from "./coalesce.js";

interface Piece {
  offset: number;
  bytes: Uint8Array;
}

export interface PrefetchOptions {
  /** Ranges closer than this are fetched in one request (default 64 KiB). */
  maxGap?: number;
  /** No request longer than this (default 8 MiB). */
  maxSize?: number;
  /** Requests in flight at once (default 32). */
  concurrency?: number;
}

/** Fetches `ranges` from `from` (coalesced, in parallel); the pieces sorted by offset. */
export async function prefetchRanges(from: ByteSource, ranges: readonly ByteRange[], options: PrefetchOptions = {}): Promise<Piece[]> {
  const plan = coalesce(ranges, { maxGap: options.maxGap ?? 64 << 10, maxSize: options.maxSize ?? 8 << 20 });
  const pieces: Piece[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const i = next++;
      const job = plan[i] as (typeof plan)[number];
      pieces[i] = { offset: job.offset, bytes: await from.read(job.offset, job.length) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 32, plan.length) }, worker));
  return pieces.sort((a, b) => a.offset - b.offset);
}

export class PrefetchedSource implements ByteSource {
  readonly url: string;

  constructor(
    private readonly pieces: readonly Piece[],
    private readonly rest: ByteSource,
  ) {
    this.url = rest.url;
  }

  stat(): Promise<SourceIdentity> {
    return this.rest.stat();
  }

  /** The bytes of a range if one prefetched piece holds all of them. */
  private lookup(r: ByteRange): Uint8Array | undefined {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.pieces[mid] as Piece).offset <= r.offset) lo = mid + 1;
      else hi = mid;
    }
    const p = this.pieces[lo - 1];
    if (p === undefined) return undefined;
    const at = r.offset - p.offset;
    return at + r.length <= p.bytes.length ? p.bytes.subarray(at, at + r.length) : undefined;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return (await this.readRanges([{ offset, length }]))[0] as Uint8Array;
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return this.serve(ranges, true);
  }

  /** As `readRanges`, the prefetched bytes as views (the caller copies what it keeps). */
  viewRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return this.serve(ranges, false);
  }

  private async serve(ranges: readonly ByteRange[], copy: boolean): Promise<Uint8Array[]> {
    const found = ranges.map((r) => {
      const view = this.lookup(r);
      return copy ? view?.slice() : view;
    });
    const missing = ranges.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found as Uint8Array[];
    const fetched = await (copy ? this.rest.readRanges(missing) : (this.rest.viewRanges?.(missing) ?? this.rest.readRanges(missing)));
    let k = 0;
    return found.map((f) => f ?? (fetched[k++] as Uint8Array));
  }
}
