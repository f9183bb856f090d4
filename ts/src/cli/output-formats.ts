/**
 * The output formats of `vzarr refs`, one table entry each: the options the format adds to
 * the command line and how it writes a dataset. Adding a format is adding an entry.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { ConflictError, InvalidArgumentError } from "../errors/vzarr-error.js";
import { writeDmrpp } from "../formats/dmrpp/write-dmrpp.js";
import { writeIcechunk } from "../formats/icechunk/write-dataset.js";
import { DEFAULT_RECORD_SIZE } from "../formats/kerchunk/parquet-layout.js";
import { writeKerchunk } from "../formats/kerchunk/to-kerchunk.js";
import type { ByteRange } from "../io/byte-source.js";
import { checkOutput, replaceAtomically } from "../io/output-safety.js";
import { isLocalInput, schemeOf } from "../io/url-scheme.js";
import { referencedLocations } from "../parsers/authorize-references.js";
import { type ParsedArgs, stringOption } from "./args.js";
import { isLocalRepository } from "./infer-output-format.js";

export interface FormatContext {
  /** The parsed command line (formats read their own options from it). */
  args: ParsedArgs;
  /** The inputs as given on the command line (paths, URLs, globs). */
  inputs: readonly string[];
  inlineThreshold: number;
  onUnsupported: "raise" | "skip";
  warn: (message: string) => void;
  /** Told of each variable the format left out (`--on-unsupported skip`). */
  onSkip: (path: string) => void;
  /** Reads byte ranges of a referenced file (for inlining small chunks). */
  readRanges: (url: string, ranges: ByteRange[]) => Promise<Uint8Array[]>;
  /** `--overwrite`: replace what is at the output (never an input). */
  overwrite: boolean;
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
  /**
   * Refuses an output that would destroy data, before the (long) indexing starts; `write`
   * checks again with every file the dataset references.
   */
  check(output: string, inputs: readonly string[], args: ParsedArgs, overwrite: boolean): void;
  write(ds: VirtualDataset, output: string, ctx: FormatContext): Promise<WriteSummary>;
}

/** A `--container` prefix: URLs as given, local directories as `file://…/` URLs. */
function containerPrefix(prefix: string): string {
  if (schemeOf(prefix) !== "") return prefix;
  const url = pathToFileURL(resolve(prefix)).href;
  return url.endsWith("/") ? url : `${url}/`;
}

const isRepository = isLocalRepository;

/**
 * An Icechunk output: a repository there takes new commits (earlier snapshots stay) only when
 * asked — appending, or replacing its contents with --overwrite; anything else there is
 * refused unless --overwrite, and an input never.
 */
function checkRepositoryOutput(output: string, inputs: Iterable<string>, appendDim: string | undefined, overwrite: boolean): string {
  if (isLocalInput(output) && isRepository(output) && appendDim === undefined && !overwrite) {
    throw new ConflictError(
      `${output} is an Icechunk repository: --append-dim D appends to it, --overwrite commits a replacement (earlier snapshots stay)`,
      { file: output },
    );
  }
  return checkOutput(output, { inputs, overwrite, acceptExisting: isRepository });
}

export const OUTPUT_FORMATS: Readonly<Record<string, OutputFormat>> = {
  "kerchunk-json": {
    check: (output, inputs, _args, overwrite) => void checkOutput(output, { inputs, overwrite }),
    async write(ds, output, ctx) {
      const bytes = await writeKerchunk(ds, output, {
        inlineThreshold: ctx.inlineThreshold,
        onUnsupported: ctx.onUnsupported,
        warn: ctx.warn,
        onSkip: ctx.onSkip,
        overwrite: ctx.overwrite,
        inputs: ctx.inputs,
      });
      return { bytes };
    },
  },
  "kerchunk-parquet": {
    options: { "record-size": "kerchunk-parquet: [--record-size N]" },
    check: (output, inputs, _args, overwrite) => void checkOutput(output, { inputs, overwrite }),
    async write(ds, output, ctx) {
      const recordSize = Number(stringOption(ctx.args, "record-size") ?? DEFAULT_RECORD_SIZE);
      if (!Number.isSafeInteger(recordSize) || recordSize < 1) throw new InvalidArgumentError("--record-size must be a positive integer");
      const bytes = await writeKerchunk(ds, output, {
        format: "parquet",
        recordSize,
        inlineThreshold: ctx.inlineThreshold,
        onUnsupported: ctx.onUnsupported,
        warn: ctx.warn,
        onSkip: ctx.onSkip,
        overwrite: ctx.overwrite,
        inputs: ctx.inputs,
      });
      return { bytes };
    },
  },
  dmrpp: {
    check: (output, inputs, _args, overwrite) => void checkOutput(output, { inputs, overwrite }),
    async write(ds, output, ctx) {
      const { bytes } = await writeDmrpp(ds, output, { overwrite: ctx.overwrite, inputs: ctx.inputs, warn: ctx.warn });
      return { bytes };
    },
  },
  icechunk: {
    options: {
      branch: "icechunk: [--branch B] [--append-dim D] [--message M] [--container PREFIX[,PREFIX…]]",
      "append-dim": "",
      message: "",
      container: "",
    },
    check(output, inputs, args, overwrite) {
      checkRepositoryOutput(output, inputs, stringOption(args, "append-dim"), overwrite);
    },
    async write(ds, output, ctx) {
      const container = stringOption(ctx.args, "container");
      const branch = stringOption(ctx.args, "branch");
      const appendDim = stringOption(ctx.args, "append-dim");
      // A repository takes new commits (earlier snapshots stay), but only when asked:
      // appending, or replacing its contents with --overwrite. Anything else there is refused.
      const target = checkRepositoryOutput(
        output,
        [...ctx.inputs, ...ds.sources.keys(), ...referencedLocations(ds)],
        appendDim,
        ctx.overwrite,
      );
      const write = (path: string) =>
        writeIcechunk(ds, path, {
          branch,
          appendDim,
          // --overwrite of a repository: the new commit holds only this dataset.
          mode: appendDim === undefined && ctx.overwrite ? "w" : "a",
          message: stringOption(ctx.args, "message") ?? `vzarr refs ${ctx.inputs.join(" ")}`,
          warn: ctx.warn,
          containers:
            container === undefined
              ? undefined
              : container
                  .split(",")
                  .filter((c) => c !== "")
                  .map(containerPrefix),
          ...(ctx.args.options.has("inline-threshold") ? { inlineThreshold: ctx.inlineThreshold } : {}),
        });
      // A repository there takes a commit; anything else replaced (--overwrite) is swapped
      // for the new repository only once it is complete.
      const snapshot =
        !isLocalInput(output) || !existsSync(target) || isRepository(target) ? await write(target) : await replaceAtomically(target, write);
      return { headline: `committed snapshot ${snapshot} to ${output} (branch ${branch ?? "main"})` };
    },
  },
};
