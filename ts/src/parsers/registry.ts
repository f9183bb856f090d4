/**
 * The parsers `openVirtualDataset` consults, in order: those a user registered (newest
 * first), then the built-in ones (`builtin.ts`). A parser is also selected by name (or one of
 * its aliases) with `parser:`, or passed as an object without being registered.
 */
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import type { Parser } from "./parser.js";

const user: Parser[] = [];
const builtin: Parser[] = [];

/**
 * Adds a parser ahead of the built-in ones (and of parsers registered before it), so it may
 * claim inputs they would take. A parser of the same name is replaced.
 */
export function registerParser(parser: Parser): void {
  unregisterParser(parser.name);
  user.unshift(parser);
}

/** Removes a parser registered with `registerParser`; built-in parsers stay. */
export function unregisterParser(name: string): void {
  const at = user.findIndex((p) => p.name === name);
  if (at >= 0) user.splice(at, 1);
}

/** Called once by `builtin.ts`. */
export function registerBuiltinParsers(parsers: readonly Parser[]): void {
  builtin.splice(0, builtin.length, ...parsers);
}

/** Built-in parsers exist in every thread; a registered or passed one only where it was made. */
export function isBuiltinParser(parser: Parser): boolean {
  return builtin.includes(parser);
}

/** Parsers registered by the user (they exist only in the thread that registered them). */
export function hasUserParsers(): boolean {
  return user.length > 0;
}

/** Every parser, in the order inputs are offered to them. */
export function registeredParsers(): readonly Parser[] {
  return [...user, ...builtin];
}

/** The parser a `parser:` option names; undefined for none or `"auto"` (sniff the input). */
export function resolveParser(spec: string | Parser | undefined): Parser | undefined {
  if (spec === undefined || spec === "auto") return undefined;
  if (typeof spec !== "string") return spec;
  const found = registeredParsers().find((p) => p.name === spec || p.aliases?.includes(spec) === true);
  if (found === undefined) {
    const names = registeredParsers().flatMap((p) => [p.name, ...(p.aliases ?? [])]);
    throw new InvalidArgumentError(`unknown parser ${JSON.stringify(spec)}; known: auto, ${names.join(", ")}`);
  }
  return found;
}
