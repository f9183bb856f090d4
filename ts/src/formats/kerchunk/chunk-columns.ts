/**
 * The chunk references of one array as it is being read: columns over the C-order chunk
 * grid (URL id, offset, length), filled in place as keys arrive, plus the few chunks held
 * inline or referring to a whole file. No per-chunk objects, ~20 bytes per chunk.
 */
import { MISSING_ID } from "../../backend/core.js";
import { LimitExceededError } from "../../errors/vzarr-error.js";

/**
 * Largest chunk grid a reference set may declare for one array: 2^28 chunks are ~5 GiB of
 * columns. Checked before anything is allocated, so a hostile `.zarray` cannot exhaust memory.
 */
export const MAX_GRID_CHUNKS = 2 ** 28;

/** Chunks in a grid, refusing grids above `MAX_GRID_CHUNKS`. */
export function checkedGridSize(grid: readonly number[], variable: string, file?: string): number {
  const size = grid.reduce((a, b) => a * b, 1);
  if (size > MAX_GRID_CHUNKS) {
    throw new LimitExceededError(`a chunk grid of ${JSON.stringify(grid)} has more than ${MAX_GRID_CHUNKS} chunks`, { file, variable });
  }
  return size;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

export class ChunkColumns {
  readonly size: number;
  /** URL ids of the reader's URL table; `MISSING_ID` where no reference was given. */
  readonly ids: Uint32Array;
  readonly offsets: BigUint64Array;
  readonly lengths: BigUint64Array;
  /** Inline chunk bytes by flat index. */
  readonly inline = new Map<number, Uint8Array>();
  /** Flat indices of `[url]` references (whole file: the length is the file's size). */
  readonly wholeFile = new Set<number>();
  // u64 columns written as two u32 halves: BigInt(n) per chunk is the slow part otherwise.
  readonly #offsetWords: Uint32Array;
  readonly #lengthWords: Uint32Array;

  constructor(readonly grid: readonly number[]) {
    this.size = grid.reduce((a, b) => a * b, 1);
    this.ids = new Uint32Array(this.size).fill(MISSING_ID);
    this.offsets = new BigUint64Array(this.size);
    this.lengths = new BigUint64Array(this.size);
    this.#offsetWords = new Uint32Array(this.offsets.buffer);
    this.#lengthWords = new Uint32Array(this.lengths.buffer);
  }

  /** A byte-range reference (offset and length below 2^53). */
  setRef(flat: number, urlId: number, offset: number, length: number): void {
    this.ids[flat] = urlId;
    if (LITTLE_ENDIAN) {
      const w = flat * 2;
      this.#offsetWords[w] = offset >>> 0;
      this.#offsetWords[w + 1] = Math.floor(offset / TWO_32);
      this.#lengthWords[w] = length >>> 0;
      this.#lengthWords[w + 1] = Math.floor(length / TWO_32);
    } else {
      this.offsets[flat] = BigInt(offset);
      this.lengths[flat] = BigInt(length);
    }
    if (this.inline.size > 0) this.inline.delete(flat);
    if (this.wholeFile.size > 0) this.wholeFile.delete(flat);
  }

  /** A `[url]` reference; its length is filled in once file sizes are known. */
  setWholeFile(flat: number, urlId: number): void {
    this.setRef(flat, urlId, 0, 0);
    this.wholeFile.add(flat);
  }

  setInline(flat: number, bytes: Uint8Array): void {
    this.ids[flat] = MISSING_ID;
    this.inline.set(flat, bytes);
    if (this.wholeFile.size > 0) this.wholeFile.delete(flat);
  }
}

/** Row-major flat index; `undefined` when a coordinate is outside the grid. */
export function ravel(coords: ArrayLike<number>, grid: readonly number[]): number | undefined {
  let flat = 0;
  for (let a = 0; a < grid.length; a++) {
    const c = coords[a] as number;
    const d = grid[a] as number;
    if (c >= d) return undefined;
    flat = flat * d + c;
  }
  return flat;
}
