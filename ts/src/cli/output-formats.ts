/**
 * The output formats of `vzarr refs`, one table entry each: the options the format adds to
 * the command line and how it writes a dataset. Adding a format is adding an entry.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { writeIcechunk } from "../formats/icechunk/write-dataset.js";
import { LocalDirectory } from "../formats/kerchunk/local-directory.js";
import { DEFAULT_RECORD_SIZE } from "../formats/kerchunk/parquet-layout.js";
import { kerchunkJsonPieces } from "../formats/kerchunk/write-json.js";
import { writeKerchunkParquet } from "../formats/kerchunk/write-parquet.js";
import type { ByteRange } from "../io/byte-source.js";
import { schemeOf } from "../io/url-scheme.js";
import { writeTextPieces } from "../io/write-text.js";
import { type ParsedArgs, stringOption } from "./args.js";

export interface FormatContext {
  /** The parsed command line (formats read their own options from it). */
  args: ParsedArgs;
  /** The inputs as given on the command line (paths, URLs, globs). */
  inputs: readonly string[];
  inlineThreshold: number;
  onUnsupported: "raise" | "skip";
  warn: (message: string) => void;
  /** Reads byte ranges of a referenced file (for inlining small chunks). */
  readRanges: (url: string, ranges: ByteRange[]) => Promise<Uint8Array[]>;
}

export interface WriteSummary {
  /** What happened, replacing "wrote <out>" (e.g. "committed snapshot … to <out>"). */
  headline?: string;
  /** Bytes written, when the format knows. */
  bytes?: number;
  /** Extra words for the summary line (a snapshot id, a record count). */
  detail?: string;
}

export interface OutputFormat {
  /** Value options (without dashes) only this format accepts, with their usage text. */
  options?: Readonly<Record<string, string>>;
  write(ds: VirtualDataset, output: string, ctx: FormatContext): Promise<WriteSummary>;
}

/** A `--container` prefix: URLs as given, local directories as `file://…/` URLs. */
function containerPrefix(prefix: string): string {
  if (schemeOf(prefix) !== "") return prefix;
  const url = pathToFileURL(resolve(prefix)).href;
  return url.endsWith("/") ? url : `${url}/`;
}

export const OUTPUT_FORMATS: Readonly<Record<string, OutputFormat>> = {
  "kerchunk-json": {
    async write(ds, output, ctx) {
      const bytes = await writeTextPieces(
        output,
        kerchunkJsonPieces(ds, {
          inlineThreshold: ctx.inlineThreshold,
          onUnsupported: ctx.onUnsupported,
          warn: ctx.warn,
          readRanges: ctx.readRanges,
        }),
      );
      return { bytes };
    },
  },
  "kerchunk-parquet": {
    options: { "record-size": "kerchunk-parquet: [--record-size N]" },
    async write(ds, output, ctx) {
      const recordSize = Number(stringOption(ctx.args, "record-size") ?? DEFAULT_RECORD_SIZE);
      if (!Number.isSafeInteger(recordSize) || recordSize < 1) throw new InvalidArgumentError("--record-size must be a positive integer");
      const written = await writeKerchunkParquet(ds, new LocalDirectory(output), {
        inlineThreshold: ctx.inlineThreshold,
        onUnsupported: ctx.onUnsupported,
        warn: ctx.warn,
        readRanges: ctx.readRanges,
        recordSize,
      });
      return { bytes: written.bytes };
    },
  },
  icechunk: {
    options: {
      branch: "icechunk: [--branch B] [--append-dim D] [--message M] [--container PREFIX[,PREFIX…]]",
      "append-dim": "",
      message: "",
      container: "",
    },
    async write(ds, output, ctx) {
      const container = stringOption(ctx.args, "container");
      const branch = stringOption(ctx.args, "branch");
      const snapshot = await writeIcechunk(ds, output, {
        branch,
        appendDim: stringOption(ctx.args, "append-dim"),
        message: stringOption(ctx.args, "message") ?? `vzarr refs ${ctx.inputs.join(" ")}`,
        containers:
          container === undefined
            ? undefined
            : container
                .split(",")
                .filter((c) => c !== "")
                .map(containerPrefix),
        ...(ctx.args.options.has("inline-threshold") ? { inlineThreshold: ctx.inlineThreshold } : {}),
      });
      return { headline: `committed snapshot ${snapshot} to ${output} (branch ${branch ?? "main"})` };
    },
  },
};
