/**
 * Parsers whose byte work is one of the core's sans-IO scanners (HDF5/netCDF-4, netCDF-3,
 * GRIB, ...): the read loop (`scan.ts`) feeds the scanner, `from-scan.ts` builds the dataset,
 * and the loadable variables the core did not load during the scan are read here.
 */
import type { Core } from "../backend/core.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { makeError } from "../errors/vzarr-error.js";
import type { ByteSource, SourceIdentity } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { datasetFromScan } from "./from-scan.js";
import { loadListed } from "./load.js";
import type { Parser, ParserOptions, SniffInput } from "./parser.js";
import { type ScanOptions, type ScanResult, scanSource } from "./scan.js";

/** A parser over the core's scanner for `coreFormat`, recognised by `sniff`. */
export function coreScannedParser(init: {
  name: string;
  aliases?: readonly string[];
  coreFormat: string;
  sniff: (input: SniffInput) => boolean;
}): Parser {
  return {
    name: init.name,
    aliases: init.aliases,
    input: "file",
    coreFormat: init.coreFormat,
    sniff: init.sniff,
    async open(input, options) {
      const source = input.source;
      if (source === undefined) throw makeError("InvalidArgument", `${init.name}: ${input.url} is not a file`, { file: input.url });
      const scan = await scanSource(source, { ...scanOptionsFor(options, init.coreFormat), core: options.core });
      // Loading reads from the file just scanned: reuse its open source.
      return datasetFromScanned(scan, source.url, await source.stat(), options, options.core, (url) =>
        url === source.url ? keepOpen(source) : openSource(url),
      );
    },
  };
}

/** The scan options that `options` imply, for the core's scanner of `format` (or "auto"). */
export function scanOptionsFor(options: Omit<ParserOptions, "core">, format: string): ScanOptions {
  return {
    format,
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
  options: Omit<ParserOptions, "core">,
  core: Core,
  open: (url: string) => ByteSource,
): Promise<VirtualDataset> {
  return loadListed(datasetFromScan(scan, [[url, identity]]), options.loadableVariables, core, open);
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
