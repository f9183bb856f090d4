/**
 * vzarr: virtual Zarr stores from netCDF, HDF5 and GRIB files. (Browser entry point.)
 *
 * The Node entry's API minus local paths (LocalFileSource, LocalDirectory, Icechunk's
 * LocalStorage, globs) and the native addon, plus `File`/`Blob` inputs. The wasm core loads
 * asynchronously, so every function here that needs it awaits `loadBackend()` first;
 * synchronous constructors (`ChunkManifest.fromArrays`) need an `await loadBackend()` of
 * their own before the first call.
 */
import type { Core } from "./backend/core.js";
import { loadBackend } from "./backend/load.js";
import type { MfdatasetResult } from "./dataset/open-mfdataset.js";
import { type OpenVirtualDatasetOptions, openVirtualDataset as openVirtualDatasetWith } from "./dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "./dataset/virtual-dataset.js";
import { type KerchunkJsonOptions, kerchunkJsonPieces } from "./formats/kerchunk/write-json.js";
import { BlobSource } from "./io/blob.js";
import type { ByteSource } from "./io/byte-source.js";
import { openBrowserSource, registerSource } from "./platform/browser.js";
import { openMfdatasetInPage, type PageInput, type PageMfdatasetOptions } from "./platform/browser-mfdataset.js";
import { type OpenStoreOptions, openStore as openStoreWith } from "./store/open-store.js";
import { type ReadArrayOptions, readArray as readArrayWith } from "./store/read-array.js";
import type { ReadData, ReadResult } from "./store/read-variable.js";
import type { Selection } from "./store/selection.js";
import type { VirtualStore } from "./store/virtual-store.js";

/**
 * The zarrita inside this bundle. vzarr registers its codecs (HDF5 filters, GRIB) with this
 * copy, so read `openStore` results with it: `zarr.get(await zarr.open.v3(zarr.root(store)
 * .resolve("temp"), { kind: "array" }))`. A separately imported zarrita would lack them.
 */
export * as zarr from "zarrita";
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
export { datasetInfo, type GroupInfo, type VariableInfo, variableInfo } from "./dataset/describe.js";
export { LoadedArray } from "./dataset/loaded-array.js";
export type { MfdatasetResult, MfProgress, SkippedFile } from "./dataset/open-mfdataset.js";
export type { OpenVirtualDatasetOptions } from "./dataset/open-virtual-dataset.js";
export { detectParser } from "./dataset/open-virtual-dataset.js";
export type { DimSelection } from "./dataset/select.js";
export { VirtualDataset } from "./dataset/virtual-dataset.js";
export { VirtualVariable } from "./dataset/virtual-variable.js";
export * from "./errors/vzarr-error.js";
export { type DmrppDocument, type ToDmrppOptions, toDmrpp } from "./formats/dmrpp/to-dmrpp.js";
// Icechunk repositories in object storage (S3Storage); local directories are Node-only.
export type { ContainerStore, S3ContainerOptions, VirtualChunkContainer } from "./formats/icechunk/containers.js";
export { listBranches, listSnapshots, listTags } from "./formats/icechunk/index.js";
export type { ReadChunkRef } from "./formats/icechunk/manifest.js";
export { lookupChunk, type OpenIcechunkOptions, openIcechunk } from "./formats/icechunk/read-dataset.js";
export { IcechunkRepository, type RefInfo, type SnapshotSummary, type VersionSpec } from "./formats/icechunk/repository.js";
export { S3Storage, type S3StorageOptions } from "./formats/icechunk/s3-storage.js";
export type { Storage } from "./formats/icechunk/storage.js";
export { type WriteIcechunkOptions, writeIcechunk } from "./formats/icechunk/write-dataset.js";
// kerchunk references: JSON by URL, File or bytes; Parquet from any ReferenceDirectory.
export { detectReferenceFormat, openKerchunkJson, type ReferenceFormat } from "./formats/kerchunk/open-references.js";
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
export { BlobSource, type BlobSourceOptions } from "./io/blob.js";
export type { ByteRange, ByteSource, SourceIdentity } from "./io/byte-source.js";
export { HttpSource } from "./io/http.js";
export { MemorySource } from "./io/memory.js";
export { S3Source } from "./io/s3.js";
// Parsers: every source format behind one interface; register your own.
export type { Parser, ParserInput, ParserOptions, SniffInput } from "./parsers/parser.js";
export { registeredParsers, registerParser, unregisterParser } from "./parsers/registry.js";

// Installs ChunkManifest.toArrow / fromArrow (kept out of the scan workers' module graph).
import "./manifest/arrow.js";

export { type KerchunkJsonOptions, kerchunkJsonPieces, kerchunkJsonText } from "./formats/kerchunk/write-json.js";
export { ChunkManifest, type ChunkRef, type ManifestArrays, type PathsInput } from "./manifest/chunk-manifest.js";
export { ManifestArray } from "./manifest/manifest-array.js";
export type { ArrayMetadata, ChunkGrid, CodecSpec, FillValue } from "./metadata/array-metadata.js";
export { forgetSource, registerSource, setWasmSource, type WasmInput } from "./platform/browser.js";
export type { PageInput, PageMfdatasetOptions } from "./platform/browser-mfdataset.js";
export { decodeCf } from "./store/decode-cf.js";
export type { OpenStoreOptions } from "./store/open-store.js";
export type { ReadArrayOptions } from "./store/read-array.js";
export type { ReadData, ReadResult } from "./store/read-variable.js";
export type { AxisSelection, Selection } from "./store/selection.js";
export { VirtualStore } from "./store/virtual-store.js";

/** What the browser opens: a URL (`http(s)://`, `s3://`), a picked/dropped `File`, or any Blob. */
export type BrowserInput = string | Blob;

/** A Blob becomes a BlobSource; sources are registered so later chunk reads of their URL find them. */
function sourceOf(input: BrowserInput | ByteSource): string | ByteSource {
  if (typeof input === "string") return input;
  const source = input instanceof Blob ? new BlobSource(input) : input;
  registerSource(source);
  return source;
}

/** Scans one file (URL, File/Blob, or any ByteSource) into a VirtualDataset. */
export async function openVirtualDataset(
  input: BrowserInput | ByteSource,
  options: OpenVirtualDatasetOptions = {},
): Promise<VirtualDataset> {
  const core = options.core ?? (await loadBackend());
  return openVirtualDatasetWith(sourceOf(input), { ...options, core });
}

/**
 * Many files (URLs or Files) as one dataset: concatenated along `concatDim` in input order,
 * or combined by coordinate values — as in Node, scanned in the page a few at a time.
 */
export async function openVirtualMfdataset(
  inputs: readonly PageInput[],
  options: Omit<PageMfdatasetOptions, "core"> & { core?: Core } = {},
): Promise<VirtualDataset> {
  return (await openVirtualMfdatasetWithReport(inputs, options)).dataset;
}

/** As `openVirtualMfdataset`, with the files used, those skipped (`onError: "skip"`) and totals. */
export async function openVirtualMfdatasetWithReport(
  inputs: readonly PageInput[],
  options: Omit<PageMfdatasetOptions, "core"> & { core?: Core } = {},
): Promise<MfdatasetResult> {
  const core = options.core ?? (await loadBackend());
  return openMfdatasetInPage(inputs, openVirtualDataset, { ...options, core });
}

/** A zarrita-compatible store over a file (URL or File/Blob) or a VirtualDataset. */
export async function openStore(input: BrowserInput | VirtualDataset, options: OpenStoreOptions = {}): Promise<VirtualStore> {
  const core = options.core ?? (await loadBackend());
  const target = input instanceof Blob ? await openVirtualDataset(input, { core, group: options.group }) : input;
  return openStoreWith(target, { openSource: openBrowserSource, ...options, core });
}

/**
 * Raw stored values of one variable (C order) from a file (URL or File/Blob) or a dataset;
 * `readArray<Float32Array>(…)` types `data` for a `<f4` variable (unchecked, as a cast).
 */
export async function readArray<T extends ReadData = ReadData>(
  input: BrowserInput | VirtualDataset,
  variable: string,
  selection?: Selection,
  options: ReadArrayOptions = {},
): Promise<ReadResult<T>> {
  const core = options.core ?? (await loadBackend());
  if (input instanceof Blob) {
    const ds = await openVirtualDataset(input, { core, group: options.group });
    try {
      return await readArrayWith<T>(ds, variable, selection, { openSource: openBrowserSource, ...options, core });
    } finally {
      ds.free();
    }
  }
  return readArrayWith<T>(input, variable, selection, { openSource: openBrowserSource, ...options, core });
}

/**
 * The kerchunk reference JSON as a Blob (`application/json`), built from streamed pieces so a
 * large manifest never becomes one giant string. Hand it to `URL.createObjectURL` to download.
 */
export async function kerchunkJsonBlob(ds: VirtualDataset, options: KerchunkJsonOptions = {}): Promise<Blob> {
  const pieces: string[] = [];
  const readRanges =
    options.readRanges ??
    ((url: string, ranges: readonly { offset: number; length: number }[]) => openBrowserSource(url).readRanges(ranges));
  for await (const piece of kerchunkJsonPieces(ds, { readRanges, ...options })) pieces.push(piece);
  return new Blob(pieces, { type: "application/json" });
}
