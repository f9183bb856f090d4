/**
 * Reads a selection of a variable-length string array (`vlen-utf8` / `vlen-bytes` chunks, as
 * vzarr and zarr-python write strings): the chunks the selection touches are fetched and
 * decoded into their items, and the selected items taken element by element (string arrays
 * are small next to numeric ones; the element count is bounded).
 */
import { INLINED_ID } from "../backend/core.js";
import { CodecChain } from "../codecs/chain.js";
import { CorruptFileError, LimitExceededError, VzarrError, withContext } from "../errors/vzarr-error.js";
import type { ManifestArray } from "../manifest/manifest-array.js";
import { axisChunkLengths, gridShape } from "../metadata/array-metadata.js";
import { ChunkFetcher } from "./chunk-fetcher.js";
import type { ReadContext, ReadResult } from "./read-variable.js";
import type { AxisRange } from "./selection.js";

/** At most this many strings in one read. */
export const MAX_READ_STRINGS = 1 << 24;

export function isVariableLength(array: ManifestArray): boolean {
  const name = array.metadata.codecs[0]?.name;
  return name === "vlen-utf8" || name === "vlen-bytes";
}

export async function readStrings(array: ManifestArray, ranges: readonly AxisRange[], ctx: ReadContext): Promise<ReadResult> {
  const meta = array.metadata;
  const outShape = ranges.map((r) => r.count);
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total > MAX_READ_STRINGS) {
    throw new LimitExceededError(`reading ${total} strings at once exceeds the limit of ${MAX_READ_STRINGS}; read a selection`, {
      variable: ctx.variable,
    });
  }
  const fill = typeof meta.fillValue === "string" ? meta.fillValue : "";
  const grid = gridShape(meta.shape, meta.chunkGrid);
  const lengths = meta.shape.map((d, a) => axisChunkLengths(d, meta.chunkGrid, a));
  // Chunk index and offset within the chunk of every position, per axis.
  const locate = lengths.map((ls, a) => {
    const layout = meta.chunkGrid.kind === "regular" ? (meta.chunkGrid.chunkShape[a] as number) : undefined;
    const chunkOf: number[] = [];
    const within: number[] = [];
    ls.forEach((len, k) => {
      for (let i = 0; i < len; i++) {
        chunkOf.push(k);
        within.push(i);
      }
    });
    return { chunkOf, within, layout: (k: number) => layout ?? (ls[k] as number) };
  });
  const columns = array.manifest.columns();
  const fetcher = new ChunkFetcher(ctx.pool, columns, array.manifest.inlined());
  const decoded = new Map<number, string[] | null>();
  const chunkStrides = grid.map((_, a) => grid.slice(a + 1).reduce((x, y) => x * y, 1));

  const out = new Array<string>(total);
  const idx = outShape.map(() => 0);
  for (let n = 0; n < total; n++) {
    let flatChunk = 0;
    const chunkCoords: number[] = [];
    const inner: number[] = [];
    ranges.forEach((r, a) => {
      const pos = r.start + (idx[a] as number) * r.step;
      const k = locate[a]?.chunkOf[pos] as number;
      chunkCoords.push(k);
      inner.push(locate[a]?.within[pos] as number);
      flatChunk += k * (chunkStrides[a] as number);
    });
    let items = decoded.get(flatChunk);
    if (items === undefined) {
      const layout = chunkCoords.map((k, a) => locate[a]?.layout(k) as number);
      const [fetched] = await fetcher.fetch([flatChunk]);
      const stored = fetched?.bytes ?? null;
      if (stored === null) items = null;
      else {
        try {
          const chain = await CodecChain.create(meta, layout, ctx.core, ctx.variable);
          items = await chain.decodeItems(
            stored,
            layout.reduce((x, y) => x * y, 1),
          );
        } catch (e) {
          const id = columns.ids[flatChunk] as number;
          const where = { variable: ctx.variable, file: id < INLINED_ID ? columns.table[id] : undefined };
          if (e instanceof VzarrError) throw withContext(e, where);
          throw new CorruptFileError(`chunk [${chunkCoords.join(", ")}] could not be decoded: ${(e as Error)?.message}`, where);
        }
      }
      decoded.set(flatChunk, items);
    }
    if (items === null) out[n] = fill;
    else {
      const layout = chunkCoords.map((k, a) => locate[a]?.layout(k) as number);
      let at = 0;
      for (let a = 0; a < inner.length; a++) at = at * (layout[a] as number) + (inner[a] as number);
      out[n] = items[at] ?? fill;
    }
    for (let a = idx.length - 1; a >= 0; a--) {
      idx[a] = (idx[a] as number) + 1;
      if ((idx[a] as number) < (outShape[a] as number)) break;
      idx[a] = 0;
    }
  }
  return { data: out, shape: ranges.filter((r) => !r.drop).map((r) => r.count), dtype: "|O" };
}
