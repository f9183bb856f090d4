/**
 * Joins the views a scan is about to feed where they are neighbours in one buffer, laid out
 * there as in the file. A million-chunk HDF5 file's v2 B-tree has ~10,000 leaves of 2 KiB
 * separated by a few padding bytes; sources read them in a few hundred coalesced blocks and
 * hand back a view per leaf. Feeding each view is a call into the core that copies it and
 * files it in the core's byte cache (in wasm, also an allocation in its memory): joined,
 * that is a few hundred calls. The gap bytes between joined views go along, so gaps are
 * bounded: the core keeps what it is fed until the scan ends. Like RecentBlocks, this relies
 * on sources handing out views into buffers that hold a contiguous span of the file.
 */
import type { ByteRange } from "../io/byte-source.js";

/** Largest gap (bytes) between two ranges whose views are joined. */
export const JOIN_GAP = 4096;

export interface FeedPiece {
  offset: number;
  bytes: Uint8Array;
}

/**
 * `ranges` sorted by offset and not overlapping (as the core asks for them), `views[i]` the
 * bytes of `ranges[i]`. Returns the pieces to feed, in order, each a view (no copy).
 */
export function joinViews(ranges: readonly ByteRange[], views: readonly Uint8Array[]): FeedPiece[] {
  const out: FeedPiece[] = [];
  let start = 0;
  let end = 0;
  let first: Uint8Array | undefined;
  const close = () => {
    if (first === undefined) return;
    out.push({
      offset: start,
      bytes: end - start === first.byteLength ? first : new Uint8Array(first.buffer, first.byteOffset, end - start),
    });
  };
  ranges.forEach((r, i) => {
    const view = views[i] as Uint8Array;
    const joins =
      first !== undefined &&
      view.buffer === first.buffer &&
      r.offset >= end &&
      r.offset - end <= JOIN_GAP &&
      view.byteOffset - first.byteOffset === r.offset - start;
    if (!joins) {
      close();
      first = view;
      start = r.offset;
    }
    end = r.offset + view.byteLength;
  });
  close();
  return out;
}
