/**
 * Opening a local file with the core's `scanLocalFile`: the core reads and scans the file —
 * loadable coordinates included — and this thread only turns the result into a
 * VirtualDataset. With the native addon the scan runs on one of its threads (libuv's pool),
 * which is how `openVirtualMfdataset` spreads files over cores: no second JavaScript isolate
 * to start and warm up, and nothing to copy between threads (manifests are created in the
 * addon's process-wide tables). The wasm core in Node scans on the calling thread.
 */
import { pathToFileURL } from "node:url";
import type { Core, LocalScanOutput } from "../backend/core.js";
import { isLocalDirectory, localPath } from "../io/local-file.js";
import { openSource } from "../io/open-source.js";
import { isLocalInput } from "../io/url-scheme.js";
import { datasetFromScanned, scanOptionsFor } from "../parsers/core-scanned.js";
import { resolveParser } from "../parsers/registry.js";
import { scanOptionsJson, scanResult } from "../parsers/scan.js";
import { normalizeTimes } from "./cf/normalize-times.js";
import { type OpenVirtualDatasetOptions, openVirtualDatasetHere } from "./open-virtual-dataset.js";
import type { Limiter } from "./pool/limiter.js";
import type { VirtualDataset } from "./virtual-dataset.js";

/** Builds the dataset on the calling thread, once the scan is done. */
export type FinishOpen = () => Promise<VirtualDataset>;

/**
 * The core format to scan this input as, when the addon can: a local path or file:// URL,
 * and no parser or one of the core's scanners (`auto`: the core sniffs the file).
 */
function scanFormat(input: string, options: OpenVirtualDatasetOptions): string | undefined {
  if (!isLocalInput(input)) return undefined;
  const parser = resolveParser(options.parser);
  return parser === undefined ? "auto" : parser.coreFormat;
}

/**
 * The addon's scan of `input`, and the step that builds the dataset from it here; undefined
 * when the addon cannot scan it — a reference set (JSON file or directory), a corrupt file —
 * which `openVirtualDatasetHere` then decides and reports as it always does.
 */
async function scanLocal(
  input: string,
  options: OpenVirtualDatasetOptions,
  core: Core,
  threads?: Limiter,
): Promise<FinishOpen | undefined> {
  const scanLocalFile = core.scanLocalFile;
  const format = scanFormat(input, options);
  if (scanLocalFile === undefined || format === undefined) return undefined;
  const path = localPath(input);
  const scanOptions = scanOptionsFor(options, format);
  // The URL the JavaScript path records (`LocalFileSource`), so references are the same.
  const url = pathToFileURL(path).href;
  let out: LocalScanOutput;
  try {
    const scan = () => scanLocalFile(path, url, scanOptions.format ?? "auto", scanOptionsJson(scanOptions));
    out = await (threads === undefined ? scan() : threads.run(scan));
  } catch {
    return undefined;
  }
  return async () => {
    const scan = scanResult(out, core, { rounds: 0, ranges: 0, bytes: 0 });
    const identity = { size: out.size, lastModified: Math.floor(out.mtimeMs) };
    const ds = await datasetFromScanned(scan, url, identity, options, core, (u) => openSource(u));
    return options.decodeTimes === true ? normalizeTimes(ds) : ds;
  };
}

/**
 * Starts `openVirtualDataset(input, options)` with the scan on an addon thread; resolves when
 * the scan is done, with the step that builds the dataset here. Splitting the two lets a
 * caller start the next scan before building this dataset, so the addon's thread never waits
 * for this one. `threads` bounds how many scans run at once (each takes one of libuv's threads).
 */
export async function scanOnAddonThread(
  input: string,
  options: OpenVirtualDatasetOptions,
  core: Core,
  threads?: Limiter,
): Promise<FinishOpen> {
  return (await scanLocal(input, options, core, threads)) ?? (() => openVirtualDatasetHere(input, { ...options, core }));
}

/**
 * `openVirtualDataset` of one local file through the core's `scanLocalFile` (registered by
 * the Node platform for both backends): the file is read by the core's host with positioned
 * reads and scanned in one call, instead of the read loop's round trips through JavaScript
 * (every range copied into the core, every round a promise). Undefined for what the core
 * cannot scan.
 */
export async function openWithLocalScan(
  input: string,
  options: OpenVirtualDatasetOptions,
  core: Core,
): Promise<VirtualDataset | undefined> {
  if (isLocalDirectory(input)) return undefined;
  const finish = await scanLocal(input, options, core);
  return finish?.();
}
