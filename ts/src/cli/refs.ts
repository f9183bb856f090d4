/**
 * `vzarr refs <inputs or globs…> -o <out>`: build a virtual store and write it. One plain
 * input is opened directly; several inputs (or a glob) are opened on a worker pool and
 * combined — along `--concat-dim` in the order given, or `--combine by-coords`.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { openVirtualMfdatasetWithReport, referenceTotals, type SkippedFile } from "../dataset/open-mfdataset.js";
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { InvalidArgumentError, makeError, UnsupportedFeatureError, VzarrError } from "../errors/vzarr-error.js";
import { hasGlob } from "../io/glob.js";
import { openSource } from "../io/open-source.js";
import { schemeOf } from "../io/url-scheme.js";
import { listOption, parseArgs, stringOption } from "./args.js";
import { inferOutputFormat } from "./infer-output-format.js";
import { OUTPUT_FORMATS } from "./output-formats.js";
import { formatBytes, formatCount, formatDuration, ProgressReporter } from "./progress.js";

export const refsUsage = `vzarr refs <inputs or globs…> -o <out> [--format ${Object.keys(OUTPUT_FORMATS).join("|")}]
           [--concat-dim D | --combine nested|by-coords] [--jobs N] [--concurrency N] [--on-error raise|skip]
           [--idx auto|never|URL] [--from-file urls.txt|-]… [--anon]
           [--loadable a,b|none] [--drop a,b] [--compat equals|override] [--group G]
           [--inline-threshold N] [--decode-times] [--on-unsupported raise|skip] [--parser NAME] [--allow PREFIX]… [--rename-paths FROM=TO]… [--overwrite] [--quiet]
           DMR++ inputs: [--data-file PATH] [--verify]${Object.values(OUTPUT_FORMATS)
             .flatMap((f) => Object.values(f.options ?? {}).filter((u) => u !== ""))
             .map((u) => `\n           ${u}`)
             .join("")}`;

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text === "none" || text === ""
      ? []
      : text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--${name} must be one of ${allowed.join(", ")}, not ${value}`);
  return value as T;
}

/**
 * A combine conflict, said in the command line's words: the flag that leaves the variable out
 * (and, for a variable without the concat dimension, the one that keeps the first file's).
 */
function withFlagHint(e: unknown, compat: string): unknown {
  if (!(e instanceof VzarrError) || e.kind !== "IncompatibleArrays" || e.variable === undefined) return e;
  const override = compat !== "override" && /has no dimension/.test(e.reason) ? `, or --compat override to keep the first file's` : "";
  return makeError(e.kind, `${e.reason}; to combine the rest, leave it out with --drop ${e.variable}${override}`, {
    variable: e.variable,
    ...(e.file === undefined ? {} : { file: e.file }),
  });
}

/** A `--rename-paths` side as references spell it: local paths as `file://` URLs. */
function locationPrefix(text: string): string {
  if (schemeOf(text) !== "") return text;
  const url = pathToFileURL(resolve(text)).href;
  return text.endsWith("/") && !url.endsWith("/") ? `${url}/` : url;
}

/**
 * The inputs a `--from-file` list names, one per line (blank lines and `#` comments skipped);
 * `-` reads the list from stdin. How HTTP(S) archives are given: they cannot be globbed.
 */
async function readInputList(file: string): Promise<string[]> {
  let text: string;
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new InvalidArgumentError(`--from-file ${file}: ${(e as Error).message}`);
    }
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export async function refsCommand(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<void> {
  const formatOptions = Object.values(OUTPUT_FORMATS).flatMap((f) => Object.keys(f.options ?? {}));
  const args = parseArgs(argv, {
    values: [
      "output",
      "format",
      "group",
      "inline-threshold",
      "on-unsupported",
      "concat-dim",
      "combine",
      "jobs",
      "concurrency",
      "idx",
      "on-error",
      "loadable",
      "drop",
      "compat",
      "parser",
      "data-file",
      ...formatOptions,
    ],
    flags: ["quiet", "overwrite", "decode-times", "anon", "verify"],
    aliases: { o: "output", q: "quiet", j: "jobs" },
    lists: ["allow", "rename-paths", "from-file"],
  });
  // Public buckets: unsigned requests for listing and reading (S3 sources read this too).
  if (args.options.has("anon")) process.env.AWS_NO_SIGN_REQUEST = "true";
  const output = stringOption(args, "output");
  const inputs = [...args.positionals];
  for (const file of listOption(args, "from-file") ?? []) inputs.push(...(await readInputList(file)));
  if (inputs.length === 0 || output === undefined) throw new InvalidArgumentError(`usage: ${refsUsage}`);
  const formatName = stringOption(args, "format") ?? inferOutputFormat(output);
  const format = OUTPUT_FORMATS[formatName];
  if (format === undefined)
    throw new InvalidArgumentError(`unknown --format ${formatName}; expected one of ${Object.keys(OUTPUT_FORMATS).join(", ")}`);
  for (const name of formatOptions) {
    if (args.options.has(name) && !Object.hasOwn(format.options ?? {}, name)) {
      const owners = Object.entries(OUTPUT_FORMATS).filter(([, f]) => Object.hasOwn(f.options ?? {}, name));
      throw new InvalidArgumentError(`--${name} applies to --format ${owners.map(([n]) => n).join(", ")} only`);
    }
  }
  const inlineThreshold = Number(stringOption(args, "inline-threshold") ?? 0);
  if (!Number.isInteger(inlineThreshold) || inlineThreshold < 0)
    throw new InvalidArgumentError("--inline-threshold must be a non-negative integer");
  // Nothing is dropped silently: a variable that cannot be written fails the run unless
  // the user asks for the rest (`skip`), and then the summary lists what was left out.
  const onUnsupported = oneOf(stringOption(args, "on-unsupported"), "on-unsupported", ["raise", "skip"], "raise");
  const onError = oneOf(stringOption(args, "on-error"), "on-error", ["raise", "skip"], "raise");
  const compat = oneOf(stringOption(args, "compat"), "compat", ["equals", "override"], "equals");
  const concatDim = stringOption(args, "concat-dim");
  const combineText = stringOption(args, "combine");
  const combine = oneOf(combineText, "combine", ["nested", "by-coords"], concatDim === undefined ? "by-coords" : "nested");
  if (combine === "nested" && concatDim === undefined) throw new InvalidArgumentError("--combine nested needs --concat-dim");
  if (combine === "by-coords" && concatDim !== undefined)
    throw new InvalidArgumentError("--concat-dim goes with --combine nested (by-coords finds the dimensions itself)");
  const jobsText = stringOption(args, "jobs");
  const jobs = jobsText === undefined ? availableParallelism() : Number(jobsText);
  if (!Number.isInteger(jobs) || jobs < 1) throw new InvalidArgumentError("--jobs must be a positive integer");
  const concurrencyText = stringOption(args, "concurrency");
  const concurrency = concurrencyText === undefined ? undefined : Number(concurrencyText);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new InvalidArgumentError("--concurrency must be a positive integer");
  // GRIB index sidecars: "auto" (default) looks beside remote GRIB files, or a URL/path.
  const indexFile = stringOption(args, "idx");
  if (indexFile === "") throw new InvalidArgumentError("--idx takes auto, never or the index's URL");
  const quiet = args.options.has("quiet");
  const group = stringOption(args, "group");
  const parser = stringOption(args, "parser");
  const allow = listOption(args, "allow");
  // A DMR++ references every variable: nothing is loaded unless asked.
  const loadableVariables = list(stringOption(args, "loadable")) ?? (formatName === "dmrpp" ? [] : undefined);
  // DMR++ inputs: the data file instead of the sidecar's href, and a check against it.
  const dataFile = stringOption(args, "data-file");
  const verify = args.options.has("verify") ? true : undefined;
  const dropVariables = list(stringOption(args, "drop"));
  // --rename-paths FROM=TO: references to files under FROM point under TO instead (the files
  // are indexed where they are now and read from where they will be).
  const renames = (listOption(args, "rename-paths") ?? []).map((spec) => {
    const at = spec.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`--rename-paths takes FROM=TO (a location prefix and its replacement), not ${spec}`);
    return [locationPrefix(spec.slice(0, at)), locationPrefix(spec.slice(at + 1))] as const;
  });
  // Times in one encoding (as xarray decodes them), so int64 and float times combine.
  const decodeTimes = args.options.has("decode-times");

  format.check(
    output,
    inputs.filter((i) => !hasGlob(i)),
    args,
    args.options.has("overwrite"),
  );
  const started = performance.now();
  const many = inputs.length > 1 || inputs.some(hasGlob) || concatDim !== undefined || combineText !== undefined;
  let ds: VirtualDataset;
  let files = 1;
  let skipped: SkippedFile[] = [];
  if (many) {
    const progress = new ProgressReporter(process.stderr, { quiet });
    try {
      const r = await openVirtualMfdatasetWithReport(inputs, {
        concatDim,
        combine: combine === "nested" ? "nested" : "by_coords",
        jobs,
        concurrency,
        indexFile,
        onError,
        group,
        parser,
        allow,
        loadableVariables,
        dropVariables,
        compat,
        decodeTimes,
        onProgress: (p) => progress.update(p),
      });
      ds = r.dataset;
      files = r.files.length;
      skipped = r.skipped;
    } catch (e) {
      throw withFlagHint(e, compat);
    } finally {
      progress.done();
    }
  } else {
    ds = await openVirtualDataset(inputs[0] as string, {
      group,
      parser,
      allow,
      loadableVariables,
      dropVariables,
      decodeTimes,
      indexFile,
      dataFile,
      verify,
    });
  }
  if (renames.length > 0) {
    const original = ds;
    ds = ds.renamePaths((path) => {
      const hit = renames.find(([from]) => path.startsWith(from));
      return hit === undefined ? path : hit[1] + path.slice(hit[0].length);
    });
    original.free();
  }
  const leftOut: string[] = [];
  let writerSkips = 0;
  try {
    for (const [path, s] of ds.walkSkipped()) {
      if (onUnsupported === "raise")
        throw new UnsupportedFeatureError(
          `variable ${path} cannot be represented (${s.kind}: ${s.message}); --on-unsupported skip writes the other variables and lists those left out`,
          { variable: path },
        );
      err(`warning: leaving out ${path}: ${s.message}`);
      leftOut.push(path);
    }
    const summary = await format.write(ds, output, {
      args,
      inputs,
      inlineThreshold,
      onUnsupported,
      warn: (m) => err(`warning: ${m}`),
      onSkip: (path) => {
        leftOut.push(path);
        writerSkips++;
      },
      overwrite: args.options.has("overwrite"),
      readRanges: async (url, ranges) => {
        const source = openSource(url);
        try {
          return await source.readRanges(ranges);
        } finally {
          await source.close?.();
        }
      },
    });
    for (const s of skipped) err(`skipped ${s.file}: ${s.error.kind}: ${s.error.message}`);
    if (!quiet) {
      const variables = [...ds.walkVariables()].length;
      const { chunks, bytesReferenced } = referenceTotals(ds);
      const size = summary.bytes === undefined ? "" : `, ${formatBytes(summary.bytes)}`;
      out(
        `${summary.headline ?? `wrote ${output}`} (${formatName}${size}${summary.detail === undefined ? "" : `, ${summary.detail}`}): ` +
          `${formatCount(files)} file${files === 1 ? "" : "s"}${skipped.length > 0 ? ` (${skipped.length} skipped)` : ""}, ` +
          `${formatCount(variables - writerSkips)} variables, ${formatCount(chunks)} chunk references to ${formatBytes(bytesReferenced)} in ${formatDuration(performance.now() - started)}`,
      );
      if (leftOut.length > 0) out(`left out (--on-unsupported skip): ${leftOut.join(", ")}`);
    }
  } finally {
    ds.free();
  }
}
