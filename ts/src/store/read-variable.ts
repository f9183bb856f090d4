/**
 * Reads a selection of one variable into a C-order typed array: finds the chunks the
 * selection touches, fetches them in coalesced batches per file, decodes them, and copies
 * the selected parts — contiguous runs with one `set` each.
 */
import { type Core, INLINED_ID } from "../backend/core.js";
import { CodecChain } from "../codecs/chain.js";
import { LoadedArray } from "../dataset/loaded-array.js";
import type { VirtualVariable } from "../dataset/virtual-variable.js";
import { CorruptFileError, LimitExceededError, VzarrError, withContext } from "../errors/vzarr-error.js";
import type { ManifestArray } from "../manifest/manifest-array.js";
import { type ArrayMetadata, axisChunkLengths, gridShape } from "../metadata/array-metadata.js";
import { type NumericArray, parseDType, typedArrayFor } from "../metadata/dtype.js";
import { fillValueBytes } from "../metadata/fill-value.js";
import { ChunkFetcher } from "./chunk-fetcher.js";
import { isVariableLength, readStrings } from "./read-strings.js";
import { type AxisRange, normalizeSelection, type Selection } from "./selection.js";
import type { SourcePool } from "./source-pool.js";
import { maxStoredBytes } from "./stored-size.js";

/** One read returns at most this many bytes (a typed array must fit in memory at once). */
export const MAX_READ_BYTES = 2 ** 31;

/** What a read's `data` can be, by dtype. */
export type ReadData = NumericArray | Uint8Array | string[];

/**
 * A read's values. `T` narrows `data` where the caller knows the dtype
 * (`readArray<Float32Array>(…)` for `<f4`); it is not checked at run time.
 */
export interface ReadResult<T extends ReadData = ReadData> {
  /**
   * Values in C order; complex numbers as interleaved real and imaginary parts (a Float32Array
   * or Float64Array twice as long as the element count); byte strings and other non-numeric
   * fixed-size types as raw bytes.
   */
  data: T;
  shape: number[];
  /** NumPy dtype of `data` (little-endian). */
  dtype: string;
}

export interface ReadContext {
  core: Core;
  pool: SourcePool;
  /** Full path of the variable, for error messages. */
  variable: string;
  /** Chunks fetched and decoded per batch (bounds memory on large reads). */
  batchSize?: number;
}

/** The part of one chunk a selection takes, along one axis. */
interface AxisPart {
  chunk: number;
  /** Length of this chunk in the decoded layout (regular grids: the full chunk size). */
  layout: number;
  inStart: number;
  inStep: number;
  outStart: number;
  n: number;
}

function axisParts(range: AxisRange, lengths: readonly number[], layoutOf: (k: number) => number): AxisPart[] {
  const parts: AxisPart[] = [];
  if (range.count === 0) return parts;
  let origin = 0;
  for (let k = 0; k < lengths.length; k++) {
    const len = lengths[k] as number;
    const end = origin + len;
    if (end > range.start && origin < range.stop) {
      const j0 = Math.max(0, Math.ceil((origin - range.start) / range.step));
      const j1 = Math.min(range.count, Math.ceil((end - range.start) / range.step));
      if (j1 > j0)
        parts.push({
          chunk: k,
          layout: layoutOf(k),
          inStart: range.start + j0 * range.step - origin,
          inStep: range.step,
          outStart: j0,
          n: j1 - j0,
        });
    }
    origin = end;
    if (origin >= range.stop) break;
  }
  return parts;
}

function strides(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let a = shape.length - 2; a >= 0; a--) out[a] = (out[a + 1] as number) * (shape[a + 1] as number);
  return out;
}

/** Copies the selected part of one decoded chunk into `out`. */
function copyChunk(chunk: Uint8Array, parts: readonly AxisPart[], out: Uint8Array, outStrides: readonly number[], itemSize: number): void {
  const ndim = parts.length;
  if (ndim === 0) {
    out.set(chunk.subarray(0, itemSize), 0);
    return;
  }
  const chunkStrides = strides(parts.map((p) => p.layout));
  const last = parts[ndim - 1] as AxisPart;
  const runBytes = last.n * itemSize;
  const counter = new Array<number>(ndim - 1).fill(0);
  for (;;) {
    let src = last.inStart * (chunkStrides[ndim - 1] as number);
    let dst = last.outStart * (outStrides[ndim - 1] as number);
    for (let a = 0; a < ndim - 1; a++) {
      const p = parts[a] as AxisPart;
      const c = counter[a] as number;
      src += (p.inStart + c * p.inStep) * (chunkStrides[a] as number);
      dst += (p.outStart + c) * (outStrides[a] as number);
    }
    if (last.inStep === 1) {
      out.set(chunk.subarray(src * itemSize, src * itemSize + runBytes), dst * itemSize);
    } else {
      for (let j = 0; j < last.n; j++) {
        const s = (src + j * last.inStep) * itemSize;
        out.set(chunk.subarray(s, s + itemSize), (dst + j) * itemSize);
      }
    }
    let a = ndim - 2;
    while (a >= 0) {
      counter[a] = (counter[a] as number) + 1;
      if ((counter[a] as number) < (parts[a] as AxisPart).n) break;
      counter[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

function prefill(out: Uint8Array, pattern: Uint8Array): void {
  if (pattern.every((b) => b === 0) || out.length === 0) return;
  out.set(pattern.subarray(0, Math.min(pattern.length, out.length)), 0);
  for (let filled = pattern.length; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
}

/** Cartesian product of per-axis parts, in C order. */
function* combinations(perAxis: readonly AxisPart[][]): Generator<AxisPart[]> {
  if (perAxis.some((p) => p.length === 0)) return;
  const idx = perAxis.map(() => 0);
  for (;;) {
    yield perAxis.map((p, a) => p[idx[a] as number] as AxisPart);
    let a = perAxis.length - 1;
    while (a >= 0) {
      idx[a] = (idx[a] as number) + 1;
      if ((idx[a] as number) < (perAxis[a] as AxisPart[]).length) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

function layoutFor(meta: ArrayMetadata, axis: number, chunk: number, lengths: readonly number[]): number {
  const grid = meta.chunkGrid;
  const spec = grid.kind === "regular" ? grid.chunkShape[axis] : grid.chunkShapes[axis];
  // Regular chunks are stored full-size (edge chunks padded); explicit ones are exact.
  return typeof spec === "number" ? spec : (lengths[chunk] as number);
}

function result(out: Uint8Array, ranges: readonly AxisRange[], dtypeText: string): ReadResult {
  const dtype = parseDType(dtypeText);
  const native = dtype.byteOrder === ">" ? parseDType(`<${dtype.kind}${dtype.itemSize}`) : dtype;
  return {
    data: typedArrayFor(native, out.buffer as ArrayBuffer, out.byteOffset, out.length / Math.max(native.itemSize, 1)),
    shape: ranges.filter((r) => !r.drop).map((r) => r.count),
    dtype: native.text,
  };
}

export async function readVariable(v: VirtualVariable, selection: Selection | undefined, ctx: ReadContext): Promise<ReadResult> {
  const meta = v.metadata;
  const ranges = normalizeSelection(selection, meta.shape);
  if (v.data instanceof LoadedArray) return readLoaded(v.data, ranges);
  const array = v.data as ManifestArray;
  if (isVariableLength(array)) return readStrings(array, ranges, ctx);
  const dtype = parseDType(meta.dtype);
  const itemSize = dtype.itemSize;
  const outShape = ranges.map((r) => r.count);
  const outBytes = outShape.reduce((a, b) => a * b, 1) * itemSize;
  if (outBytes > MAX_READ_BYTES) {
    throw new LimitExceededError(
      `reading ${JSON.stringify(outShape)} ${meta.dtype} values (${outBytes} bytes) at once exceeds the limit of ${MAX_READ_BYTES} bytes; read a selection`,
      { variable: ctx.variable },
    );
  }
  const out = new Uint8Array(outBytes);
  if (out.length === 0) return result(out, ranges, meta.dtype);
  // Every output element lies in exactly one chunk: chunks the manifest lacks are filled
  // where they fall, instead of prefilling the whole output (for a large read of a full
  // manifest — a GRIB variable, fill value NaN — that was a pass over every byte for nothing).
  const pattern = fillValueBytes(meta.fillValue, dtype);
  const zeroFill = pattern.every((b) => b === 0);
  const fillChunks = new Map<string, Uint8Array>();
  const fillChunk = (parts: readonly AxisPart[]) => {
    const key = parts.map((p) => p.layout).join(",");
    let chunk = fillChunks.get(key);
    if (chunk === undefined) {
      chunk = new Uint8Array(parts.reduce((n, p) => n * p.layout, itemSize));
      prefill(chunk, pattern);
      fillChunks.set(key, chunk);
    }
    return chunk;
  };

  const lengths = meta.shape.map((d, a) => axisChunkLengths(d, meta.chunkGrid, a));
  const perAxis = ranges.map((r, a) => axisParts(r, lengths[a] as number[], (k) => layoutFor(meta, a, k, lengths[a] as number[])));
  const grid = gridShape(meta.shape, meta.chunkGrid);
  const gridStrides = strides(grid);
  const outStrides = strides(outShape);
  const columns = array.manifest.columns();
  const fetcher = new ChunkFetcher(ctx.pool, columns, array.manifest.inlined());
  const chains = new Map<string, Promise<CodecChain>>();
  const chainFor = (parts: readonly AxisPart[]) => {
    const layout = parts.map((p) => p.layout);
    const key = layout.join(",");
    let c = chains.get(key);
    if (c === undefined) {
      c = CodecChain.create(meta, layout, ctx.core, ctx.variable);
      chains.set(key, c);
    }
    return c;
  };

  const batchSize = ctx.batchSize ?? 256;
  let batch: AxisPart[][] = [];
  const coords = (parts: readonly AxisPart[]) => `[${parts.map((p) => p.chunk).join(", ")}]`;
  const fileOf = (index: number) => {
    const id = columns.ids[index] as number;
    return id < INLINED_ID ? columns.table[id] : undefined;
  };
  const flush = async () => {
    const indices = batch.map((parts) => parts.reduce((acc, p, a) => acc + p.chunk * (gridStrides[a] as number), 0));
    // Declared sizes are checked before anything is read.
    for (let i = 0; i < batch.length; i++) {
      const index = indices[i] as number;
      if ((columns.ids[index] as number) >= INLINED_ID) continue;
      const parts = batch[i] as AxisPart[];
      const decoded = parts.reduce((n, p) => n * p.layout, itemSize);
      const declared = Number(columns.lengths[index]);
      const most = maxStoredBytes(meta.codecs, decoded);
      if (declared > most) {
        throw new CorruptFileError(
          `chunk ${coords(parts)} declares ${declared} stored bytes; its codecs (${meta.codecs.map((c) => c.name).join(", ")}) store a chunk of ${decoded} bytes in at most ${most}`,
          { variable: ctx.variable, file: fileOf(index) },
        );
      }
    }
    const fetched = await fetcher.fetch(indices);
    for (let i = 0; i < batch.length; i++) {
      const stored = (fetched[i] as { bytes: Uint8Array | null }).bytes;
      const parts = batch[i] as AxisPart[];
      if (stored === null) {
        if (!zeroFill) copyChunk(fillChunk(parts), parts, out, outStrides, itemSize);
        continue;
      }
      let decoded: Uint8Array;
      try {
        decoded = await (await chainFor(parts)).decode(stored);
      } catch (e) {
        // Every failure of a codec on stored bytes is the data's: tagged, with where it was.
        const where = { variable: ctx.variable, file: fileOf(indices[i] as number) };
        if (e instanceof VzarrError) throw withContext(e, where);
        throw new CorruptFileError(`chunk ${coords(parts)} could not be decoded: ${(e as Error)?.message ?? String(e)}`, {
          ...where,
          cause: e,
        });
      }
      copyChunk(decoded, parts, out, outStrides, itemSize);
    }
    batch = [];
  };
  for (const parts of combinations(perAxis)) {
    batch.push(parts);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return result(out, ranges, meta.dtype);
}

function readLoaded(array: LoadedArray, ranges: readonly AxisRange[]): ReadResult {
  const shape = array.shape;
  const parts = ranges.map((r, a) => axisParts(r, [shape[a] as number], () => shape[a] as number)[0]);
  const outShape = ranges.map((r) => r.count);
  const total = outShape.reduce((a, b) => a * b, 1);
  const keptShape = ranges.filter((r) => !r.drop).map((r) => r.count);
  const values = array.values;
  if (Array.isArray(values)) {
    // Strings: select element by element (loaded string variables are small).
    const out: string[] = [];
    const inStrides = strides(shape);
    const idx = outShape.map(() => 0);
    for (let n = 0; n < total; n++) {
      let src = 0;
      ranges.forEach((r, a) => {
        src += (r.start + (idx[a] as number) * r.step) * (inStrides[a] as number);
      });
      out.push(values[src] as string);
      for (let a = idx.length - 1; a >= 0; a--) {
        idx[a] = (idx[a] as number) + 1;
        if ((idx[a] as number) < (outShape[a] as number)) break;
        idx[a] = 0;
      }
    }
    return { data: out, shape: keptShape, dtype: "|O" };
  }
  const dtype = parseDType(array.dtype);
  const out = new Uint8Array(total * dtype.itemSize);
  if (total > 0 && parts.every((p) => p !== undefined)) {
    const view = values as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    copyChunk(bytes, parts as AxisPart[], out, strides(outShape), dtype.itemSize);
  }
  return result(out, ranges, array.dtype);
}
