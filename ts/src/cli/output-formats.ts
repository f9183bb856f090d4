/**
 * The output formats of `vzarr refs`, one table entry each: the options the format adds to
 * the command line and how it writes a dataset. Adding a format is adding an entry.
 */
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { ByteRange } from "../io/byte-source.js";
import { writeTextPieces } from "../io/write-text.js";
import { kerchunkJsonPieces } from "../writers/kerchunk-json.js";
import type { ParsedArgs } from "./args.js";

export interface FormatContext {
  /** The parsed command line (formats read their own options from it). */
  args: ParsedArgs;
  inlineThreshold: number;
  onUnsupported: "raise" | "skip";
  warn: (message: string) => void;
  /** Reads byte ranges of a referenced file (for inlining small chunks). */
  readRanges: (url: string, ranges: ByteRange[]) => Promise<Uint8Array[]>;
}

export interface WriteSummary {
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
};
