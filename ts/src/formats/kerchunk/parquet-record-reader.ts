/**
 * Decodes one `refs.<k>.parq` record file (written by fsspec/kerchunk with fastparquet or
 * pyarrow, or by us) into its four columns with hyparquet. Columns a writer left out are
 * treated as empty, as fsspec does. Unreadable files raise a `CorruptFileError`.
 */
import type { ColumnData, Compressors } from "hyparquet";
import { CorruptFileError } from "../../errors/vzarr-error.js";
import { checkRecordFile, gatedCompressors, RecordFileProblem } from "./parquet-record-check.js";

export interface RecordColumns {
  rows: number;
  /** URL per row (`null` = no URL); UTF-8 bytes when the writer did not mark the column as text. */
  path?: ArrayLike<string | Uint8Array | null | undefined>;
  offset?: ArrayLike<bigint>;
  size?: ArrayLike<bigint>;
  raw?: ArrayLike<Uint8Array | string | null | undefined>;
}

const COLUMNS = ["path", "offset", "size", "raw"] as const;
type ColumnName = (typeof COLUMNS)[number];

/** Decodes a record file of at most `maxRows` rows (the set's record size). */
export async function decodeRecord(bytes: Uint8Array, file: string, maxRows: number): Promise<RecordColumns> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // Loaded on first use: ~35 ms of module loading that opening a netCDF file never needs.
  const [{ parquetMetadata, parquetRead }, codecs] = await Promise.all([import("hyparquet"), import("hyparquet-compressors")]);
  try {
    const metadata = parquetMetadata(buffer);
    const present = new Set(metadata.schema.map((s) => s.name));
    const wanted = COLUMNS.filter((c) => present.has(c));
    const rows = Number(metadata.num_rows);
    // Everything hyparquet will walk, walked first with bounds (parquet-record-check.ts).
    const checked = checkRecordFile(bytes, metadata, maxRows, wanted, decompressors(codecs));
    const parts = new Map<ColumnName, ColumnData[]>();
    await parquetRead({
      file: buffer,
      metadata,
      compressors: gatedCompressors(checked, Object.keys(codecs.compressors)),
      columns: [...wanted],
      // `raw` holds bytes: only columns annotated as text become strings
      utf8: false,
      onChunk: (chunk) => {
        const list = parts.get(chunk.columnName as ColumnName) ?? [];
        list.push(chunk);
        parts.set(chunk.columnName as ColumnName, list);
      },
    });
    // hyparquet hands out each column in one or more pieces (row groups, pages)
    const column = <T>(name: ColumnName, empty: T): ArrayLike<T> | undefined => {
      const list = parts.get(name);
      if (list === undefined) return undefined;
      const first = list[0];
      if (list.length === 1 && first !== undefined && first.rowStart === 0) return first.columnData as ArrayLike<T>;
      const out = new Array<T>(rows).fill(empty);
      for (const c of list) for (let i = 0; i < c.columnData.length; i++) out[c.rowStart + i] = c.columnData[i] as T;
      return out;
    };
    return {
      rows,
      path: column<string | Uint8Array | null>("path", null),
      offset: column<bigint>("offset", 0n),
      size: column<bigint>("size", 0n),
      raw: column<Uint8Array | null>("raw", null),
    };
  } catch (e) {
    if (e instanceof CorruptFileError) throw e;
    if (e instanceof RecordFileProblem) throw new CorruptFileError(`unreadable Parquet reference file: ${e.message}`, { file });
    throw new CorruptFileError(`unreadable Parquet reference file: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * The decompressors the check runs, each writing into the page's claimed size: fzstd left to
 * itself allocates whatever window a frame header names (up to 2 GiB).
 */
function decompressors(codecs: typeof import("hyparquet-compressors")): Compressors {
  const { BROTLI: _, ...rest } = codecs.compressors;
  return { ...rest, ZSTD: (input: Uint8Array, length: number) => codecs.decompressZstd(input, new Uint8Array(length)) };
}
