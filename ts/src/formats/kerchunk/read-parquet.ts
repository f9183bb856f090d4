/**
 * Reads kerchunk Parquet references (fsspec `LazyReferenceMapper` layout, see
 * `parquet-layout.ts`), two ways:
 *
 * * `openKerchunkParquet(root, {variables?})` — a VirtualDataset with full manifests for
 *   the requested variables (all by default): every record file of those is read once.
 * * `KerchunkParquetChunkLookup` (`parquet-chunk-lookup.ts`) — for reading chunks: opens `.zmetadata` only and loads a
 *   record file when a lookup first touches it, keeping recent ones in a small LRU cache.
 *
 * Row semantics follow fsspec: `raw` set → inline bytes; else `path` set → `[path]` when
 * offset and size are both 0 (whole file), `[path, offset, size]` otherwise; neither →
 * missing. A record file that does not exist holds only missing chunks. Relative paths
 * resolve against the directory that contains the reference set (`baseUrl` overrides).
 */
import type { Core } from "../../backend/core.js";
import { currentBackend } from "../../backend/load.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { LimitExceededError } from "../../errors/vzarr-error.js";
import { ChunkColumns } from "./chunk-columns.js";
import { datasetFromHierarchy } from "./dataset-from-refs.js";
import { recordCount, recordFile } from "./parquet-layout.js";
import { decodeRecord } from "./parquet-record-reader.js";
import {
  type KerchunkParquetReadOptions,
  readParquetReferenceSet,
  referenceUrlOptions,
  UrlTable,
  visitRows,
} from "./parquet-reference-set.js";
import type { ReferenceDirectory } from "./reference-directory.js";

export interface OpenKerchunkParquetOptions extends KerchunkParquetReadOptions {
  /** Build manifests for these variables only (full paths or names); the rest are left out. */
  variables?: readonly string[];
  group?: string;
  dropVariables?: readonly string[];
  core?: Core;
}

export async function openKerchunkParquet(dir: ReferenceDirectory, options: OpenKerchunkParquetOptions = {}): Promise<VirtualDataset> {
  const set = await readParquetReferenceSet(dir);
  const wanted = options.variables === undefined ? undefined : new Set(options.variables);
  const selected = (path: string) => wanted === undefined || wanted.has(path) || wanted.has(path.slice(path.lastIndexOf("/") + 1));
  const prefix = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  const inGroup = (path: string) => prefix === "" || path.startsWith(`${prefix}/`);
  const drop = new Set(options.dropVariables ?? []);
  const urls = new UrlTable(referenceUrlOptions(dir, options));
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
      authorize: options.authorize,
      core: options.core ?? currentBackend(),
      format: "kerchunk-parquet",
      file: dir.url,
    },
  );
}

/**
 * A grid of more chunks than this is only believed when record files cover it: the dense
 * columns cost 20 bytes a chunk, so a 300-byte `.zmetadata` declaring 2^28 chunks and no
 * records would otherwise allocate 5 GB for references that are all missing.
 */
const UNCOVERED_CHUNKS_LIMIT = 2 ** 24;

/** All record files of one array, into chunk columns. */
async function readColumns(
  dir: ReferenceDirectory,
  path: string,
  grid: number[],
  recordSize: number,
  urls: UrlTable,
): Promise<ChunkColumns> {
  const size = grid.reduce((a, b) => a * b, 1);
  // The records first (what the set holds), then the columns sized by what they can cover.
  const records: { k: number; bytes: Uint8Array; file: string }[] = [];
  for (let k = 0; k < recordCount(size, recordSize); k++) {
    const name = recordFile(path, k);
    const bytes = await dir.read(name);
    if (bytes !== undefined) records.push({ k, bytes, file: `${dir.url}${name}` });
  }
  const covered = records.length === 0 ? 0 : ((records[records.length - 1] as { k: number }).k + 1) * recordSize;
  if (size > UNCOVERED_CHUNKS_LIMIT && size > covered) {
    throw new LimitExceededError(
      `${path} declares a grid of ${size} chunks (${JSON.stringify(grid)}) but its record files cover at most ${covered}`,
      { file: dir.url, variable: path },
    );
  }
  const columns = new ChunkColumns(grid);
  for (const { k, bytes, file } of records) {
    const base = k * recordSize;
    visitRows(
      await decodeRecord(bytes, file, recordSize),
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
