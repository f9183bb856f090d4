/**
 * Range coalescing: merge requested byte ranges whose gaps are small into fewer, larger
 * reads, then cut each requested range back out. Used by every source, and by stores for
 * chunk reads aimed at the same file.
 */
import type { ByteRange } from "./byte-source.js";

export interface CoalesceOptions {
  /** Merge ranges separated by at most this many bytes. */
  maxGap: number;
  /** Never merge past this size (a single requested range may still exceed it). */
  maxSize: number;
}

export const DEFAULT_COALESCE: CoalesceOptions = { maxGap: 64 * 1024, maxSize: 16 * 1024 * 1024 };

export interface CoalescedRead {
  offset: number;
  length: number;
  /** Indices (into the requested list) of the ranges this read covers. */
  members: number[];
}

export function coalesce(ranges: readonly ByteRange[], options: CoalesceOptions = DEFAULT_COALESCE): CoalescedRead[] {
  const order = ranges.map((_, i) => i).sort((a, b) => (ranges[a] as ByteRange).offset - (ranges[b] as ByteRange).offset);
  const out: CoalescedRead[] = [];
  let current: CoalescedRead | undefined;
  for (const i of order) {
    const r = ranges[i] as ByteRange;
    const end = r.offset + r.length;
    if (current !== undefined) {
      const curEnd = current.offset + current.length;
      const mergedLength = Math.max(curEnd, end) - current.offset;
      if (r.offset <= curEnd + options.maxGap && mergedLength <= options.maxSize) {
        current.length = mergedLength;
        current.members.push(i);
        continue;
      }
    }
    current = { offset: r.offset, length: r.length, members: [i] };
    out.push(current);
  }
  return out;
}

/** Runs `read` for each coalesced read and slices the requested ranges out of the results. */
export async function readCoalesced(
  ranges: readonly ByteRange[],
  read: (offset: number, length: number) => Promise<Uint8Array>,
  options: CoalesceOptions = DEFAULT_COALESCE,
  concurrency = 8,
): Promise<Uint8Array[]> {
  const plan = coalesce(ranges, options);
  const results = new Array<Uint8Array>(ranges.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < plan.length) {
      const job = plan[next++] as CoalescedRead;
      const bytes = await read(job.offset, job.length);
      for (const i of job.members) {
        const r = ranges[i] as ByteRange;
        const at = r.offset - job.offset;
        results[i] = bytes.subarray(at, at + r.length);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  return results;
}
