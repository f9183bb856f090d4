/**
 * Glob expansion for local paths (Node 20 has no `fs.glob`) and S3 keys (ListObjectsV2): `*` and `?` within one path
 * segment, `[abc]` / `[a-z]` / `[!a-z]` character classes, `**` for any number of
 * directories. As in shells, `*` and `?` do not match a leading dot, and `**` does not
 * follow symbolic links into directories (no cycles). Matches are sorted per pattern, so
 * file order — the concat order of a nested combine — is stable.
 */
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, UnsupportedFeatureError } from "../errors/vzarr-error.js";
import { isLocalInput, schemeOf } from "./url-scheme.js";

const GLOB_CHARS = /[*?[]/;

export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** A regular expression for one path segment of a glob. */
export function segmentPattern(segment: string): RegExp {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  // Shell rule: wildcards never match a leading dot; only a literal one does.
  const dotSafe = segment.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${dotSafe}${out}$`);
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // Unreadable or vanished directories match nothing, as in shells.
    return [];
  }
}

async function walk(dir: string, segments: readonly string[], out: string[]): Promise<void> {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (head === "**") {
    // Zero directories, then one more level with ** still pending.
    if (rest.length > 0) await walk(dir, rest, out);
    for (const e of await entries(dir)) {
      if (e.isDirectory() && !e.name.startsWith(".")) await walk(join(dir, e.name), segments, out);
    }
    return;
  }
  if (!hasGlob(head)) {
    const path = join(dir, head);
    if (rest.length === 0) {
      if ((await entries(dir)).some((e) => e.name === head)) out.push(path);
    } else await walk(path, rest, out);
    return;
  }
  const re = segmentPattern(head);
  for (const e of await entries(dir)) {
    if (!re.test(e.name)) continue;
    const path = join(dir, e.name);
    if (rest.length === 0) {
      if (!e.isDirectory()) out.push(path);
    } else if (e.isDirectory() || e.isSymbolicLink()) await walk(path, rest, out);
  }
}

/** The files one local glob matches, sorted. */
export async function globLocal(pattern: string): Promise<string[]> {
  const path = pattern.startsWith("file://") ? fileURLToPath(pattern) : pattern;
  const parts = path.split("/");
  const first = parts.findIndex((p) => hasGlob(p));
  if (first < 0) return [path];
  const fixed = parts.slice(0, first);
  const base = isAbsolute(path) ? `/${fixed.filter((p) => p !== "").join("/")}` : fixed.length === 0 ? "." : fixed.join("/");
  const out: string[] = [];
  await walk(base, parts.slice(first), out);
  const relative = !isAbsolute(path) && fixed.length === 0;
  const matches = relative ? out.map((p) => p.replace(/^\.\//, "")) : out;
  return [...new Set(matches)].sort();
}

/**
 * A regular expression for a whole `/`-separated glob (an object key): `**` matches any
 * number of whole segments, the rest as `segmentPattern`.
 */
export function keyPattern(pattern: string): RegExp {
  const segments = pattern.split("/");
  let re = "";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") re += last ? ".*" : "(?:[^/]+/)*";
    else re += segmentPattern(segment).source.slice(1, -1) + (last ? "" : "/");
  });
  return new RegExp(`^${re}$`);
}

export interface ExpandOptions {
  /** List S3 buckets with unsigned requests (public buckets; default: AWS_NO_SIGN_REQUEST). */
  anonymous?: boolean;
}

/**
 * The keys an `s3://bucket/key-glob` matches, sorted: ListObjectsV2 (every page) under the
 * glob's literal beginning, filtered by the pattern.
 */
export async function globS3(pattern: string, options: ExpandOptions = {}): Promise<string[]> {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(pattern);
  if (m === null) throw new InvalidArgumentError(`not an s3://bucket/key glob: ${pattern}`);
  const [, bucket, key] = m as unknown as [string, string, string];
  // List only under the characters before the first wildcard (`data/t2m_` for `data/t2m_*.nc`).
  const literal = key.slice(0, key.search(GLOB_CHARS));
  // Loaded on first use: the S3 client is not needed by local globs.
  const { S3Storage } = await import("../formats/icechunk/s3-storage.js");
  const anonymous = options.anonymous ?? (typeof process !== "undefined" && process.env?.AWS_NO_SIGN_REQUEST === "true");
  const objects = await new S3Storage(`s3://${bucket}`, { anonymous }).listObjects(literal);
  const re = keyPattern(key);
  return objects
    .map((o) => o.key)
    .filter((k) => re.test(k))
    .sort()
    .map((k) => `s3://${bucket}/${k}`);
}

/**
 * Inputs with globs expanded (in the order given; each glob's matches sorted): local paths
 * by walking the folders, `s3://` keys by listing the bucket. HTTP(S) servers have no listing
 * to rely on: a glob there is an error saying to pass the URLs as a list.
 */
export async function expandInputs(inputs: string | readonly string[], options: ExpandOptions = {}): Promise<string[]> {
  const list = typeof inputs === "string" ? [inputs] : inputs;
  const out: string[] = [];
  for (const input of list) {
    if (!isLocalInput(input)) {
      const scheme = schemeOf(input);
      const path = scheme === "s3" ? input.slice("s3://".length) : new URL(input).pathname;
      if (!hasGlob(path)) out.push(input);
      else if (scheme === "s3") {
        const matches = await globS3(input, options);
        if (matches.length === 0) throw new InvalidArgumentError(`no objects match ${input}`);
        out.push(...matches);
      } else {
        throw new UnsupportedFeatureError(
          `cannot expand the glob ${input}: ${scheme}:// servers have no listing to expand it from; pass the URLs as a list instead (vzarr refs --from-file urls.txt, or --from-file - to read them from stdin)`,
        );
      }
      continue;
    }
    if (!hasGlob(input)) {
      out.push(input);
      continue;
    }
    const matches = await globLocal(input);
    if (matches.length === 0) throw new InvalidArgumentError(`no files match ${input}`);
    out.push(...matches);
  }
  return out;
}
