/**
 * Fetches the stored bytes of many chunks of one manifest. Chunks are grouped by the file
 * they live in and each file's ranges go out as one coalesced batch — zarrita coalesces per
 * store key, which never merges two chunks of the same file.
 */
import { INLINED_ID, type ManifestColumns, MISSING_ID } from "../backend/core.js";
import { CorruptFileError } from "../errors/vzarr-error.js";
import type { ByteRange } from "../io/byte-source.js";
import type { SourcePool } from "./source-pool.js";

export interface FetchedChunk {
  /** Flat C-order chunk index. */
  index: number;
  /** Stored (encoded) bytes, or `null` for a missing chunk. */
  bytes: Uint8Array | null;
}

export class ChunkFetcher {
  constructor(
    private readonly pool: SourcePool,
    private readonly columns: ManifestColumns,
    private readonly inlined: ReadonlyMap<number, Uint8Array>,
    private readonly concurrency = 8,
  ) {}

  /** Stored bytes for `indices` (any order), in the order given. */
  async fetch(indices: readonly number[]): Promise<FetchedChunk[]> {
    const { table, ids, offsets, lengths } = this.columns;
    const out: FetchedChunk[] = indices.map((index) => ({ index, bytes: null }));
    const byFile = new Map<number, { slots: number[]; ranges: ByteRange[] }>();
    indices.forEach((index, slot) => {
      const id = ids[index] as number;
      if (id === MISSING_ID) return;
      if (id === INLINED_ID) {
        (out[slot] as FetchedChunk).bytes = this.inlined.get(index) ?? null;
        return;
      }
      let group = byFile.get(id);
      if (group === undefined) {
        group = { slots: [], ranges: [] };
        byFile.set(id, group);
      }
      group.slots.push(slot);
      group.ranges.push({ offset: Number(offsets[index]), length: Number(lengths[index]) });
    });
    const jobs = [...byFile];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const [id, group] = jobs[next++] as [number, { slots: number[]; ranges: ByteRange[] }];
        const url = table[id] as string;
        const source = await this.pool.get(url);
        // A range past the end of its file is the reference's fault: say so before reading.
        const { size } = await source.stat();
        for (const r of group.ranges) {
          if (r.offset + r.length > size) {
            throw new CorruptFileError(`a chunk reference names bytes ${r.offset}–${r.offset + r.length} of a file of ${size} bytes`, {
              file: url,
              offset: r.offset,
            });
          }
        }
        const blocks = await source.readRanges(group.ranges);
        group.slots.forEach((slot, k) => {
          (out[slot] as FetchedChunk).bytes = blocks[k] as Uint8Array;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker));
    return out;
  }
}
