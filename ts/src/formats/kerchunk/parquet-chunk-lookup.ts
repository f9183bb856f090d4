/**
 * Finds chunk references in a kerchunk Parquet reference set for reading chunks: opens
 * `.zmetadata` only and loads a record file when a lookup first touches it, keeping recent
 * ones decoded in a small LRU cache.
 */
import { InvalidArgumentError, NotFoundError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import type { ChunkRef } from "../../manifest/chunk-manifest.js";
import { ravel } from "./chunk-columns.js";
import { recordFile } from "./parquet-layout.js";
import { decodeRecord } from "./parquet-record-reader.js";
import {
  type KerchunkParquetReadOptions,
  type ParquetReferenceSet,
  readParquetReferenceSet,
  referenceUrlOptions,
  UrlTable,
  visitRows,
} from "./parquet-reference-set.js";
import type { ReferenceDirectory } from "./reference-directory.js";

/** One decoded record file, compact: URL ids (-1 = none), ranges and inline bytes by row. */
interface CachedRecord {
  ids: Int32Array;
  offsets: Float64Array;
  lengths: Float64Array;
  inline: Map<number, Uint8Array>;
}

export interface ChunkLookupOptions extends KerchunkParquetReadOptions {
  /** Record files kept decoded (default 64). */
  cacheSize?: number;
}

/** Finds chunk references of a Parquet reference set, reading only the record files needed. */
export class KerchunkParquetChunkLookup {
  readonly #cache = new Map<string, Promise<CachedRecord | undefined>>();
  readonly #sizes = new Map<number, Promise<number>>();
  readonly #urls: UrlTable;
  /** Record files read so far (cache misses). */
  recordsRead = 0;

  private constructor(
    readonly dir: ReferenceDirectory,
    readonly set: ParquetReferenceSet,
    private readonly options: ChunkLookupOptions,
  ) {
    this.#urls = new UrlTable(referenceUrlOptions(dir, options));
  }

  static async open(dir: ReferenceDirectory, options: ChunkLookupOptions = {}): Promise<KerchunkParquetChunkLookup> {
    return new KerchunkParquetChunkLookup(dir, await readParquetReferenceSet(dir), options);
  }

  get recordSize(): number {
    return this.set.recordSize;
  }

  /** Zarr v2 metadata documents by key. */
  get metadata(): ReadonlyMap<string, unknown> {
    return this.set.metadata;
  }

  /** The chunk at each grid coordinate of `variable` (a full array path); `null` when missing. */
  async lookup(variable: string, coords: readonly (readonly number[])[]): Promise<(ChunkRef | null)[]> {
    const info = this.set.arrays.get(variable);
    if (info === undefined) throw new NotFoundError(`no array ${variable} in the reference set`, { file: this.dir.url });
    const flats = coords.map((c) => {
      const flat =
        info.grid.length === 0 && c.length <= 1 && (c[0] ?? 0) === 0 ? 0 : c.length === info.grid.length ? ravel(c, info.grid) : undefined;
      if (flat === undefined || c.some((x) => !Number.isInteger(x) || x < 0)) {
        throw new InvalidArgumentError(`chunk ${JSON.stringify(c)} is outside the chunk grid ${JSON.stringify(info.grid)}`, {
          variable,
        });
      }
      return flat;
    });
    const size = this.set.recordSize;
    const records = new Map<number, Promise<CachedRecord | undefined>>();
    for (const flat of flats) {
      const k = Math.floor(flat / size);
      if (!records.has(k)) records.set(k, this.record(variable, k, info.grid));
    }
    const loaded = new Map<number, CachedRecord | undefined>();
    await Promise.all([...records].map(async ([k, p]) => loaded.set(k, await p)));
    return Promise.all(
      flats.map(async (flat) => {
        const rec = loaded.get(Math.floor(flat / size));
        const row = flat % size;
        if (rec === undefined) return null;
        const bytes = rec.inline.get(row);
        if (bytes !== undefined) return { path: "", offset: 0, length: bytes.length, data: bytes };
        const id = rec.ids[row] as number;
        if (id < 0) return null;
        const path = this.#urls.resolved[id] as string;
        const length = rec.lengths[row] as number;
        if (length < 0) return { path, offset: 0, length: await this.fileSize(id) };
        return { path, offset: rec.offsets[row] as number, length };
      }),
    );
  }

  private record(variable: string, k: number, grid: number[]): Promise<CachedRecord | undefined> {
    const key = `${variable}\u0000${k}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // most recently used goes last
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const load = this.load(variable, k, grid);
    this.#cache.set(key, load);
    load.catch(() => this.#cache.delete(key));
    const limit = this.options.cacheSize ?? 64;
    while (this.#cache.size > limit) this.#cache.delete(this.#cache.keys().next().value as string);
    return load;
  }

  private async load(variable: string, k: number, grid: number[]): Promise<CachedRecord | undefined> {
    const name = recordFile(variable, k);
    this.recordsRead++;
    const bytes = await this.dir.read(name);
    if (bytes === undefined) return undefined;
    const file = `${this.dir.url}${name}`;
    const size = this.set.recordSize;
    const count = Math.min(size, grid.reduce((a, b) => a * b, 1) - k * size);
    const rec: CachedRecord = {
      ids: new Int32Array(count).fill(-1),
      offsets: new Float64Array(count),
      lengths: new Float64Array(count),
      inline: new Map(),
    };
    visitRows(
      await decodeRecord(bytes, file, size),
      count,
      this.#urls,
      {
        ref: (r, id, offset, length) => {
          rec.ids[r] = id;
          rec.offsets[r] = offset;
          rec.lengths[r] = length;
        },
        wholeFile: (r, id) => {
          rec.ids[r] = id;
          rec.lengths[r] = -1;
        },
        inline: (r, b) => rec.inline.set(r, b),
      },
      file,
    );
    return rec;
  }

  private fileSize(id: number): Promise<number> {
    let size = this.#sizes.get(id);
    if (size === undefined) {
      const stat = this.options.statSize;
      const url = this.#urls.resolved[id] as string;
      size =
        stat === undefined
          ? Promise.reject(
              new UnsupportedFeatureError(
                `${url} is referenced as a whole file and no way to learn file sizes was given (option statSize)`,
              ),
            )
          : stat(url);
      this.#sizes.set(id, size);
    }
    return size;
  }
}
