/**
 * `openVirtualDataset`: one input → a VirtualDataset. The input is offered to the registered
 * parsers (`parsers/registry.ts`) in order — directories to directory parsers (Icechunk,
 * kerchunk Parquet), files by their first bytes to file parsers (kerchunk JSON, HDF5,
 * netCDF-3, GRIB, …) — or goes straight to the one `parser:` names or passes.
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { InvalidArgumentError, VzarrError } from "../errors/vzarr-error.js";
import { loadGribIndex, looksLikeGrib, messageMetadataRanges } from "../formats/grib/index-file.js";
import type { VersionSpec } from "../formats/icechunk/repository.js";
import type { ByteSource } from "../io/byte-source.js";
import { isLocalDirectory } from "../io/local-file.js";
import { openSource } from "../io/open-source.js";
import { PrefetchedSource, prefetchRanges } from "../io/prefetched-ranges.js";
import { ReadAheadSource } from "../io/read-ahead.js";
import { isLocalInput } from "../io/url-scheme.js";
import "../parsers/builtin.js";
import { coreScannedParser } from "../parsers/core-scanned.js";
import { type Parser, type ParserOptions, SNIFF_BYTES } from "../parsers/parser.js";
import { registeredParsers, resolveParser } from "../parsers/registry.js";
import { normalizeTimes } from "./cf/normalize-times.js";
import type { LoadableSpec } from "./load-variables.js";
import type { VirtualDataset } from "./virtual-dataset.js";

export interface OpenVirtualDatasetOptions {
  /**
   * The parser: a registered name (`hdf5`, `netcdf3`, `grib`, `kerchunk-json`,
   * `kerchunk-parquet`, `icechunk`, … or an alias such as `netcdf4`), a Parser object, or
   * `auto` (default: the registered parsers in turn recognise the input).
   */
  parser?: string | Parser;
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
  /**
   * Locations a reference set (kerchunk, Icechunk, Zarr) may name: only these prefixes. By
   * default a local reference set may name any location, and one opened from a remote
   * location no local file and no private-network host but its own (`io/authorize.ts`).
   */
  allow?: readonly string[];
  /**
   * A GRIB index sidecar (NCEP wgrib2 `.idx` or ECMWF JSON-lines `.index`) saying where the
   * messages of a remote GRIB file start, so that all their metadata is requested at once
   * instead of message after message: its URL, `"auto"` (default: look for `<file>.idx`,
   * then `<file without extension>.index`, beside a remote file named `.grib`/`.grib2`/…) or
   * `"never"`. The index built is the full scan's either way.
   */
  indexFile?: string;
  /**
   * For DMR++ sidecars: the data file the chunks are in, instead of the one the sidecar's
   * `dmrpp:href` names (chunks naming their own file keep it).
   */
  dataFile?: string;
  /**
   * For DMR++ sidecars: scan the data file too and compare (variables, dtypes, shapes,
   * chunk shapes, codecs, chunk references); any difference is a SourceChanged error.
   */
  verify?: boolean;
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
  const parser = resolveParser(options.parser);
  // Only the core's scanners can take the direct path; without a parser, the core sniffs.
  if (
    typeof input === "string" &&
    directOpen !== undefined &&
    (parser === undefined || parser.coreFormat !== undefined) &&
    !isLocalDirectory(input)
  ) {
    const ds = await directOpen(input, { ...options, parser }, options.core ?? currentBackend());
    if (ds !== undefined) return ds;
  }
  return openVirtualDatasetHere(input, options);
}

/** `openVirtualDataset` through this thread's read loop (every source, every backend). */
export async function openVirtualDatasetHere(input: string | ByteSource, options: OpenVirtualDatasetOptions = {}): Promise<VirtualDataset> {
  const ds = await openUndecoded(input, options);
  return options.decodeTimes === true ? normalizeTimes(ds) : ds;
}

/**
 * The longest run of a remote file fetched in one request: 64 MiB takes a fraction of a
 * second on a fast link (against a round trip per 64 KiB block), and bounds the memory of a
 * sequential read to two runs.
 */
const MAX_REMOTE_RUN = 64 << 20;

/**
 * When no parser recognises a file, the core's own detection reports what it found (and
 * finds an HDF5 superblock behind a user block beyond the sniffed bytes).
 */
const coreAuto = coreScannedParser({ name: "auto", coreFormat: "auto", sniff: () => true });

async function openUndecoded(input: string | ByteSource, options: OpenVirtualDatasetOptions): Promise<VirtualDataset> {
  const { parser: spec, decodeTimes: _, core: given, indexFile, ...rest } = options;
  const parserOptions: ParserOptions = { ...rest, core: given ?? currentBackend() };
  const chosen = resolveParser(spec);
  if (typeof input === "string" && (chosen?.input === "directory" || (chosen === undefined && isLocalDirectory(input)))) {
    const parser = chosen ?? (await sniffDirectory(input));
    if (parser !== undefined) return parser.open({ url: input }, parserOptions);
    // A folder of files is the usual mistake: say how to index them.
    throw new InvalidArgumentError(
      `${input} is a directory but not a Zarr store, Icechunk repository or kerchunk Parquet set; ` +
        `to index the files in it, pass a glob such as '${input.replace(/\/+$/, "")}/*.nc' (quoted, so vzarr expands it)`,
      { file: input },
    );
  }
  // A file is opened once: the sniff, the scan and the coordinate reads all go through the
  // same blocks (scanning and loading make many small dependent reads).
  const opened = typeof input === "string" ? openSource(input) : input;
  // Remote files read front to back (GRIB) are fetched in growing runs, not block by block.
  const source = new ReadAheadSource(opened, isLocalInput(opened.url) ? {} : { maxSequentialRun: MAX_REMOTE_RUN });
  // A GRIB index is fetched while the file is sniffed (both a round trip).
  const indexSpec = indexFile ?? "auto";
  const index =
    indexSpec === "never" || isLocalInput(opened.url) || (indexSpec === "auto" && !looksLikeGrib(opened.url))
      ? undefined
      : loadGribIndex(opened.url, indexSpec, openSource);
  // Not awaited when the file turns out not to be GRIB: its failure is not the open's.
  index?.catch(() => undefined);
  try {
    let parser = chosen ?? (await sniffFile(source));
    if (parser?.coreFormat === "grib") source.expectForwardWalk();
    if (index !== undefined && parser?.coreFormat === "grib") {
      const found = await index;
      if (found !== undefined) {
        const ranges = messageMetadataRanges(found.index.offsets, (await opened.stat()).size);
        const pieces = await prefetchRanges(opened, ranges);
        return await parser.open({ url: source.url, source: new PrefetchedSource(pieces, source) }, parserOptions);
      }
    }
    // A remote URL that is no file any parser knows may be a store's prefix (Zarr over HTTP or S3).
    if (parser === undefined && typeof input === "string" && !isLocalInput(input)) {
      const prefix = await sniffDirectory(input);
      if (prefix !== undefined) return await prefix.open({ url: input }, parserOptions);
    }
    parser ??= coreAuto;
    return await parser.open({ url: source.url, source }, parserOptions);
  } finally {
    // The scan's views into the source's blocks are gone by now: their buffers serve the
    // next file.
    if (typeof input === "string") await source.close();
    else source.release();
  }
}

/**
 * The registered parser that would open `input` without a `parser:` option, or undefined
 * when none recognises it (opening it then reports what the core found).
 */
export async function detectParser(input: string | ByteSource): Promise<Parser | undefined> {
  if (typeof input === "string" && isLocalDirectory(input)) return sniffDirectory(input);
  const source = typeof input === "string" ? openSource(input) : input;
  try {
    return await sniffFile(source);
  } finally {
    if (typeof input === "string") await source.close?.();
  }
}

async function sniffDirectory(url: string): Promise<Parser | undefined> {
  for (const p of registeredParsers()) {
    if (p.input === "directory" && (await p.sniff({ url, head: new Uint8Array(0), directory: true }))) return p;
  }
  return undefined;
}

async function sniffFile(source: ByteSource): Promise<Parser | undefined> {
  let head: Uint8Array;
  try {
    const { size } = await source.stat();
    head = size === 0 ? new Uint8Array(0) : await source.read(0, Math.min(size, SNIFF_BYTES));
  } catch (e) {
    // A store that keeps failing after the source's retries: asking it again (the core's open)
    // would only repeat them.
    if (e instanceof VzarrError && e.kind === "Io") throw e;
    return undefined; // the core's open reports what is wrong with the file
  }
  for (const p of registeredParsers()) {
    if (p.input === "file" && (await p.sniff({ url: source.url, head, directory: false }))) return p;
  }
  return undefined;
}
