/**
 * `openVirtualMfdataset` for pages: many inputs (URLs or `File`s) in, one combined dataset
 * out. The Node version scans on worker threads and expands globs; a page has neither, so
 * files are scanned here, a few at a time (each scan mostly waits for range requests), and
 * combined exactly as in Node (`combineNested` along `concatDim`, or `combineByCoords`).
 */
import type { Core } from "../backend/core.js";
import { combineByCoords } from "../dataset/combine/combine-by-coords.js";
import { type CombineOptions, combineNested } from "../dataset/combine/combine-nested.js";
import { releaseUnused } from "../dataset/combine/ownership.js";
import type { MfdatasetResult, MfProgress, SkippedFile } from "../dataset/open-mfdataset.js";
import type { OpenVirtualDatasetOptions } from "../dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { InvalidArgumentError, makeError, VzarrError } from "../errors/vzarr-error.js";
import type { ByteSource } from "../io/byte-source.js";
import { ManifestArray } from "../manifest/manifest-array.js";

export type PageInput = string | Blob | ByteSource;

export interface PageMfdatasetOptions extends CombineOptions, Omit<OpenVirtualDatasetOptions, "core" | "version"> {
  /** Dimension to concatenate along, in input order (implies `combine: "nested"`). */
  concatDim?: string;
  /** `"nested"`: in the order given along `concatDim`; `"by_coords"` (default without concatDim): by coordinate values. */
  combine?: "nested" | "by_coords";
  /** Files scanned at once. Default 6 (what browsers allow per HTTP/1.1 host). */
  jobs?: number;
  onProgress?: (p: MfProgress) => void;
  /** `"raise"` (default): the first failing file fails the call. `"skip"`: leave it out and report it. */
  onError?: "raise" | "skip";
  core: Core;
}

/** How the page opens one input (the browser entry's `openVirtualDataset`). */
export type OpenOne = (input: PageInput, options: OpenVirtualDatasetOptions) => Promise<VirtualDataset>;

function nameOf(input: PageInput): string {
  if (typeof input === "string") return input;
  if (input instanceof Blob) return (input as Partial<File>).name ?? "blob";
  return input.url;
}

function totals(ds: VirtualDataset): { chunks: number; bytes: number } {
  let chunks = 0;
  let bytes = 0;
  for (const [, v] of ds.walkVariables()) {
    if (!(v.data instanceof ManifestArray)) continue;
    const s = v.data.manifest.stats();
    chunks += s.present;
    bytes += s.referencedBytes;
  }
  return { chunks, bytes };
}

export async function openMfdatasetInPage(
  inputs: readonly PageInput[],
  open: OpenOne,
  options: PageMfdatasetOptions,
): Promise<MfdatasetResult> {
  const started = performance.now();
  const combine = options.combine ?? (options.concatDim === undefined ? "by_coords" : "nested");
  if (combine === "nested" && options.concatDim === undefined) throw new InvalidArgumentError('combine: "nested" needs a concatDim');
  if (inputs.length === 0) throw new InvalidArgumentError("no input files");
  const jobs = options.jobs ?? 6;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InvalidArgumentError(`jobs must be a positive integer, got ${jobs}`);
  const fileOptions: OpenVirtualDatasetOptions = {
    parser: options.parser,
    group: options.group,
    dropVariables: options.dropVariables,
    loadableVariables: options.loadableVariables,
    core: options.core,
  };

  const opened = new Array<VirtualDataset | undefined>(inputs.length);
  const skipped: SkippedFile[] = [];
  const progress: MfProgress = { filesDone: 0, filesTotal: inputs.length, chunks: 0, bytesReferenced: 0, elapsedMs: 0 };
  let failure: VzarrError | undefined;
  let next = 0;
  const lane = async () => {
    while (failure === undefined && next < inputs.length) {
      const index = next++;
      const input = inputs[index] as PageInput;
      try {
        const ds = await open(input, fileOptions);
        opened[index] = ds;
        const t = totals(ds);
        progress.chunks += t.chunks;
        progress.bytesReferenced += t.bytes;
      } catch (e) {
        const error =
          e instanceof VzarrError
            ? e
            : makeError("Internal", `${nameOf(input)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        if (options.onError === "skip") skipped.push({ file: nameOf(input), error });
        else failure ??= error;
      }
      progress.filesDone++;
      progress.elapsedMs = performance.now() - started;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, inputs.length) }, lane));
  if (failure !== undefined) {
    for (const ds of opened) ds?.free();
    throw failure;
  }

  const kept = opened.flatMap((ds, i) => (ds === undefined ? [] : [[nameOf(inputs[i] as PageInput), ds] as const]));
  if (kept.length === 0) {
    throw new InvalidArgumentError(
      `none of the ${inputs.length} files could be opened; first error: ${skipped[0]?.error.message ?? "none"}`,
    );
  }
  const datasets = kept.map(([, ds]) => ds);
  let dataset: VirtualDataset;
  try {
    dataset = combine === "nested" ? combineNested(datasets, options.concatDim as string, options) : combineByCoords(datasets, options);
  } catch (e) {
    for (const ds of datasets) ds.free();
    throw e;
  }
  releaseUnused(datasets, [dataset]);
  const t = totals(dataset);
  return {
    dataset,
    files: kept.map(([name]) => name),
    skipped,
    chunks: t.chunks,
    bytesReferenced: t.bytes,
    elapsedMs: performance.now() - started,
  };
}
