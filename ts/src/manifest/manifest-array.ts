/**
 * `ManifestArray`: Zarr array metadata plus the ChunkManifest of its chunks. Operations
 * check compatibility first and explain what differs, rather than producing an array whose
 * bytes do not decode to what the metadata says.
 */
import { IncompatibleArraysError, InvalidArgumentError } from "../errors/vzarr-error.js";
import {
  type ArrayMetadata,
  axisChunkLengths,
  type ChunkGrid,
  codecsEqual,
  fillValuesEqual,
  gridShape,
  regularGrid,
} from "../metadata/array-metadata.js";
import { ChunkManifest } from "./chunk-manifest.js";

export class ManifestArray implements Disposable {
  constructor(
    readonly metadata: ArrayMetadata,
    readonly manifest: ChunkManifest,
  ) {
    const expected = gridShape(metadata.shape, metadata.chunkGrid);
    const actual = manifest.shape;
    if (expected.length !== actual.length || expected.some((d, i) => d !== actual[i])) {
      throw new InvalidArgumentError(
        `an array of shape ${JSON.stringify(metadata.shape)} has a chunk grid of ${JSON.stringify(expected)}, but the manifest's grid is ${JSON.stringify(actual)}`,
      );
    }
  }

  get shape(): number[] {
    return [...this.metadata.shape];
  }

  get ndim(): number {
    return this.metadata.shape.length;
  }

  get dtype(): string {
    return this.metadata.dtype;
  }

  /** Chunk lengths along `axis`, explicit (edge chunk clipped). */
  chunkLengths(axis: number): number[] {
    return axisChunkLengths(this.metadata.shape[axis] as number, this.metadata.chunkGrid, axis);
  }

  /**
   * Joins arrays along an existing axis. Chunk sizes may differ along `axis` only if
   * `allowRectilinear` is set (the result then has a rectilinear grid); every array but the
   * last must end on a chunk boundary there, because a partial edge chunk is stored full-size.
   */
  static concat(list: readonly ManifestArray[], axis: number, options: { allowRectilinear?: boolean } = {}): ManifestArray {
    const first = checkSameKind(list, "concat");
    if (!Number.isInteger(axis) || axis < 0 || axis >= first.ndim) {
      throw new InvalidArgumentError(`cannot concat ${first.ndim}-dimensional arrays along axis ${axis}`);
    }
    // Checks run once per array on its metadata (no per-chunk work): thousands of files join
    // in one call, so this loop is the hot path of a combine.
    const fshape = first.metadata.shape;
    const fgrid = first.metadata.chunkGrid;
    const nominal0 = nominalChunk(fgrid, axis);
    let regularAlong = nominal0 !== undefined;
    let total = 0;
    list.forEach((arr, i) => {
      const shape = arr.metadata.shape;
      const grid = arr.metadata.chunkGrid;
      for (let a = 0; a < fshape.length; a++) {
        if (a === axis) continue;
        if (shape[a] !== fshape[a]) {
          throw new IncompatibleArraysError(
            `cannot concat along axis ${axis}: array ${i} has shape ${JSON.stringify(shape)} but array 0 has ${JSON.stringify(fshape)} (axis ${a} differs)`,
          );
        }
        const c = nominalChunk(grid, a);
        if ((c === undefined || c !== nominalChunk(fgrid, a)) && !sameLengths(arr.chunkLengths(a), first.chunkLengths(a))) {
          throw new IncompatibleArraysError(
            `cannot concat along axis ${axis}: array ${i} is chunked differently on axis ${a} (${JSON.stringify(arr.chunkLengths(a))} vs ${JSON.stringify(first.chunkLengths(a))})`,
          );
        }
      }
      const length = shape[axis] as number;
      const nominal = nominalChunk(grid, axis);
      const partial = nominal !== undefined && length % nominal !== 0;
      if (partial && i < list.length - 1) {
        throw new IncompatibleArraysError(
          `cannot concat along axis ${axis}: array ${i} has length ${length} on that axis, not a multiple of its chunk size ${nominal}, so its last chunk is partial (stored padded) and cannot sit in the middle`,
        );
      }
      if (nominal !== nominal0) regularAlong = false;
      total += length;
    });
    const shape = [...fshape];
    shape[axis] = total;
    // Same regular chunk size everywhere (and only the last array partial): the grid stays
    // regular; otherwise the explicit lengths make a rectilinear one.
    const grid = regularAlong
      ? regularLike(fgrid)
      : concatGrid(
          first,
          axis,
          list.flatMap((a) => a.chunkLengths(axis)),
          list,
          options.allowRectilinear === true,
        );
    const manifest = ChunkManifest.concat(
      list.map((a) => a.manifest),
      axis,
    );
    return new ManifestArray({ ...first.metadata, shape, chunkGrid: grid }, manifest);
  }

  /** Joins identical arrays along a new axis (chunk length 1 on it). */
  static stack(list: readonly ManifestArray[], axis: number): ManifestArray {
    const first = checkSameKind(list, "stack");
    if (!Number.isInteger(axis) || axis < 0 || axis > first.ndim) {
      throw new InvalidArgumentError(`cannot stack ${first.ndim}-dimensional arrays along new axis ${axis}`);
    }
    list.forEach((arr, i) => {
      if (
        JSON.stringify(arr.shape) !== JSON.stringify(first.shape) ||
        JSON.stringify(arr.metadata.chunkGrid) !== JSON.stringify(first.metadata.chunkGrid)
      ) {
        throw new IncompatibleArraysError(
          `cannot stack: array ${i} has shape ${JSON.stringify(arr.shape)} and chunks ${JSON.stringify(arr.metadata.chunkGrid)}, array 0 has ${JSON.stringify(first.shape)} and ${JSON.stringify(first.metadata.chunkGrid)}`,
        );
      }
    });
    const shape = [...first.shape];
    shape.splice(axis, 0, list.length);
    const grid = insertAxis(first.metadata.chunkGrid, axis, 1);
    const manifest = ChunkManifest.stack(
      list.map((a) => a.manifest),
      axis,
    );
    return new ManifestArray({ ...first.metadata, shape, chunkGrid: grid }, manifest);
  }

  /** NumPy-style broadcast: new leading axes, and length-1 axes repeated (chunk length 1). */
  broadcast(shape: readonly number[]): ManifestArray {
    const lead = shape.length - this.ndim;
    if (lead < 0) throw new InvalidArgumentError(`cannot broadcast shape ${JSON.stringify(this.shape)} to ${JSON.stringify(shape)}`);
    let grid = this.metadata.chunkGrid;
    for (let a = 0; a < lead; a++) grid = insertAxis(grid, 0, 1);
    for (let a = 0; a < this.ndim; a++) {
      const from = this.shape[a] as number;
      const to = shape[lead + a] as number;
      if (from !== to && from !== 1) {
        throw new IncompatibleArraysError(
          `cannot broadcast shape ${JSON.stringify(this.shape)} to ${JSON.stringify(shape)}: axis ${a} is ${from}, not 1 or ${to}`,
        );
      }
      if (from === 1 && to !== 1 && nominalChunk(this.metadata.chunkGrid, a) !== 1) {
        // The one stored chunk holds a padded chunk of that size, not a single element.
        throw new IncompatibleArraysError(`cannot broadcast axis ${a} from 1 to ${to}: its chunk size is not 1`);
      }
    }
    const chunkGridShape = shape.map((d, a) =>
      a < lead || (this.shape[a - lead] as number) === 1 ? d : (gridShape(this.shape, this.metadata.chunkGrid)[a - lead] as number),
    );
    const manifest = this.manifest.broadcast(chunkGridShape);
    return new ManifestArray({ ...this.metadata, shape: [...shape], chunkGrid: grid }, manifest);
  }

  /**
   * The sub-array `[start, stop)` per axis in element coordinates; both ends must fall on
   * chunk boundaries (or the array's end).
   */
  slice(ranges: ReadonlyArray<readonly [number, number]>): ManifestArray {
    if (ranges.length !== this.ndim) throw new InvalidArgumentError(`need ${this.ndim} ranges, got ${ranges.length}`);
    const chunkRanges: [number, number][] = [];
    const shape: number[] = [];
    const lengths: number[][] = [];
    ranges.forEach(([start, stop], a) => {
      const edges = [0];
      for (const l of this.chunkLengths(a)) edges.push((edges[edges.length - 1] as number) + l);
      const s = edges.indexOf(start);
      const e = edges.indexOf(stop);
      if (s < 0 || e < 0 || e < s) {
        throw new InvalidArgumentError(
          `slice ${start}:${stop} on axis ${a} does not fall on chunk boundaries ${JSON.stringify(edges.slice(0, 8))}${edges.length > 8 ? "…" : ""}`,
        );
      }
      chunkRanges.push([s, e]);
      shape.push(stop - start);
      lengths.push(this.chunkLengths(a).slice(s, e));
    });
    const grid = sliceGrid(this.metadata.chunkGrid, lengths);
    return new ManifestArray({ ...this.metadata, shape, chunkGrid: grid }, this.manifest.slice(chunkRanges));
  }

  free(): void {
    this.manifest.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

function checkSameKind(list: readonly ManifestArray[], op: string): ManifestArray {
  const first = list[0];
  if (first === undefined) throw new InvalidArgumentError(`${op} needs at least one array`);
  // Codec lists of one scanner serialize identically: compare that text first, canonically only if it differs.
  const firstCodecs = JSON.stringify(first.metadata.codecs);
  list.forEach((arr, i) => {
    const m = arr.metadata;
    const f = first.metadata;
    if (arr.ndim !== first.ndim) {
      throw new IncompatibleArraysError(`cannot ${op}: array ${i} has ${arr.ndim} dimensions, array 0 has ${first.ndim}`);
    }
    if (m.dtype !== f.dtype) throw new IncompatibleArraysError(`cannot ${op}: array ${i} has dtype ${m.dtype}, array 0 has ${f.dtype}`);
    if (m.codecs !== f.codecs && JSON.stringify(m.codecs) !== firstCodecs && !codecsEqual(m.codecs, f.codecs)) {
      throw new IncompatibleArraysError(
        `cannot ${op}: array ${i} has codecs ${JSON.stringify(m.codecs)}, array 0 has ${JSON.stringify(f.codecs)}`,
      );
    }
    if (!fillValuesEqual(m.fillValue, f.fillValue)) {
      throw new IncompatibleArraysError(
        `cannot ${op}: array ${i} has fill value ${JSON.stringify(m.fillValue)}, array 0 has ${JSON.stringify(f.fillValue)}`,
      );
    }
  });
  return first;
}

function sameLengths(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The nominal chunk size along `axis` when it is regular. */
function nominalChunk(grid: ChunkGrid, axis: number): number | undefined {
  const s = grid.kind === "regular" ? grid.chunkShape[axis] : grid.chunkShapes[axis];
  return typeof s === "number" ? s : undefined;
}

function concatGrid(
  first: ManifestArray,
  axis: number,
  lengths: number[],
  list: readonly ManifestArray[],
  allowRectilinear: boolean,
): ChunkGrid {
  const nominal = nominalChunk(first.metadata.chunkGrid, axis);
  const regular =
    nominal !== undefined &&
    list.every((arr) => nominalChunk(arr.metadata.chunkGrid, axis) === nominal) &&
    lengths.slice(0, -1).every((l) => l === nominal);
  const base = first.metadata.chunkGrid;
  if (regular) return regularLike(base);
  if (!allowRectilinear) {
    throw new IncompatibleArraysError(
      `cannot concat along axis ${axis}: the chunk lengths there differ (${summarize(lengths)}); this needs a rectilinear chunk grid, which this output does not support`,
    );
  }
  const shapes: (number | number[])[] = base.kind === "regular" ? [...base.chunkShape] : [...base.chunkShapes];
  shapes[axis] = lengths;
  return { kind: "rectilinear", chunkShapes: shapes };
}

/** A copy of a grid whose sizes stay as they are. */
function regularLike(grid: ChunkGrid): ChunkGrid {
  return grid.kind === "regular" ? regularGrid(grid.chunkShape) : { kind: "rectilinear", chunkShapes: [...grid.chunkShapes] };
}

function summarize(lengths: readonly number[]): string {
  const distinct = [...new Set(lengths)];
  return distinct.length <= 6 ? distinct.join(", ") : `${distinct.slice(0, 6).join(", ")}, …`;
}

function insertAxis(grid: ChunkGrid, axis: number, chunk: number): ChunkGrid {
  if (grid.kind === "regular") {
    const s = [...grid.chunkShape];
    s.splice(axis, 0, chunk);
    return regularGrid(s);
  }
  const s = [...grid.chunkShapes];
  s.splice(axis, 0, chunk);
  return { kind: "rectilinear", chunkShapes: s };
}

function sliceGrid(grid: ChunkGrid, lengths: number[][]): ChunkGrid {
  if (grid.kind === "regular") return regularGrid(grid.chunkShape);
  return {
    kind: "rectilinear",
    chunkShapes: grid.chunkShapes.map((s, a) => (typeof s === "number" ? s : (lengths[a] as number[]))),
  };
}
