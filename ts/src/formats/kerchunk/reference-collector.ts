/**
 * Collects the entries of a reference set — Zarr v2 metadata keys and chunk keys — into
 * per-array `ChunkColumns`. Chunk keys are parsed from bytes (`var/1.2.3`, or `var/1/2/3`
 * with `dimension_separator: "/"`). When an array's `.zarray` has been seen, its chunks go
 * straight into place; keys that arrive before their `.zarray` (any order is legal JSON) are
 * parked in compact growable columns and placed at the end.
 */
import { CorruptFileError, LimitExceededError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { parseJsonLenient } from "../../metadata/json-lenient.js";
import { ChunkColumns, checkedGridSize, ravel } from "./chunk-columns.js";

/** Marks a `[url]` reference (length = size of the whole file). */
export const WHOLE_FILE = -1;
/** Marks an inline chunk in parked rows. */
const INLINE = -2;
const SLASH = 0x2f;
const DOT = 0x2e;
const MAX_NDIM = 64;
const ZARR_JSON = new TextEncoder().encode("zarr.json");

export interface CollectedArray {
  path: string;
  ndim: number;
  grid: number[];
  separator: "." | "/";
  /** Undefined when the array has no chunk references at all. */
  columns?: ChunkColumns;
}

interface Target {
  array: CollectedArray;
  /** Leading chunk indices taken from the key prefix (`/` separator). */
  lead: number[];
}

/** Chunk keys seen before their array's metadata, for one key prefix. */
class ParkedRows {
  coords: Uint32Array = new Uint32Array(64);
  urlIds: Uint32Array = new Uint32Array(16);
  offsets: Float64Array = new Float64Array(16);
  lengths: Float64Array = new Float64Array(16);
  inline = new Map<number, Uint8Array>();
  count = 0;

  constructor(
    readonly prefix: string,
    readonly indices: number,
  ) {}

  push(coords: Uint32Array, urlId: number, offset: number, length: number): number {
    if (this.count === this.urlIds.length) this.grow();
    const n = this.count++;
    this.coords.set(coords.subarray(0, this.indices), n * this.indices);
    this.urlIds[n] = urlId;
    this.offsets[n] = offset;
    this.lengths[n] = length;
    return n;
  }

  private grow(): void {
    const cap = this.urlIds.length * 2;
    const grow = <T extends Uint32Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.coords = grow(this.coords, cap * Math.max(this.indices, 1));
    this.urlIds = grow(this.urlIds, cap);
    this.offsets = grow(this.offsets, cap);
    this.lengths = grow(this.lengths, cap);
  }
}

export class ReferenceCollector {
  /** Metadata documents by key (`.zgroup`, `grp/var/.zarray`, …), parsed. */
  readonly metadata = new Map<string, unknown>();
  readonly arrays = new Map<string, CollectedArray>();
  /** Distinct raw URLs (`null` = the target); chunk columns hold indices into this. */
  readonly urls: (string | null)[] = [];
  /** Keys that are neither metadata nor chunks of an array (fsspec ignores them too). */
  ignoredKeys = 0;
  /** Chunk references collected, for limits and progress. */
  references = 0;

  readonly #urlIds = new Map<string | null, number>();
  readonly #targets = new Map<string, Target | ParkedRows>();
  readonly #parked: ParkedRows[] = [];
  readonly #coords = new Uint32Array(MAX_NDIM);
  readonly #decoder = new TextDecoder();
  /** The previous key's prefix (a copy: keys may come from reused scratch buffers). */
  #lastPrefix = new Uint8Array(256);
  #lastPrefixLength = -1;
  #lastTarget: Target | ParkedRows | undefined;

  constructor(
    readonly file: string | undefined,
    private readonly maxReferences = Number.POSITIVE_INFINITY,
  ) {}

  urlId(url: string | null): number {
    let id = this.#urlIds.get(url);
    if (id === undefined) {
      id = this.urls.length;
      this.urls.push(url);
      this.#urlIds.set(url, id);
    }
    return id;
  }

  /** True for keys whose last component is a Zarr metadata name (`.zarray`, …, or v3's `zarr.json`). */
  static isMetadataKey(buf: Uint8Array, start: number, end: number): boolean {
    let p = end - 1;
    while (p >= start && buf[p] !== SLASH) p--;
    if (buf[p + 1] === DOT && buf[p + 2] === 0x7a) return true; // ".z"
    return end - p - 1 === ZARR_JSON.length && ZARR_JSON.every((b, i) => buf[p + 1 + i] === b);
  }

  /** A metadata document, as JSON text or an already-parsed value. */
  addMetadata(key: string, value: string | unknown): void {
    const last = key.slice(key.lastIndexOf("/") + 1);
    if (last === "zarr.json") {
      throw new UnsupportedFeatureError("Zarr v3 references (zarr.json) are not supported; kerchunk references hold Zarr v2 metadata", {
        file: this.file,
      });
    }
    let doc: unknown = value;
    if (typeof value === "string") {
      try {
        doc = parseJsonLenient(value);
      } catch (e) {
        throw new CorruptFileError(`metadata ${key} is not valid JSON: ${(e as Error).message}`, { file: this.file, cause: e });
      }
    }
    this.metadata.set(key, doc);
    if (last === ".zarray") this.registerArray(key.slice(0, Math.max(0, key.length - "/.zarray".length)), doc);
  }

  private registerArray(path: string, zarray: unknown): void {
    const z = zarray as { shape?: unknown; chunks?: unknown; dimension_separator?: unknown };
    const shape = z.shape;
    const chunks = z.chunks;
    const isDims = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (!isDims(shape) || !isDims(chunks) || shape.length !== chunks.length || shape.length > MAX_NDIM) {
      throw new CorruptFileError(`.zarray needs "shape" and "chunks": lists of non-negative integers of the same length`, {
        file: this.file,
        variable: path,
      });
    }
    const grid = shape.map((d, a) => ((chunks[a] as number) === 0 ? 0 : Math.ceil(d / (chunks[a] as number))));
    checkedGridSize(grid, path, this.file);
    const separator = z.dimension_separator === "/" ? "/" : ".";
    this.arrays.set(path, { path, ndim: shape.length, grid, separator });
    // Prefixes looked up before this array existed must be looked up again.
    this.#targets.clear();
    this.#lastPrefixLength = -1;
  }

  /** A chunk reference: `length === WHOLE_FILE` for `[url]`. */
  addRef(buf: Uint8Array, start: number, end: number, urlId: number, offset: number, length: number): void {
    this.add(buf, start, end, urlId, offset, length, undefined);
  }

  addInline(buf: Uint8Array, start: number, end: number, bytes: Uint8Array): void {
    this.add(buf, start, end, 0, 0, INLINE, bytes);
  }

  private add(buf: Uint8Array, start: number, end: number, urlId: number, offset: number, length: number, bytes?: Uint8Array): void {
    let slash = end - 1;
    while (slash >= start && buf[slash] !== SLASH) slash--;
    const indices = parseIndices(buf, slash + 1, end, this.#coords);
    if (indices < 0) {
      this.ignoredKeys++;
      return;
    }
    if (++this.references > this.maxReferences) {
      throw new LimitExceededError(`the reference set has more than ${this.maxReferences} chunk references`, { file: this.file });
    }
    const prefixEnd = Math.max(slash, start);
    let target = this.#lastTarget;
    if (!this.samePrefix(buf, start, prefixEnd)) {
      target = this.target(this.#decoder.decode(buf.subarray(start, prefixEnd)), indices);
      this.rememberPrefix(buf, start, prefixEnd);
      this.#lastTarget = target;
    }
    if (target === undefined) {
      this.ignoredKeys++;
      return;
    }
    if (target instanceof ParkedRows) {
      if (target.indices !== indices) this.badKey(buf, start, end, target.prefix, `${target.indices} indices elsewhere`);
      const row = target.push(this.#coords, urlId, offset, length);
      if (bytes !== undefined) target.inline.set(row, bytes);
      return;
    }
    const flat = this.flatIndex(target, this.#coords, indices);
    if (flat === undefined) this.badKey(buf, start, end, target.array.path, `a chunk grid of ${JSON.stringify(target.array.grid)}`);
    place(target.array, flat, urlId, offset, length, bytes);
  }

  private samePrefix(buf: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n !== this.#lastPrefixLength) return false;
    const last = this.#lastPrefix;
    for (let i = n - 1; i >= 0; i--) if (last[i] !== buf[start + i]) return false;
    return true;
  }

  private rememberPrefix(buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > this.#lastPrefix.length) this.#lastPrefix = new Uint8Array(n * 2);
    this.#lastPrefix.set(buf.subarray(start, end));
    this.#lastPrefixLength = n;
  }

  private target(prefix: string, indices: number): Target | ParkedRows | undefined {
    const cached = this.#targets.get(prefix);
    if (cached !== undefined) return cached;
    let target: Target | ParkedRows | undefined = this.resolve(prefix, indices);
    if (target === undefined) {
      target = new ParkedRows(prefix, indices);
      this.#parked.push(target);
    }
    this.#targets.set(prefix, target);
    return target;
  }

  /** The array a key prefix belongs to, with the chunk indices the prefix itself holds. */
  private resolve(prefix: string, indices: number): Target | undefined {
    const direct = this.arrays.get(prefix);
    if (direct !== undefined && (direct.separator === "." || indices <= 1 || direct.ndim === 0)) return { array: direct, lead: [] };
    const parts = prefix.split("/");
    const lead: number[] = [];
    while (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1] as string)) {
      lead.unshift(Number(parts.pop()));
      const array = this.arrays.get(parts.join("/"));
      if (array !== undefined && array.separator === "/" && lead.length + indices === array.ndim) return { array, lead };
    }
    return direct === undefined ? undefined : { array: direct, lead: [] };
  }

  private flatIndex(target: Target, coords: Uint32Array, indices: number): number | undefined {
    const { array, lead } = target;
    if (array.ndim === 0) return indices === 1 && coords[0] === 0 ? 0 : undefined;
    if (lead.length + indices !== array.ndim) return undefined;
    if (lead.length === 0) return ravel(coords, array.grid);
    const all = [...lead, ...coords.subarray(0, indices)];
    return ravel(all, array.grid);
  }

  private badKey(buf: Uint8Array, start: number, end: number, variable: string, expected: string): never {
    throw new CorruptFileError(`chunk key ${this.#decoder.decode(buf.subarray(start, end))} does not fit ${expected}`, {
      file: this.file,
      variable,
    });
  }

  /** Places parked keys now that all metadata is known; returns the arrays. */
  finish(): Map<string, CollectedArray> {
    for (const rows of this.#parked) {
      const target = this.resolve(rows.prefix, rows.indices);
      if (target === undefined) {
        this.ignoredKeys += rows.count;
        continue;
      }
      const coords = new Uint32Array(rows.indices);
      for (let r = 0; r < rows.count; r++) {
        coords.set(rows.coords.subarray(r * rows.indices, (r + 1) * rows.indices));
        const flat = this.flatIndex(target, coords, rows.indices);
        if (flat === undefined) {
          const key = `${rows.prefix}/${Array.from(coords).join(target.array.separator)}`;
          throw new CorruptFileError(`chunk key ${key} does not fit a chunk grid of ${JSON.stringify(target.array.grid)}`, {
            file: this.file,
            variable: target.array.path,
          });
        }
        const length = rows.lengths[r] as number;
        place(target.array, flat, rows.urlIds[r] as number, rows.offsets[r] as number, length, rows.inline.get(r));
      }
    }
    this.#parked.length = 0;
    return this.arrays;
  }
}

function place(array: CollectedArray, flat: number, urlId: number, offset: number, length: number, bytes?: Uint8Array): void {
  array.columns ??= new ChunkColumns(array.grid);
  if (bytes !== undefined) array.columns.setInline(flat, bytes);
  else if (length === WHOLE_FILE) array.columns.setWholeFile(flat, urlId);
  else array.columns.setRef(flat, urlId, offset, length);
}

/**
 * Parses `1.2.3` into `out`; returns the number of indices, or -1 when the text is not a
 * chunk key (metadata names, other files).
 */
function parseIndices(buf: Uint8Array, start: number, end: number, out: Uint32Array): number {
  if (start >= end) return -1;
  let n = 0;
  let value = 0;
  let digits = 0;
  for (let p = start; p < end; p++) {
    const c = buf[p] as number;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 0xffffffff) return -1;
    } else if (c === DOT && digits > 0 && n < MAX_NDIM - 1) {
      out[n++] = value;
      value = 0;
      digits = 0;
    } else return -1;
  }
  if (digits === 0) return -1;
  out[n++] = value;
  return n;
}
