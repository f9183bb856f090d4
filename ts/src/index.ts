/**
 * vzarr: virtual Zarr stores from netCDF, HDF5 and GRIB files.
 *
 * kerchunk references: JSON (version 0/1) and Parquet (fsspec LazyReferenceMapper layout)
 * are read into VirtualDatasets and written from them (`kerchunk/`, `writers/`).
 */
export type { BackendKind, Core } from "./backend/core.js";
export { currentBackend, loadBackend } from "./backend/load.js";
export * from "./errors/vzarr-error.js";
export { LocalDirectory } from "./kerchunk/local-directory.js";
export { detectReferenceFormat, openKerchunkJson, openKerchunkParquetDirectory, type ReferenceFormat } from "./kerchunk/open-references.js";
export { type ChunkLookupOptions, KerchunkParquetChunkLookup } from "./kerchunk/parquet-chunk-lookup.js";
export { DEFAULT_RECORD_SIZE } from "./kerchunk/parquet-layout.js";
export { type KerchunkParquetReadOptions, type ParquetReferenceSet, readParquetReferenceSet } from "./kerchunk/parquet-reference-set.js";
export { type KerchunkReadOptions, readKerchunkJson } from "./kerchunk/read-json.js";
export { type OpenKerchunkParquetOptions, openKerchunkParquet } from "./kerchunk/read-parquet.js";
export { MemoryDirectory, type ReferenceDirectory } from "./kerchunk/reference-directory.js";
export {
  type KerchunkParquetWriteOptions,
  type ParquetWriteSummary,
  type ReferenceSink,
  writeKerchunkParquet,
} from "./kerchunk/write-parquet.js";
export { ChunkManifest, type ChunkRef, type ManifestArrays, type PathsInput } from "./manifest/chunk-manifest.js";
export { type KerchunkJsonOptions, kerchunkJsonPieces, kerchunkJsonText } from "./writers/kerchunk-json.js";
