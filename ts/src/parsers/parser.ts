/**
 * The one interface every source format implements (as VirtualiZarr's parsers): a name, a
 * cheap check of whether an input looks like the format, and `open`, which turns the input
 * into a VirtualDataset of manifests. `openVirtualDataset` consults the registry
 * (`registry.ts`) in order; `parser:` picks one by name or passes a Parser object directly.
 */
import type { Core } from "../backend/core.js";
import type { OpenVirtualDatasetOptions } from "../dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { ByteSource } from "../io/byte-source.js";

/** What a parser sees when deciding whether an input is its format. */
export interface SniffInput {
  /** The input's URL (`file://…` for local paths). */
  url: string;
  /** A file's first bytes (up to `SNIFF_BYTES`, fewer for a smaller file); empty for a directory. */
  head: Uint8Array;
  /** The input is a local directory (or, for `sniffPrefix`, a remote prefix). */
  directory: boolean;
}

/** What a parser opens. */
export interface ParserInput {
  /** The input's URL (`file://…` for local paths) or the path as the caller gave it. */
  url: string;
  /**
   * For a file: the file, opened once for the sniff, the scan and the loads (a read-ahead
   * source whose blocks serve every small read). Absent for a directory or prefix.
   */
  source?: ByteSource;
}

export interface ParserOptions extends Omit<OpenVirtualDatasetOptions, "parser" | "core" | "decodeTimes"> {
  core: Core;
}

export interface Parser {
  /** The name users pass as `parser:` (and `--parser` on the CLI). */
  readonly name: string;
  /** Other names that select this parser (`netcdf4` for `hdf5`). */
  readonly aliases?: readonly string[];
  /** A file (bytes) or a directory/prefix (a Zarr store, an Icechunk repository). */
  readonly input: "file" | "directory";
  /**
   * For parsers that are one of the core's sans-IO scanners: its format name. Lets a platform
   * scan a local file without the read loop (the core reads it itself).
   */
  readonly coreFormat?: string;
  /** Does the input look like this format? Cheap: the head bytes, or a small probe. */
  sniff(input: SniffInput): boolean | Promise<boolean>;
  open(input: ParserInput, options: ParserOptions): Promise<VirtualDataset>;
}

/** How many leading bytes file parsers get to sniff (one read; COG headers fit in it). */
export const SNIFF_BYTES = 64 * 1024;
