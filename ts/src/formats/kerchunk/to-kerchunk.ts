/** `VirtualDataset.toKerchunk`: kerchunk references as a JSON file or a Parquet directory. */
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import type { VzarrError } from "../../errors/vzarr-error.js";
import type { ByteRange } from "../../io/byte-source.js";
import { openSource } from "../../io/open-source.js";
import { checkOutput, replaceAtomically } from "../../io/output-safety.js";
import { writeTextPieces } from "../../io/write-text.js";
import { referencedLocations } from "../../parsers/authorize-references.js";
import { LocalDirectory } from "./local-directory.js";
import { kerchunkJsonPieces } from "./write-json.js";
import { writeKerchunkParquet } from "./write-parquet.js";

export interface ToKerchunkOptions {
  format?: "json" | "parquet";
  /** Parquet: references per record file (default 10,000 as fsspec). */
  recordSize?: number;
  /** Inline referenced chunks up to this many bytes (read from their files). */
  inlineThreshold?: number;
  /** Variables kerchunk cannot express (rectilinear grids, codecs without numcodecs ids). */
  onUnsupported?: "raise" | "skip";
  warn?: (message: string) => void;
  /** Told of each variable left out (`onUnsupported: "skip"`). */
  onSkip?: (path: string, reason: VzarrError) => void;
  /**
   * Replace what is at `path` (default false: an existing file or non-empty directory is a
   * Conflict, as xarray's `mode="w-"`). A file the dataset references is never replaced.
   */
  overwrite?: boolean;
  /** More paths that must not be replaced (the CLI's inputs). */
  inputs?: readonly string[];
}

async function readRanges(url: string, ranges: ByteRange[]): Promise<Uint8Array[]> {
  const source = openSource(url);
  try {
    return await source.readRanges(ranges);
  } finally {
    await source.close?.();
  }
}

/**
 * Writes the references under a temporary name and renames them into place: a failed run
 * leaves what was at `path` untouched. Returns the bytes written.
 */
export async function writeKerchunk(ds: VirtualDataset, path: string, options: ToKerchunkOptions = {}): Promise<number> {
  const common = {
    inlineThreshold: options.inlineThreshold ?? 0,
    onUnsupported: options.onUnsupported ?? "raise",
    warn: options.warn,
    onSkip: options.onSkip,
    readRanges,
  };
  const inputs = [...(options.inputs ?? []), ...ds.sources.keys(), ...referencedLocations(ds)];
  const target = checkOutput(path, { inputs, overwrite: options.overwrite === true });
  return replaceAtomically(target, async (temporary) => {
    if (options.format === "parquet") {
      return (await writeKerchunkParquet(ds, new LocalDirectory(temporary), { ...common, recordSize: options.recordSize })).bytes;
    }
    return writeTextPieces(temporary, kerchunkJsonPieces(ds, common));
  });
}
