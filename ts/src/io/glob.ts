/**
 * Glob expansion for local paths (Node 20 has no `fs.glob`): `*` and `?` within one path
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
import { isLocalInput } from "./url-scheme.js";

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
 * Inputs with local globs expanded (in the order given; each glob's matches sorted). URLs of
 * other schemes pass through; globbing them would need listing, which is not supported.
 */
export async function expandInputs(inputs: string | readonly string[]): Promise<string[]> {
  const list = typeof inputs === "string" ? [inputs] : inputs;
  const out: string[] = [];
  for (const input of list) {
    if (!isLocalInput(input)) {
      if (hasGlob(new URL(input).pathname))
        throw new UnsupportedFeatureError(`cannot expand the glob ${input}: only local paths are listed`);
      out.push(input);
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
