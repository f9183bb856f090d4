/**
 * Drives a sans-IO scan: the core says which byte ranges it needs, the source reads them
 * (coalesced, in parallel), the core is fed, until it has everything. The same loop serves
 * local files, HTTP, S3 and browser Blobs.
 */
import type { Core, ScanOutput } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import type { ByteRange, ByteSource } from "../io/byte-source.js";
import { ChunkManifest } from "../manifest/chunk-manifest.js";
import { parseJsonLenient } from "../metadata/json-text.js";
import { joinViews } from "./join-views.js";
import { RecentBlocks } from "./recent-blocks.js";
import type { ScannedFileJson } from "./scanned-file.js";

export interface ScanOptions {
  /** The core scanner's format name (`hdf5`, `netcdf3`, `grib`, …) or `auto` (the default). */
  format?: string;
  /** Only this group and below (`forecast/member_01`). */
  group?: string;
  dropVariables?: readonly string[];
  /**
   * Variables the core loads once the scan is done, when it can (numeric, every chunk in this
   * file, codecs it decodes): the 1-D dimension coordinates, or these paths. Others stay
   * virtual for the caller to load.
   */
  load?: "dimension-coordinates" | readonly string[];
  core?: Core;
}

export interface ScanResult {
  json: ScannedFileJson;
  /** Manifests numbered as the JSON's `manifest` fields; the caller owns (frees) them. */
  manifests: ChunkManifest[];
  /** Values the scan loaded, addressed by the JSON's `loaded` fields. */
  loaded: Uint8Array;
  /** Round trips to the source and bytes read, for progress and benchmarks. */
  reads: { rounds: number; ranges: number; bytes: number };
}

/** The scan options as the core reads them (`scanOpen`, `scanLocalFile`). */
export function scanOptionsJson(options: ScanOptions): string {
  return JSON.stringify({ group: options.group ?? "", dropVariables: options.dropVariables ?? [], load: options.load ?? null });
}

/** A finished scan's output, its manifests owned by the caller. */
export function scanResult(out: ScanOutput, core: Core, reads: ScanResult["reads"]): ScanResult {
  return {
    json: parseJsonLenient(out.json) as ScannedFileJson,
    manifests: Array.from(out.manifests, (h) => new ChunkManifest(core, h)),
    loaded: out.loaded,
    reads,
  };
}

export async function scanSource(source: ByteSource, options: ScanOptions = {}): Promise<ScanResult> {
  const core = options.core ?? currentBackend();
  const { size } = await source.stat();
  const handle = core.scanOpen(source.url, size, options.format ?? "auto", scanOptionsJson(options));
  const reads = { rounds: 0, ranges: 0, bytes: 0 };
  const recent = new RecentBlocks();
  let finished = false;
  try {
    for (;;) {
      const needs = core.scanAdvance(handle);
      if (needs.length === 0) break;
      const ranges: ByteRange[] = [];
      for (let i = 0; i < needs.length; i += 2) ranges.push({ offset: needs[i] as number, length: needs[i + 1] as number });
      // Each range's bytes: from a block an earlier round fetched, or read now.
      const views: (Uint8Array | undefined)[] = ranges.map((r) => recent.lookup(r));
      const missing = ranges.filter((_, i) => views[i] === undefined);
      if (missing.length > 0) {
        // Views are enough: the core copies what it is fed.
        const blocks = await (source.viewRanges?.(missing) ?? source.readRanges(missing));
        reads.rounds++;
        reads.ranges += missing.length;
        let next = 0;
        views.forEach((held, i) => {
          if (held !== undefined) return;
          const bytes = blocks[next++] as Uint8Array;
          reads.bytes += bytes.length;
          recent.remember(ranges[i] as ByteRange, bytes);
          views[i] = bytes;
        });
      }
      for (const piece of joinViews(ranges, views as Uint8Array[])) core.scanFeed(handle, piece.offset, piece.bytes);
    }
    const out = core.scanFinish(handle);
    finished = true;
    return scanResult(out, core, reads);
  } finally {
    if (!finished) freeUnfinishedScan(core, handle);
  }
}

/** Frees a scan that stopped before `scanFinish` returned. */
export function freeUnfinishedScan(core: Core, handle: number): void {
  try {
    core.scanFree(handle);
  } catch {
    // scanFinish frees the scan even when it fails; nothing left to free then.
  }
}
