/**
 * What both Parquet readers share: the checked `.zmetadata` of a reference set, its URL
 * table, and fsspec's interpretation of record rows (see `read-parquet.ts`).
 */
import { CorruptFileError, NotFoundError } from "../../errors/vzarr-error.js";
import { parseJsonLenient } from "../../metadata/json-lenient.js";
import { checkedGridSize } from "./chunk-columns.js";
import { ZMETADATA } from "./parquet-layout.js";
import type { RecordColumns } from "./parquet-record-reader.js";
import type { ReferenceDirectory } from "./reference-directory.js";
import { type ReferenceUrlOptions, resolveReferenceUrl } from "./reference-urls.js";

export interface KerchunkParquetReadOptions {
  /** Directory URL that relative paths resolve against (default: the set's parent directory). */
  baseUrl?: string;
  /** File sizes for whole-file references (offset = size = 0). */
  statSize?: (url: string) => Promise<number>;
  /** Checks the locations the set references before any of them is touched (NotAllowed). */
  authorize?: (urls: readonly string[]) => Promise<void>;
}

export interface ArrayInfo {
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
  const grid = z.shape.map((s, a) => ((chunks[a] as number) === 0 ? 0 : Math.ceil(s / (chunks[a] as number))));
  checkedGridSize(grid, key.slice(0, -"/.zarray".length), file);
  return grid;
}

/** Distinct URLs of a reference set, resolved once each. */
export class UrlTable {
  readonly resolved: string[] = [];
  readonly #ids = new Map<string, number>();
  #last: unknown;
  #lastId = -1;

  constructor(private readonly options: ReferenceUrlOptions) {}

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

export interface RowVisitor {
  ref(row: number, urlId: number, offset: number, length: number): void;
  wholeFile(row: number, urlId: number): void;
  inline(row: number, bytes: Uint8Array): void;
}

/** Interprets the first `count` rows of a record (fsspec's rules, see the module comment). */
export function visitRows(cols: RecordColumns, count: number, urls: UrlTable, visit: RowVisitor, file: string): void {
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

export function referenceUrlOptions(dir: ReferenceDirectory, options: KerchunkParquetReadOptions): ReferenceUrlOptions {
  return { baseUrl: options.baseUrl ?? new URL("..", dir.url).href, templates: new Map(), file: dir.url };
}
