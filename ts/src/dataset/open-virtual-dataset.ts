/**
 * `openVirtualDataset`: one file → a VirtualDataset of manifests pointing into it, with its
 * loadable variables read into memory; a kerchunk reference set (JSON file or Parquet
 * directory) or an Icechunk repository → the dataset it describes.
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { isIcechunkRepository } from "../icechunk/detect.js";
import type { VersionSpec } from "../icechunk/repository.js";
import type { ByteSource, SourceIdentity } from "../io/byte-source.js";
import { isLocalDirectory } from "../io/local-file.js";
import { openSource } from "../io/open-source.js";
import { ReadAheadSource } from "../io/read-ahead.js";
import {
  detectReferenceFormat,
  openKerchunkJson,
  openKerchunkParquetDirectory,
  type ReferenceFormat,
} from "../kerchunk/open-references.js";
import { type FileFormat, type ScanOptions, type ScanResult, scanSource } from "../parsers/scan.js";
import { SourcePool } from "../store/source-pool.js";
import { normalizeTimes } from "./cf/normalize-times.js";
import { datasetFromScan } from "./from-scan.js";
import { type LoadableSpec, loadableNames, loadVariables } from "./load-variables.js";
import type { VirtualDataset } from "./virtual-dataset.js";

export interface OpenVirtualDatasetOptions {
  /** Format of the file; detected from its first bytes by default. */
  parser?: FileFormat | ReferenceFormat;
  /** Open only this group (and its subgroups). */
  group?: string;
  /** Variables to leave out (names or full paths). */
  dropVariables?: readonly string[];
  /**
   * Variables to read into memory (full paths for variables in groups). Default: the 1-D
   * dimension coordinates (as VirtualiZarr); `[]` keeps everything virtual. Reference sets and
   * Icechunk repositories keep what they stored unless a list is given.
   */
  loadableVariables?: LoadableSpec;
  /**
   * Decode loaded CF time variables and store them as `seconds since 1970-01-01` in their
   * calendar, so times from files with different units line up (`dataset/cf/normalize-times.ts`).
   */
  decodeTimes?: boolean;
  core?: Core;
  /** For Icechunk repositories: the branch, tag or snapshot to open (default branch main). */
  version?: VersionSpec;
}

/**
 * A whole-file open a platform can do faster than the read loop here: in Node, the core
 * scans a local file reading it itself (`scanLocalFile`). Resolves to undefined when it
 * cannot (a reference set, a directory, a file it fails on), and the read loop then opens the
 * file and reports what is wrong with it.
 */
export type DirectOpen = (input: string, options: OpenVirtualDatasetOptions, core: Core) => Promise<VirtualDataset | undefined>;

let directOpen: DirectOpen | undefined;

export function registerDirectOpen(open: DirectOpen): void {
  directOpen = open;
}

export async function openVirtualDataset(input: string | ByteSource, options: OpenVirtualDatasetOptions = {}): Promise<VirtualDataset> {
  if (typeof input === "string" && directOpen !== undefined) {
    const ds = await directOpen(input, options, options.core ?? currentBackend());
    if (ds !== undefined) return ds;
  }
  return openVirtualDatasetHere(input, options);
}

/** `openVirtualDataset` through this thread's read loop (every source, every backend). */
export async function openVirtualDatasetHere(input: string | ByteSource, options: OpenVirtualDatasetOptions = {}): Promise<VirtualDataset> {
  const ds = await openUndecoded(input, options);
  return options.decodeTimes === true ? normalizeTimes(ds) : ds;
}

async function openUndecoded(input: string | ByteSource, options: OpenVirtualDatasetOptions): Promise<VirtualDataset> {
  const core = options.core ?? currentBackend();
  // Reference sets keep what they stored; only an explicit list loads more.
  const withLoadables = (stored: VirtualDataset) =>
    options.loadableVariables === undefined ? stored : loadListed(stored, options.loadableVariables, core, (url) => openSource(url));
  if (typeof input === "string" && isLocalDirectory(input)) {
    const stored = await openStoredReferences(input, options, core);
    if (stored !== undefined) return withLoadables(stored);
  }
  // A file is opened once: the reference-JSON probe, the scan and the coordinate reads all go
  // through the same blocks (scanning and loading make many small dependent reads).
  const opened = typeof input === "string" ? openSource(input) : input;
  const source = new ReadAheadSource(opened);
  try {
    const stored = await openStoredReferences(source, options, core);
    if (stored !== undefined) return await withLoadables(stored);
    const scan = await scanSource(source, { ...scanOptionsFor(options), core });
    // Loading reads from the file just scanned: reuse its open source.
    return await datasetFromScanned(scan, source.url, await source.stat(), options, core, (url) =>
      url === source.url ? keepOpen(source) : openSource(url),
    );
  } finally {
    // The scan's views into the source's blocks are gone by now: their buffers serve the
    // next file.
    if (typeof input === "string") await source.close();
    else source.release();
  }
}

/** The scan options that `options` imply. */
export function scanOptionsFor(options: OpenVirtualDatasetOptions): ScanOptions {
  return {
    format: (options.parser ?? "auto") as FileFormat,
    group: options.group,
    dropVariables: options.dropVariables,
    // The core loads what it can of the loadable variables while it has the file's bytes;
    // `loadListed` reads the rest.
    load: options.loadableVariables ?? "dimension-coordinates",
  };
}

/**
 * A scanned file as `openVirtualDataset` opens it (before CF time decoding): the loadable
 * variables the core did not load are read through `open`.
 */
export function datasetFromScanned(
  scan: ScanResult,
  url: string,
  identity: SourceIdentity,
  options: OpenVirtualDatasetOptions,
  core: Core,
  open: (url: string) => ByteSource,
): Promise<VirtualDataset> {
  return loadListed(datasetFromScan(scan, [[url, identity]]), options.loadableVariables, core, open);
}

/** Kerchunk reference sets and Icechunk repositories, opened as the datasets they describe. */
async function openStoredReferences(
  input: string | ByteSource,
  options: OpenVirtualDatasetOptions,
  core: Core,
): Promise<VirtualDataset | undefined> {
  if (typeof input === "string" && (await isIcechunkRepository(input))) {
    const { openIcechunk } = await import("../icechunk/read-dataset.js");
    return openIcechunk(input, { ...options.version, group: options.group, dropVariables: options.dropVariables, core });
  }
  const refs = options.parser === undefined || options.parser === "auto" ? await detectReferenceFormat(input) : options.parser;
  const selection = { group: options.group, dropVariables: options.dropVariables, core };
  if (refs === "kerchunk-json") return openKerchunkJson(input, selection);
  if (refs === "kerchunk-parquet") {
    if (typeof input !== "string") throw new InvalidArgumentError("a kerchunk Parquet reference set is a directory: pass its path");
    return openKerchunkParquetDirectory(input, selection);
  }
  return undefined;
}

/** `ds` with the variables the spec selects loaded (freed on failure). */
async function loadListed(ds: VirtualDataset, spec: LoadableSpec, core: Core, open: (url: string) => ByteSource): Promise<VirtualDataset> {
  try {
    const names = loadableNames(ds, spec);
    if (names.size === 0) return ds;
    const pool = new SourcePool({ open });
    try {
      return await loadVariables(ds, names, { core, pool });
    } finally {
      await pool.close();
    }
  } catch (e) {
    ds.free();
    throw e;
  }
}

/** The source without its `close`, for a pool that must not close what it did not open. */
function keepOpen(source: ByteSource): ByteSource {
  return {
    url: source.url,
    stat: () => source.stat(),
    read: (o, n) => source.read(o, n),
    readRanges: (r) => source.readRanges(r),
  };
}
