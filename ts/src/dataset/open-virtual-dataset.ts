/** `openVirtualDataset`: one file → a VirtualDataset of manifests pointing into it. */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import type { ByteSource } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { ReadAheadSource } from "../io/read-ahead.js";
import { type FileFormat, scanSource } from "../parsers/scan.js";
import { SourcePool } from "../store/source-pool.js";
import { datasetFromScan } from "./from-scan.js";
import { type LoadableSpec, loadableNames, loadVariables } from "./load-variables.js";
import type { VirtualDataset } from "./virtual-dataset.js";

export interface OpenVirtualDatasetOptions {
  /** Format of the file; detected from its first bytes by default. */
  parser?: FileFormat;
  /** Open only this group (and its subgroups). */
  group?: string;
  /** Variables to leave out (names or full paths). */
  dropVariables?: readonly string[];
  /**
   * Variables to read into memory (full paths for variables in groups). Default: the 1-D
   * dimension coordinates (as VirtualiZarr); `[]` keeps everything virtual.
   */
  loadableVariables?: LoadableSpec;
  core?: Core;
}

export async function openVirtualDataset(input: string | ByteSource, options: OpenVirtualDatasetOptions = {}): Promise<VirtualDataset> {
  const opened = typeof input === "string" ? openSource(input) : input;
  // Scanning and loading coordinates make many small dependent reads: serve them from blocks.
  const source = new ReadAheadSource(opened);
  const core = options.core ?? currentBackend();
  try {
    const scan = await scanSource(source, {
      format: options.parser ?? "auto",
      group: options.group,
      dropVariables: options.dropVariables,
      core,
    });
    const ds = datasetFromScan(scan, [[source.url, await source.stat()]]);
    let names: Set<string>;
    try {
      names = loadableNames(ds, options.loadableVariables);
    } catch (e) {
      ds.free();
      throw e;
    }
    if (names.size === 0) return ds;
    // Loading reads from the file just scanned: reuse its open source.
    const pool = new SourcePool({ open: (url) => (url === source.url ? keepOpen(source) : openSource(url)) });
    try {
      return await loadVariables(ds, names, { core, pool });
    } catch (e) {
      ds.free();
      throw e;
    } finally {
      await pool.close();
    }
  } finally {
    if (typeof input === "string") await opened.close?.();
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
