/**
 * `openVirtualMfdataset(urls | glob, options)`: the main job — many files in, one virtual
 * dataset out. Files are opened in parallel — with the native backend, local files are
 * scanned on the addon's threads (`open-on-addon-thread.ts`) and this thread builds the
 * datasets; with WebAssembly, on a pool of worker threads that send them back as
 * transferable column buffers — then one combine over all of them (`combineNested` along
 * `concatDim`, or `combineByCoords`).
 */
import { availableParallelism } from "node:os";
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { InvalidArgumentError, makeError, VzarrError } from "../errors/vzarr-error.js";
import { expandInputs } from "../io/glob.js";
import { isLocalInput } from "../io/url-scheme.js";
import { ManifestArray } from "../manifest/manifest-array.js";
import type { Parser } from "../parsers/parser.js";
import { hasUserParsers, isBuiltinParser, resolveParser } from "../parsers/registry.js";
import { combineByCoords } from "./combine/combine-by-coords.js";
import { type CombineOptions, combineNested } from "./combine/combine-nested.js";
import { explainNewDimension } from "./combine/explain-new-dimension.js";
import { releaseUnused } from "./combine/ownership.js";
import { type FinishOpen, scanOnAddonThread } from "./open-on-addon-thread.js";
import { openVirtualDataset } from "./open-virtual-dataset.js";
import { FileQueue } from "./pool/file-queue.js";
import { Limiter } from "./pool/limiter.js";
import type { ErrorPayload, OpenFileOptions } from "./pool/protocol.js";
import { fromPayload } from "./pool/transfer.js";
import { WorkerPool } from "./pool/worker-pool.js";
import type { VirtualDataset } from "./virtual-dataset.js";

export interface MfProgress {
  filesDone: number;
  filesTotal: number;
  /** Chunk references found so far. */
  chunks: number;
  /** Bytes those chunks reference in the files. */
  bytesReferenced: number;
  elapsedMs: number;
}

export interface SkippedFile {
  file: string;
  error: VzarrError;
}

export interface OpenMfdatasetOptions extends CombineOptions {
  /** Dimension to concatenate along, in file order (implies `combine: "nested"`). */
  concatDim?: string;
  /** `"nested"`: in the order given along `concatDim`; `"by_coords"` (default without concatDim): by coordinate values. */
  combine?: "nested" | "by_coords";
  /** Open files on other threads too (default true); `false` opens them all in this thread. */
  parallel?: boolean;
  /**
   * How many files are opened at once (default: available cores). `1`: one after another
   * (a local file's scan runs on one of the addon's threads while this one waits, with the
   * native backend). More, with the native backend: that many local files scanned at once on
   * the addon's threads (libuv's pool, 4 threads unless UV_THREADPOOL_SIZE says otherwise),
   * while this thread builds their datasets; with WebAssembly: this thread and `jobs - 1`
   * worker threads. With `parallel: false`, files opened concurrently in this thread.
   */
  jobs?: number;
  onProgress?: (p: MfProgress) => void;
  /** `"raise"` (default): the first failing file fails the call. `"skip"`: leave it out and report it. */
  onError?: "raise" | "skip";
  loadableVariables?: readonly string[];
  /** Decode loaded CF times into one encoding (see `OpenVirtualDatasetOptions.decodeTimes`). */
  decodeTimes?: boolean;
  dropVariables?: readonly string[];
  group?: string;
  /** As `OpenVirtualDatasetOptions.allow`: the locations reference sets may name. */
  allow?: readonly string[];
  /** As `OpenVirtualDatasetOptions.parser`: a name, a Parser object, or `auto`. */
  parser?: string | Parser;
  core?: Core;
}

export interface MfdatasetResult {
  dataset: VirtualDataset;
  /** The files that went into `dataset`, in input order. */
  files: string[];
  /** Files left out with `onError: "skip"`, and why. */
  skipped: SkippedFile[];
  chunks: number;
  bytesReferenced: number;
  elapsedMs: number;
}

export async function openVirtualMfdataset(
  inputs: string | readonly string[],
  options: OpenMfdatasetOptions = {},
): Promise<VirtualDataset> {
  return (await openVirtualMfdatasetWithReport(inputs, options)).dataset;
}

interface Opened {
  ds: VirtualDataset;
  chunks: number;
  bytes: number;
}

/** As `openVirtualMfdataset`, with what was skipped and totals (the CLI's summary). */
export async function openVirtualMfdatasetWithReport(
  inputs: string | readonly string[],
  options: OpenMfdatasetOptions = {},
): Promise<MfdatasetResult> {
  const started = performance.now();
  const combine = options.combine ?? (options.concatDim === undefined ? "by_coords" : "nested");
  if (combine === "nested" && options.concatDim === undefined) throw new InvalidArgumentError('combine: "nested" needs a concatDim');
  const urls = await expandInputs(inputs);
  if (urls.length === 0) throw new InvalidArgumentError("no input files");
  const core = options.core ?? currentBackend();
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new InvalidArgumentError(`jobs must be a positive integer, got ${jobs}`);
  const parser = resolveParser(options.parser);
  const fileOptions = {
    parser,
    allow: options.allow,
    group: options.group,
    dropVariables: options.dropVariables,
    loadableVariables: options.loadableVariables,
    decodeTimes: options.decodeTimes,
  };
  const opened = new Array<Opened | undefined>(urls.length);
  const skipped: SkippedFile[] = [];
  // The first file error with onError "raise", or an exception from `onProgress`: opening
  // stops, files in flight are finished (and freed), then it is thrown.
  let failure: { error: unknown } | undefined;
  const progress: MfProgress = { filesDone: 0, filesTotal: urls.length, chunks: 0, bytesReferenced: 0, elapsedMs: 0 };
  const accept = (index: number, url: string, result: Opened | VzarrError): boolean => {
    progress.filesDone++;
    if (result instanceof VzarrError) {
      if (options.onError === "skip") skipped.push({ file: url, error: result });
      else failure ??= { error: result };
    } else {
      opened[index] = result;
      progress.chunks += result.chunks;
      progress.bytesReferenced += result.bytes;
    }
    progress.elapsedMs = performance.now() - started;
    try {
      options.onProgress?.({ ...progress });
    } catch (e) {
      failure ??= { error: e };
    }
    return failure === undefined;
  };

  const queue = new FileQueue(urls);
  try {
    const openHere = async (url: string): Promise<FinishOpen> => {
      const ds = await openVirtualDataset(url, { ...fileOptions, core });
      return async () => ds;
    };
    if (options.parallel === false) await openFiles(queue, openHere, jobs, accept);
    else if (jobs === 1) {
      // One after another. Local files are scanned off this thread by the addon (or block it,
      // with wasm), so a second file in flight would be a second core; remote files mostly
      // wait, and two in flight overlap the waits.
      await openFiles(queue, openHere, urls.every(isLocalInput) ? 1 : 2, accept);
    } else if (parser === undefined ? hasUserParsers() && core.kind !== "native" : !isBuiltinParser(parser)) {
      // A parser of the caller's exists only in this thread (worker threads have the
      // built-in ones); the addon's scans fall back to this thread for what they cannot read.
      await openFiles(queue, openHere, jobs, accept);
    } else if (core.kind === "native" && core.scanLocalFile !== undefined) {
      // Native: `jobs` scans at a time on the addon's threads; this thread builds the datasets
      // (and opens remote files, two per job in flight, as a worker thread would).
      const threads = new Limiter(jobs);
      await openFiles(queue, (url) => scanOnAddonThread(url, fileOptions, core, threads), 2 * jobs, accept);
    } else {
      // This thread keeps two files in flight, as each worker does (remote files mostly wait).
      const here = openFiles(queue, openHere, 2, accept);
      const workers = Math.min(jobs - 1, urls.length - 1);
      if (workers < 1) await here;
      else {
        const pool = new WorkerPool(workers, core.kind);
        try {
          // Both settle before anything is freed: a failure on one side stops the queue, and
          // the other side's file in flight must land in `opened` (or be freed) first.
          const settled = await Promise.allSettled([
            here,
            pool.run(queue, { ...fileOptions, parser: parser?.name } satisfies OpenFileOptions, ({ index, url, reply }) =>
              accept(
                index,
                url,
                reply.ok
                  ? { ds: fromPayload(reply.dataset, core), chunks: reply.stats.chunks, bytes: reply.stats.bytesReferenced }
                  : fileError(reply.error, url),
              ),
            ),
          ]);
          for (const s of settled) if (s.status === "rejected") throw s.reason;
        } finally {
          await pool.close();
        }
      }
    }
    if (failure !== undefined) throw failure.error;
  } catch (e) {
    for (const o of opened) o?.ds.free();
    throw e;
  }

  const kept = urls.map((url, i) => [url, opened[i]] as const).filter((x): x is readonly [string, Opened] => x[1] !== undefined);
  if (kept.length === 0) {
    throw new InvalidArgumentError(`none of the ${urls.length} files could be opened; first error: ${skipped[0]?.error.message ?? "none"}`);
  }
  const datasets = kept.map(([, o]) => o.ds);
  let dataset: VirtualDataset;
  try {
    dataset =
      combine === "nested"
        ? explainNewDimension(datasets, options.concatDim as string, () => combineNested(datasets, options.concatDim as string, options))
        : combineByCoords(datasets, options);
  } catch (e) {
    for (const ds of datasets) ds.free();
    throw e;
  }
  releaseUnused(datasets, [dataset]);
  const totals = referenceTotals(dataset);
  return { dataset, files: kept.map(([url]) => url), skipped, ...totals, elapsedMs: performance.now() - started };
}

/** Chunk references and the bytes they point at, over every virtual variable. */
export function referenceTotals(ds: VirtualDataset): { chunks: number; bytesReferenced: number } {
  let chunks = 0;
  let bytesReferenced = 0;
  for (const [, v] of ds.walkVariables()) {
    if (!(v.data instanceof ManifestArray)) continue;
    const s = v.data.manifest.stats();
    chunks += s.present;
    bytesReferenced += s.referencedBytes;
  }
  return { chunks, bytesReferenced };
}

/** A worker's error as the tagged error class, naming the file. */
function fileError(p: ErrorPayload, url: string): VzarrError {
  const file = p.file ?? url;
  const message = p.message.includes(file) || p.message.includes(url) ? p.message : `${url}: ${p.message}`;
  const e = makeError(p.kind, message);
  Object.assign(e, { file, variable: p.variable, offset: p.offset });
  return e;
}

/**
 * Opens files from `queue`, `lanes` at a time, until it is empty or stopped. `start(url)`
 * begins opening a file and resolves with the step that builds its dataset on this thread;
 * a lane starts its next file before building the one it holds, so work running elsewhere
 * (a scan on an addon thread) never waits for this thread.
 */
async function openFiles(
  queue: FileQueue,
  start: (url: string) => Promise<FinishOpen>,
  lanes: number,
  accept: (index: number, url: string, result: Opened | VzarrError) => boolean,
): Promise<void> {
  const begin = (file: { index: number; url: string } | undefined) =>
    file === undefined
      ? undefined
      : {
          ...file,
          started: start(file.url).then(
            (finish) => ({ finish }),
            (error: unknown) => ({ error }),
          ),
        };
  const lane = async () => {
    for (let file = begin(queue.take()); file !== undefined; ) {
      const { index, url } = file;
      const step = await file.started;
      // The next file starts now, so its scan runs while this dataset is built. A started
      // file is always finished and handed to `accept` (which keeps it, to be freed if the
      // call fails), even when the queue stops meanwhile.
      const next = begin(queue.take());
      let result: Opened | VzarrError;
      try {
        if ("error" in step) throw step.error;
        const ds = await step.finish();
        const totals = referenceTotals(ds);
        result = { ds, chunks: totals.chunks, bytes: totals.bytesReferenced };
      } catch (e) {
        result = asFileError(e, url);
      }
      let more = false;
      try {
        more = accept(index, url, result);
      } finally {
        if (!more) queue.stop();
      }
      // Local reads are synchronous, so an open may never leave the microtask queue: yield to
      // the event loop, or the workers' replies (and their next files) wait until this lane
      // has taken every file.
      await new Promise((resolve) => setImmediate(resolve));
      file = next;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, queue.urls.length) }, lane));
}

/** Any failure opening `url` as a tagged error naming the file. */
function asFileError(e: unknown, url: string): VzarrError {
  if (e instanceof VzarrError && e.file !== undefined) return e;
  const kind = e instanceof VzarrError ? e.kind : "Internal";
  return fileError(
    { kind, message: e instanceof Error ? e.message : String(e), variable: e instanceof VzarrError ? e.variable : undefined },
    url,
  );
}
