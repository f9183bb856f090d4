/**
 * vzarr: virtual Zarr stores from netCDF, HDF5 and GRIB files. (Node entry point.)
 *
 * kerchunk references: JSON (version 0/1) and Parquet (fsspec LazyReferenceMapper layout)
 * are read into VirtualDatasets and written from them (`kerchunk/`, `writers/`).
 */
import "./platform/node.js";

export type { BackendKind, Core } from "./backend/core.js";
export { currentBackend, loadBackend } from "./backend/load.js";
export { type Calendar, parseCalendar } from "./dataset/cf/calendar.js";
export { type CfEncoding, cfEncoding, PACKING_ATTRS } from "./dataset/cf/encoding.js";
export { type CfTimeUnits, parseTimeUnits } from "./dataset/cf/time-units.js";
export { decodeTimes, formatInstant } from "./dataset/cf/times.js";
export {
  type CombineOptions,
  type ConcatOptions,
  combineByCoords,
  combineNested,
  concat,
  type MergeOptions,
  merge,
  type NestedDatasets,
  releaseUnused,
} from "./dataset/combine/index.js";
export { LoadedArray } from "./dataset/loaded-array.js";
export {
  type MfdatasetResult,
  type MfProgress,
  type OpenMfdatasetOptions,
  openVirtualMfdataset,
  openVirtualMfdatasetWithReport,
  type SkippedFile,
} from "./dataset/open-mfdataset.js";
export { detectParser, type OpenVirtualDatasetOptions, openVirtualDataset } from "./dataset/open-virtual-dataset.js";
export type { DimSelection } from "./dataset/select.js";
export { VirtualDataset } from "./dataset/virtual-dataset.js";
export { VirtualVariable } from "./dataset/virtual-variable.js";
export * from "./errors/vzarr-error.js";
export { type DmrppDocument, type ToDmrppOptions, toDmrpp } from "./formats/dmrpp/to-dmrpp.js";
export { type WriteDmrppOptions, writeDmrpp } from "./formats/dmrpp/write-dmrpp.js";
export * from "./formats/icechunk/index.js";
export { LocalDirectory } from "./formats/kerchunk/local-directory.js";
export {
  detectReferenceFormat,
  openKerchunkJson,
  openKerchunkParquetDirectory,
  type ReferenceFormat,
} from "./formats/kerchunk/open-references.js";
export { type ChunkLookupOptions, KerchunkParquetChunkLookup } from "./formats/kerchunk/parquet-chunk-lookup.js";
export { DEFAULT_RECORD_SIZE } from "./formats/kerchunk/parquet-layout.js";
export {
  type KerchunkParquetReadOptions,
  type ParquetReferenceSet,
  readParquetReferenceSet,
} from "./formats/kerchunk/parquet-reference-set.js";
export { type KerchunkReadOptions, readKerchunkJson } from "./formats/kerchunk/read-json.js";
export { type OpenKerchunkParquetOptions, openKerchunkParquet } from "./formats/kerchunk/read-parquet.js";
export { MemoryDirectory, type ReferenceDirectory } from "./formats/kerchunk/reference-directory.js";
export {
  type KerchunkParquetWriteOptions,
  type ParquetWriteSummary,
  type ReferenceSink,
  writeKerchunkParquet,
} from "./formats/kerchunk/write-parquet.js";
export type { ByteRange, ByteSource, SourceIdentity } from "./io/byte-source.js";
export { expandInputs } from "./io/glob.js";
export { HttpSource } from "./io/http.js";
export { LocalFileSource } from "./io/local-file.js";
export { MemorySource } from "./io/memory.js";
export { S3Source } from "./io/s3.js";
export type { Parser, ParserInput, ParserOptions, SniffInput } from "./parsers/parser.js";
export { registeredParsers, registerParser, unregisterParser } from "./parsers/registry.js";

// Installs ChunkManifest.toArrow / fromArrow (kept out of the scan workers' module graph).
import "./manifest/arrow.js";

export { type KerchunkJsonOptions, kerchunkJsonPieces, kerchunkJsonText } from "./formats/kerchunk/write-json.js";
export { ChunkManifest, type ChunkRef, type ManifestArrays, type PathsInput } from "./manifest/chunk-manifest.js";
export { ManifestArray } from "./manifest/manifest-array.js";
export type { ArrayMetadata, ChunkGrid, CodecSpec, FillValue } from "./metadata/array-metadata.js";
export { decodeCf } from "./store/decode-cf.js";
export { type OpenStoreOptions, openStore } from "./store/open-store.js";
export { type ReadArrayOptions, readArray } from "./store/read-array.js";
export type { ReadData, ReadResult } from "./store/read-variable.js";
export type { AxisSelection, Selection } from "./store/selection.js";
export { VirtualStore } from "./store/virtual-store.js";
