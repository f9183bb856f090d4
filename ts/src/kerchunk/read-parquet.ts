/**
 * Reads kerchunk Parquet references (fsspec `LazyReferenceMapper` layout, see
 * `parquet-layout.ts`), two ways:
 *
 * * `openKerchunkParquet(root, {variables?})` — a VirtualDataset with full manifests for
 *   the requested variables (all by default): every record file of those is read once.
 * * `KerchunkParquetChunkLookup` — for reading chunks: opens `.zmetadata` only and loads a
 *   record file when a lookup first touches it, keeping recent ones in a small LRU cache.
 *
 * Row semantics follow fsspec: `raw` set → inline bytes; else `path` set → `[path]` when
 * offset and size are both 0 (whole file), `[path, offset, size]` otherwise; neither →
 * missing. A record file that does not exist holds only missing chunks. Relative paths
 * resolve against the directory that contains the reference set (`baseUrl` overrides).
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { CorruptFileError, InvalidArgumentError, NotFoundError } from "../errors/vzarr-error.js";
import type { ChunkRef } from "../manifest/chunk-manifest.js";
import { parseJsonLenient } from "../metadata/json-lenient.js";
import { ChunkColumns, ravel } from "./chunk-columns.js";
import { datasetFromHierarchy } from "./dataset-from-refs.js";
import { recordCount, recordFile, ZMETADATA } from "./parquet-layout.js";
import { decodeRecord, type RecordColumns } from "./parquet-record-reader.js";
import type { ReferenceDirectory } from "./reference-directory.js";
import { resolveReferenceUrl } from "./reference-urls.js";

export interface KerchunkParquetReadOptions {
  /** Directory URL that relative paths resolve against (default: the set's parent directory). */
  baseUrl?: string;
  /** File sizes for whole-file references (offset = size = 0). */
  statSize?: (url: string) => Promise<number>;
}

export interface OpenKerchunkParquetOptions extends KerchunkParquetReadOptions {
  /** Build manifests for these variables only (full paths or names); the rest are left out. */
  variables?: readonly string[];
  group?: string;
  dropVariables?: readonly string[];
  core?: Core;
}

interface ArrayInfo {
  grid: number[];
}

/** `.zmetadata` of a Parquet reference set, checked. */
export interface ParquetReferenceSet {
  metadata: Map<string, unknown>;
  recordSize: number;
  arrays: Map<string, ArrayInfo>;
}

export async function readParquetReferenceSet(dir: ReferenceDirectory): Promise<ParquetReferenceSet> {
  const bytes = await dir.read(ZMETADATA);
  const file = `${dir.url}${ZMETADATA}`;
  if (bytes === undefined) throw new NotFoundError(`no ${ZMETADATA} in ${dir.url}: not a kerchunk Parquet reference set`, { file });
  let doc: unknown;
  try {
    doc = parseJsonLenient(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CorruptFileError(`${ZMETADATA} is not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
  const d = doc as { metadata?: unknown; record_size?: unknown };
  if (doc === null || typeof doc !== "object" || typeof d.metadata !== "object" || d.metadata === null) {
    throw new CorruptFileError(`${ZMETADATA} has no "metadata" object`, { file });
  }
  const recordSize = d.record_size;
  if (typeof recordSize !== "number" || !Number.isSafeInteger(recordSize) || recordSize < 1) {
    throw new CorruptFileError(`${ZMETADATA} needs a positive integer "record_size", got ${JSON.stringify(recordSize)}`, { file });
  }
  const metadata = new Map<string, unknown>();
  const arrays = new Map<string, ArrayInfo>();
  for (const [key, value] of Object.entries(d.metadata as Record<string, unknown>)) {
    // The spec describes values as JSON text; fsspec writes objects. Accept both.
    let parsed = value;
    if (typeof value === "string") {
      try {
        parsed = parseJsonLenient(value);
      } catch (e) {
        throw new CorruptFileError(`metadata ${key} is not valid JSON`, { file, cause: e });
      }
    }
    metadata.set(key, parsed);
    if (key === ".zarray" || key.endsWith("/.zarray")) arrays.set(key.slice(0, -"/.zarray".length), { grid: gridOf(parsed, key, file) });
  }
  return { metadata, recordSize, arrays };
}

function gridOf(zarray: unknown, key: string, file: string): number[] {
  const z = zarray as { shape?: unknown; chunks?: unknown };
  const ok = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
  if (!ok(z?.shape) || !ok(z?.chunks) || z.shape.length !== z.chunks.length) {
    throw new CorruptFileError(`${key} needs "shape" and "chunks" lists of the same length`, { file, variable: key.slice(0, -8) });
  }
  const chunks = z.chunks;
  return z.shape.map((s, a) => ((chunks[a] as number) === 0 ? 0 : Math.ceil(s / (chunks[a] as number))));
}

/** Distinct URLs of a reference set, resolved once each. */
class UrlTable {
  readonly resolved: string[] = [];
  readonly #ids = new Map<string, number>();
  #last: unknown;
  #lastId = -1;

  constructor(private readonly options: Parameters<typeof resolveReferenceUrl>[1]) {}

  id(path: string | Uint8Array): number {
    // Dictionary-encoded columns repeat the same string object: skip the hash lookup then.
    if (path === this.#last) return this.#lastId;
    const text = typeof path === "string" ? path : new TextDecoder().decode(path);
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.resolved.length;
      this.resolved.push(resolveReferenceUrl(text, this.options));
      this.#ids.set(text, id);
    }
    this.#last = path;
    this.#lastId = id;
    return id;
  }
}

interface RowVisitor {
  ref(row: number, urlId: number, offset: number, length: number): void;
  wholeFile(row: number, urlId: number): void;
  inline(row: number, bytes: Uint8Array): void;
}

/** Interprets the first `count` rows of a record (fsspec's rules, see the module comment). */
function visitRows(cols: RecordColumns, count: number, urls: UrlTable, visit: RowVisitor, file: string): void {
  const n = Math.min(count, cols.rows);
  const offsets = numbers(cols.offset, n, "offset", file);
  const sizes = numbers(cols.size, n, "size", file);
  const encoder = new TextEncoder();
  for (let r = 0; r < n; r++) {
    const raw = cols.raw?.[r];
    if (raw !== null && raw !== undefined) {
      visit.inline(r, typeof raw === "string" ? encoder.encode(raw) : raw);
      continue;
    }
    const path = cols.path?.[r];
    if (path === null || path === undefined) continue;
    const offset = offsets[r] as number;
    const size = sizes[r] as number;
    if (offset === 0 && size === 0) visit.wholeFile(r, urls.id(path));
    else visit.ref(r, urls.id(path), offset, size);
  }
}

/** An int64 column as exact non-negative numbers (< 2^53). */
function numbers(column: ArrayLike<bigint> | undefined, n: number, what: string, file: string): Float64Array {
  const out = new Float64Array(n);
  if (column === undefined) return out;
  if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
    const words = new Uint32Array(column.buffer, column.byteOffset, column.length * 2);
    for (let r = 0; r < n; r++) {
      const hi = words[2 * r + 1] as number;
      if (hi >= 0x200000) throw new CorruptFileError(`${what} ${column[r]} in row ${r} is negative or above 2^53`, { file });
      out[r] = (words[2 * r] as number) + hi * 4294967296;
    }
    return out;
  }
  for (let r = 0; r < n; r++) {
    const v = Number(column[r] ?? 0n);
    if (!Number.isSafeInteger(v) || v < 0)
      throw new CorruptFileError(`${what} ${column[r]} in row ${r} is not a non-negative integer`, { file });
    out[r] = v;
  }
  return out;
}

function urlOptions(dir: ReferenceDirectory, options: KerchunkParquetReadOptions) {
  return { baseUrl: options.baseUrl ?? new URL("..", dir.url).href, templates: new Map(), file: dir.url };
}

export async function openKerchunkParquet(dir: ReferenceDirectory, options: OpenKerchunkParquetOptions = {}): Promise<VirtualDataset> {
  const set = await readParquetReferenceSet(dir);
  const wanted = options.variables === undefined ? undefined : new Set(options.variables);
  const selected = (path: string) => wanted === undefined || wanted.has(path) || wanted.has(path.slice(path.lastIndexOf("/") + 1));
  const prefix = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  const inGroup = (path: string) => prefix === "" || path.startsWith(`${prefix}/`);
  const drop = new Set(options.dropVariables ?? []);
  const urls = new UrlTable(urlOptions(dir, options));
  const arrays = new Map<string, { grid: number[]; columns?: ChunkColumns }>();
  const left = [...(options.dropVariables ?? [])];
  for (const [path, info] of set.arrays) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (!selected(path)) left.push(path);
    const needed = selected(path) && inGroup(path) && !drop.has(path) && !drop.has(name);
    arrays.set(path, { grid: info.grid, columns: needed ? await readColumns(dir, path, info.grid, set.recordSize, urls) : undefined });
  }
  return datasetFromHierarchy(
    { metadata: set.metadata, arrays, urls: urls.resolved },
    {
      group: options.group,
      dropVariables: left,
      statSize: options.statSize,
      core: options.core ?? currentBackend(),
      format: "kerchunk-parquet",
      file: dir.url,
    },
  );
}

/** All record files of one array, into chunk columns. */
async function readColumns(
  dir: ReferenceDirectory,
  path: string,
  grid: number[],
  recordSize: number,
  urls: UrlTable,
): Promise<ChunkColumns> {
  const columns = new ChunkColumns(grid);
  for (let k = 0; k < recordCount(columns.size, recordSize); k++) {
    const name = recordFile(path, k);
    const bytes = await dir.read(name);
    if (bytes === undefined) continue;
    const base = k * recordSize;
    const file = `${dir.url}${name}`;
    visitRows(
      await decodeRecord(bytes, file),
      Math.min(recordSize, columns.size - base),
      urls,
      {
        ref: (r, id, offset, length) => columns.setRef(base + r, id, offset, length),
        wholeFile: (r, id) => columns.setWholeFile(base + r, id),
        inline: (r, bytes) => columns.setInline(base + r, bytes),
      },
      file,
    );
  }
  return columns;
}

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
    this.#urls = new UrlTable(urlOptions(dir, options));
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
      await decodeRecord(bytes, file),
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
          ? Promise.reject(new InvalidArgumentError(`${url} is referenced as a whole file; pass statSize to learn its size`))
          : stat(url);
      this.#sizes.set(id, size);
    }
    return size;
  }
}
