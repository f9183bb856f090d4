/**
 * `openVirtualDataset`: one file → a VirtualDataset of manifests pointing into it; a
 * kerchunk reference set (JSON file or Parquet directory) → the dataset it describes.
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { isIcechunkRepository } from "../icechunk/detect.js";
import type { VersionSpec } from "../icechunk/repository.js";
import type { ByteSource } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import {
  detectReferenceFormat,
  openKerchunkJson,
  openKerchunkParquetDirectory,
  type ReferenceFormat,
} from "../kerchunk/open-references.js";
import { type FileFormat, scanSource } from "../parsers/scan.js";
import { datasetFromScan } from "./from-scan.js";
import type { VirtualDataset } from "./virtual-dataset.js";

export interface OpenVirtualDatasetOptions {
  /** Format of the file; detected from its first bytes by default. */
  parser?: FileFormat | ReferenceFormat;
  /** Open only this group (and its subgroups). */
  group?: string;
  /** Variables to leave out (names or full paths). */
  dropVariables?: readonly string[];
  core?: Core;
  /** For Icechunk repositories: the branch, tag or snapshot to open (default branch main). */
  version?: VersionSpec;
}

export async function openVirtualDataset(input: string | ByteSource, options: OpenVirtualDatasetOptions = {}): Promise<VirtualDataset> {
  if (typeof input === "string" && (await isIcechunkRepository(input))) {
    const { openIcechunk } = await import("../icechunk/read-dataset.js");
    return openIcechunk(input, { ...options.version, group: options.group, dropVariables: options.dropVariables, core: options.core });
  }
  const refs = options.parser === undefined || options.parser === "auto" ? await detectReferenceFormat(input) : options.parser;
  const core = options.core ?? currentBackend();
  const selection = { group: options.group, dropVariables: options.dropVariables, core };
  if (refs === "kerchunk-json") return openKerchunkJson(input, selection);
  if (refs === "kerchunk-parquet") {
    if (typeof input !== "string") throw new InvalidArgumentError("a kerchunk Parquet reference set is a directory: pass its path");
    return openKerchunkParquetDirectory(input, selection);
  }
  const source = typeof input === "string" ? openSource(input) : input;
  try {
    const scan = await scanSource(source, {
      format: (options.parser ?? "auto") as FileFormat,
      group: options.group,
      dropVariables: options.dropVariables,
      core: options.core ?? currentBackend(),
    });
    return datasetFromScan(scan, [[source.url, await source.stat()]]);
  } finally {
    if (typeof input === "string") await source.close?.();
  }
}
