/**
 * Writes a dataset as kerchunk Parquet references (fsspec `LazyReferenceMapper` layout, see
 * `parquet-layout.ts`): `.zmetadata` with the same Zarr v2 metadata the JSON writer emits,
 * and per variable `refs.<k>.parq` files encoded column-wise from the manifest. Loaded
 * variables and inlined chunks go to the `raw` column. Records without any chunk are not
 * written (readers treat an absent file as missing chunks). `.zmetadata` is written last,
 * so an interrupted write is not mistaken for a complete one.
 */
import { INLINED_ID, MISSING_ID } from "../../backend/core.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { InvalidArgumentError } from "../../errors/vzarr-error.js";
import { jsonText } from "../../metadata/json-text.js";
import { type DecodeUndecodableOptions, decodeUndecodable } from "./decode-undecodable.js";
import { type InlineOptions, inlineChunks } from "./inline-small-chunks.js";
import { DEFAULT_RECORD_SIZE, recordFile, ZMETADATA } from "./parquet-layout.js";
import type { RecordCompression } from "./parquet-record-writer.js";
import { metadataDocuments, type ZarrV2Options, zarrV2Nodes } from "./zarr-v2-nodes.js";

/** Where the files go: paths are relative to the reference set's root, `/`-separated. */
export interface ReferenceSink {
  write(relativePath: string, bytes: Uint8Array): Promise<void>;
}

export interface KerchunkParquetWriteOptions extends ZarrV2Options, InlineOptions, DecodeUndecodableOptions {
  /** Rows per record file (default 10 000, as fsspec's `LazyReferenceMapper.create`). */
  recordSize?: number;
  /** Page compression (default SNAPPY; both fastparquet and pyarrow read it). */
  compression?: RecordCompression;
}

export interface ParquetWriteSummary {
  /** Record files written (plus `.zmetadata`). */
  files: number;
  /** Chunk references and inline chunks written. */
  references: number;
  bytes: number;
}

/** Record files written concurrently while the next ones are encoded. */
const PENDING_WRITES = 4;

export async function writeKerchunkParquet(
  ds: VirtualDataset,
  sink: ReferenceSink,
  options: KerchunkParquetWriteOptions = {},
): Promise<ParquetWriteSummary> {
  const recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
  if (!Number.isSafeInteger(recordSize) || recordSize < 1)
    throw new InvalidArgumentError(`record size must be a positive integer, got ${recordSize}`);
  const codec = options.compression ?? "SNAPPY";
  const zmetadata: Record<string, unknown> = {};
  const summary: ParquetWriteSummary = { files: 0, references: 0, bytes: 0 };
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const write = async (path: string, bytes: Uint8Array) => {
    while (pending.size >= PENDING_WRITES) await Promise.race(pending);
    if (failure !== undefined) throw failure.error;
    const p: Promise<void> = sink
      .write(path, bytes)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    summary.files++;
    summary.bytes += bytes.length;
  };

  // The Parquet encoder loads on first use (~20 ms of modules that reading never needs).
  const { RecordWriter } = await import("./parquet-record-writer.js");
  const readable = await decodeUndecodable(ds, options);
  for (const node of zarrV2Nodes(readable, options)) {
    for (const [key, doc] of metadataDocuments(node)) zmetadata[key] = doc;
    if (node.kind === "group") continue;
    const writer = (table: readonly string[]) => new RecordWriter(table, recordSize, codec, node.path);
    if (node.loaded !== undefined) {
      const rows = { count: 1, ids: Uint32Array.of(INLINED_ID), offsets: new BigUint64Array(1), lengths: new BigUint64Array(1) };
      await write(recordFile(node.path, 0), writer([]).encode({ ...rows, raw: new Map([[0, node.loaded]]) }));
      summary.references++;
      continue;
    }
    if (node.array === undefined) continue;
    const { table, ids, offsets, lengths } = node.array.manifest.columns();
    const inline = byRecord(await inlineChunks(node.array, options), recordSize);
    const records = writer(table);
    summary.references += node.array.manifest.stats().present;
    for (let start = 0, k = 0; start < ids.length; start += recordSize, k++) {
      const end = Math.min(start + recordSize, ids.length);
      const rows = {
        count: end - start,
        ids: ids.subarray(start, end),
        offsets: offsets.subarray(start, end),
        lengths: lengths.subarray(start, end),
        raw: inline.get(k) ?? new Map<number, Uint8Array>(),
      };
      // Like fsspec, a record without any chunk is not written: readers treat it as missing.
      if (rows.raw.size === 0 && rows.ids.every((id) => id === MISSING_ID)) continue;
      await write(recordFile(node.path, k), records.encode(rows));
    }
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure.error;
  const text = new TextEncoder().encode(jsonText({ metadata: zmetadata, record_size: recordSize }));
  await sink.write(ZMETADATA, text);
  summary.files++;
  summary.bytes += text.length;
  return summary;
}

/** Inline chunks grouped by record file, keyed by row within it. */
function byRecord(inline: ReadonlyMap<number, Uint8Array>, recordSize: number): Map<number, Map<number, Uint8Array>> {
  const out = new Map<number, Map<number, Uint8Array>>();
  for (const [flat, bytes] of inline) {
    const k = Math.floor(flat / recordSize);
    let rows = out.get(k);
    if (rows === undefined) {
      rows = new Map();
      out.set(k, rows);
    }
    rows.set(flat % recordSize, bytes);
  }
  return out;
}
