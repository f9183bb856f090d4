/**
 * The internal array model: Zarr v3 semantics with a NumPy dtype (byte order included) so
 * both Zarr v2 (kerchunk) and v3 (Icechunk) metadata derive from it in one place.
 */

/** A Zarr v3 codec entry. */
export interface CodecSpec {
  name: string;
  configuration?: Record<string, unknown>;
}

/**
 * Zarr v3 fill value in JSON form: numbers (bigint beyond 2^53), "NaN"/"Infinity"/"-Infinity",
 * booleans, null = none.
 */
/** Complex numbers are `[real, imaginary]`, each a number or "NaN"/"Infinity"/"-Infinity". */
export type FillValue = number | bigint | string | boolean | null | Array<number | string>;

/**
 * Chunk grid. `regular`: one chunk size per axis (edge chunks padded). `rectilinear`: per
 * axis either a regular size or the explicit list of chunk lengths (variable-length chunks,
 * e.g. monthly files with 28–31 daily chunks concatenated along time).
 */
export type ChunkGrid = { kind: "regular"; chunkShape: number[] } | { kind: "rectilinear"; chunkShapes: (number | number[])[] };

export interface ArrayMetadata {
  shape: number[];
  chunkGrid: ChunkGrid;
  /** NumPy dtype of the stored elements, with byte order (`<f4`, `>i2`, `|S8`). */
  dtype: string;
  /** Full v3 codec list: array→array, one array→bytes (`bytes`/format codec), bytes→bytes. */
  codecs: CodecSpec[];
  fillValue: FillValue;
}

export function regularGrid(chunkShape: readonly number[]): ChunkGrid {
  return { kind: "regular", chunkShape: [...chunkShape] };
}

/** Number of chunks along each axis. */
export function gridShape(shape: readonly number[], grid: ChunkGrid): number[] {
  if (grid.kind === "regular") {
    return shape.map((d, a) => {
      const c = grid.chunkShape[a] as number;
      return c === 0 ? 0 : Math.ceil(d / c);
    });
  }
  return shape.map((d, a) => {
    const s = grid.chunkShapes[a] as number | number[];
    return typeof s === "number" ? (s === 0 ? 0 : Math.ceil(d / s)) : s.length;
  });
}

/** The chunk sizes along one axis as explicit lengths (last one clipped to the shape). */
export function axisChunkLengths(length: number, grid: ChunkGrid, axis: number): number[] {
  const spec = grid.kind === "regular" ? (grid.chunkShape[axis] as number) : (grid.chunkShapes[axis] as number | number[]);
  if (typeof spec !== "number") return [...spec];
  if (spec === 0) return [];
  const out: number[] = [];
  for (let at = 0; at < length; at += spec) out.push(Math.min(spec, length - at));
  return out;
}

/** Regular chunk shape when the grid has one, else `undefined`. */
export function regularChunkShape(grid: ChunkGrid): number[] | undefined {
  if (grid.kind === "regular") return [...grid.chunkShape];
  return grid.chunkShapes.every((s) => typeof s === "number") ? (grid.chunkShapes as number[]) : undefined;
}

export function codecsEqual(a: readonly CodecSpec[], b: readonly CodecSpec[]): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export function fillValuesEqual(a: FillValue, b: FillValue): boolean {
  const norm = (v: FillValue) => (typeof v === "bigint" ? `${v}n` : typeof v === "number" && Number.isNaN(v) ? "NaN" : JSON.stringify(v));
  return norm(a) === norm(b);
}
