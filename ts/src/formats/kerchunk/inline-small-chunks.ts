/**
 * Chunks a writer stores inside the reference set instead of referencing: the manifest's
 * inlined chunks plus, with `inlineThreshold`, referenced chunks of at most that many bytes
 * (read from their files now, like kerchunk's `inline_threshold`).
 */
import { INLINED_ID } from "../../backend/core.js";
import { InvalidArgumentError } from "../../errors/vzarr-error.js";
import type { ByteRange } from "../../io/byte-source.js";
import type { ManifestArray } from "../../manifest/manifest-array.js";

export interface InlineOptions {
  /** Inline referenced chunks of at most this many bytes (read from their files). Default 0. */
  inlineThreshold?: number;
  /** Reads byte ranges of one file, for `inlineThreshold`. */
  readRanges?: (url: string, ranges: ByteRange[]) => Promise<Uint8Array[]>;
}

/** Inline chunk bytes by flat chunk index. */
export async function inlineChunks(array: ManifestArray, options: InlineOptions): Promise<Map<number, Uint8Array>> {
  const out = array.manifest.inlined();
  const threshold = options.inlineThreshold ?? 0;
  if (threshold <= 0) return out;
  if (options.readRanges === undefined) throw new InvalidArgumentError("inlineThreshold needs a readRanges function");
  const { table, ids, offsets, lengths } = array.manifest.columns();
  const wanted = new Map<number, { index: number[]; ranges: ByteRange[] }>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= INLINED_ID || Number(lengths[i]) > threshold) continue;
    let w = wanted.get(id);
    if (w === undefined) {
      w = { index: [], ranges: [] };
      wanted.set(id, w);
    }
    w.index.push(i);
    w.ranges.push({ offset: Number(offsets[i]), length: Number(lengths[i]) });
  }
  for (const [id, w] of wanted) {
    const blocks = await options.readRanges(table[id] as string, w.ranges);
    w.index.forEach((i, k) => {
      out.set(i, blocks[k] as Uint8Array);
    });
  }
  return out;
}
