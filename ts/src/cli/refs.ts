/** `vzarr refs <inputs…> -o <out> [--format …]`: build a virtual store and write it. */
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import { InvalidArgumentError, UnsupportedFeatureError } from "../errors/vzarr-error.js";
import { writeIcechunk } from "../icechunk/write-dataset.js";
import type { ByteRange } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { writeTextPieces } from "../io/write-text.js";
import { LocalDirectory } from "../kerchunk/local-directory.js";
import { DEFAULT_RECORD_SIZE } from "../kerchunk/parquet-layout.js";
import { writeKerchunkParquet } from "../kerchunk/write-parquet.js";
import { kerchunkJsonPieces } from "../writers/kerchunk-json.js";
import { parseArgs, stringOption } from "./args.js";

export const refsUsage =
  "vzarr refs <input> -o <out> [--format kerchunk-json|kerchunk-parquet|icechunk] [--group G] [--inline-threshold N] [--on-unsupported skip|raise]\n" +
  "           kerchunk-parquet: [--record-size N]; icechunk: [--branch B] [--append-dim D] [--message M] [--container PREFIX[,PREFIX…]]";

const FORMATS = ["kerchunk-json", "kerchunk-parquet", "icechunk"] as const;

export async function refsCommand(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<void> {
  const args = parseArgs(argv, {
    values: [
      "output",
      "format",
      "group",
      "inline-threshold",
      "on-unsupported",
      "record-size",
      "branch",
      "append-dim",
      "message",
      "container",
    ],
    flags: ["quiet"],
    aliases: { o: "output", q: "quiet" },
  });
  const output = stringOption(args, "output");
  const input = args.positionals[0];
  if (input === undefined || output === undefined) throw new InvalidArgumentError(`usage: ${refsUsage}`);
  if (args.positionals.length > 1) throw new UnsupportedFeatureError("combining several inputs is not supported yet");
  const format = stringOption(args, "format") ?? "kerchunk-json";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new InvalidArgumentError(`unknown --format ${format}; expected one of ${FORMATS.join(", ")}`);
  }
  const inlineThreshold = Number(stringOption(args, "inline-threshold") ?? 0);
  if (!Number.isInteger(inlineThreshold) || inlineThreshold < 0)
    throw new InvalidArgumentError("--inline-threshold must be a non-negative integer");
  const onUnsupported = stringOption(args, "on-unsupported") ?? "skip";
  if (onUnsupported !== "skip" && onUnsupported !== "raise") throw new InvalidArgumentError("--on-unsupported must be skip or raise");

  const recordSize = Number(stringOption(args, "record-size") ?? DEFAULT_RECORD_SIZE);
  if (!Number.isSafeInteger(recordSize) || recordSize < 1) throw new InvalidArgumentError("--record-size must be a positive integer");
  if (args.options.has("record-size") && format !== "kerchunk-parquet") {
    throw new InvalidArgumentError("--record-size applies to --format kerchunk-parquet only");
  }

  const started = performance.now();
  using ds = await openVirtualDataset(input, { group: stringOption(args, "group") });
  if (format === "icechunk") {
    const container = stringOption(args, "container");
    const snapshot = await writeIcechunk(ds, output, {
      branch: stringOption(args, "branch"),
      appendDim: stringOption(args, "append-dim"),
      message: stringOption(args, "message") ?? `vzarr refs ${input}`,
      containers: container === undefined ? undefined : container.split(",").filter((c) => c !== ""),
      ...(args.options.has("inline-threshold") ? { inlineThreshold } : {}),
    });
    if (!args.options.has("quiet")) {
      out(
        `committed snapshot ${snapshot} to ${output} (branch ${stringOption(args, "branch") ?? "main"}) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
      );
    }
    return;
  }
  const writeOptions = {
    inlineThreshold,
    onUnsupported,
    warn: (m: string) => err(`warning: ${m}`),
    readRanges: async (url: string, ranges: ByteRange[]) => {
      const source = openSource(url);
      try {
        return await source.readRanges(ranges);
      } finally {
        await source.close?.();
      }
    },
  } as const;
  const bytes =
    format === "kerchunk-parquet"
      ? (await writeKerchunkParquet(ds, new LocalDirectory(output), { ...writeOptions, recordSize })).bytes
      : await writeTextPieces(output, kerchunkJsonPieces(ds, writeOptions));
  if (!args.options.has("quiet")) {
    let chunks = 0;
    let variables = 0;
    for (const [, v] of ds.walkVariables()) {
      variables++;
      if (v.virtual && "manifest" in v.data) chunks += v.data.manifest.stats().present;
    }
    out(
      `wrote ${output} (${format}, ${bytes} bytes): ${variables} variables, ${chunks} chunk references in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  }
}
