/**
 * The kerchunk Parquet layout (fsspec `LazyReferenceMapper`):
 *
 *   root/.zmetadata                {"metadata": {<zarr v2 key>: <JSON object>}, "record_size": N}
 *   root/<array path>/refs.<k>.parq
 *
 * Chunk n of an array (C-order ravel of its chunk index over `ceil(shape / chunks)`) is row
 * `n % N` of record file `n // N`; every file has exactly N rows (padding rows are missing).
 */

/**
 * Rows per record file. fsspec's `LazyReferenceMapper.create` uses 10 000 (kerchunk's
 * `refs_to_dataframe` and VirtualiZarr use 100 000): small files keep a lazy reader's
 * reads small, and a 10-million-chunk array is still only 1 000 files.
 */
export const DEFAULT_RECORD_SIZE = 10_000;

export const ZMETADATA = ".zmetadata";

export function recordFile(variable: string, record: number): string {
  return `${variable}/refs.${record}.parq`;
}

/** Number of record files of an array with `chunks` chunks. */
export function recordCount(chunks: number, recordSize: number): number {
  return Math.ceil(chunks / recordSize);
}

/**
 * The `pandas` key-value metadata fastparquet writes for these files. Without it
 * fastparquet reads the INT64 columns as nullable `Int64`, `.to_numpy()` gives float64 and
 * fsspec fails on every chunk read.
 */
export const PANDAS_METADATA = JSON.stringify({
  column_indexes: [{ field_name: null, metadata: null, name: null, numpy_type: "object", pandas_type: "mixed-integer" }],
  columns: [
    { field_name: "path", metadata: null, name: "path", numpy_type: "object", pandas_type: "unicode" },
    { field_name: "offset", metadata: null, name: "offset", numpy_type: "int64", pandas_type: "int64" },
    { field_name: "size", metadata: null, name: "size", numpy_type: "int64", pandas_type: "int64" },
    { field_name: "raw", metadata: null, name: "raw", numpy_type: "object", pandas_type: "bytes" },
  ],
  creator: { library: "vzarr", version: "0.1.0" },
  index_columns: [],
  pandas_version: "2.3.3",
  partition_columns: [],
});
