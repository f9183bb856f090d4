/** `VirtualDataset.toKerchunk`: kerchunk references as a JSON file or a Parquet directory. */
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import type { ByteRange } from "../../io/byte-source.js";
import { openSource } from "../../io/open-source.js";
import { writeTextPieces } from "../../io/write-text.js";
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
}

async function readRanges(url: string, ranges: ByteRange[]): Promise<Uint8Array[]> {
  const source = openSource(url);
  try {
    return await source.readRanges(ranges);
  } finally {
    await source.close?.();
  }
}

export async function writeKerchunk(ds: VirtualDataset, path: string, options: ToKerchunkOptions = {}): Promise<void> {
  const common = {
    inlineThreshold: options.inlineThreshold ?? 0,
    onUnsupported: options.onUnsupported ?? "raise",
    warn: options.warn,
    readRanges,
  };
  if (options.format === "parquet") {
    await writeKerchunkParquet(ds, new LocalDirectory(path), { ...common, recordSize: options.recordSize });
  } else {
    await writeTextPieces(path, kerchunkJsonPieces(ds, common));
  }
}
