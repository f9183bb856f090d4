/**
 * Expansion of a version 1 reference set's `gen` entries, as fsspec does it with
 * `simple_templates=False`: each entry's `dimensions` (`{start?, stop, step?}` ranges or
 * explicit lists) are combined as a cartesian product in key order (the last dimension
 * varies fastest), and `key`, `url`, `offset`, `length` are rendered with the product's
 * values plus the set's `templates`. `offset` and `length` come together or not at all
 * (then the reference is to the whole file).
 */
import { CorruptFileError, LimitExceededError } from "../../errors/vzarr-error.js";
import { compileTemplate, type TemplateValue, type TemplateVariables } from "./template.js";

export interface GeneratedRef {
  key: string;
  url: string;
  /** Both undefined for a whole-file reference. */
  offset?: number;
  length?: number;
}

interface Dimension {
  name: string;
  length: number;
  /** The i-th value (ranges are not materialised: `stop` may be huge in hostile input). */
  at(i: number): TemplateValue;
}

export interface GenOptions {
  file?: string;
  /** Refuse to expand more than this many references in total. */
  maxReferences: number;
}

/** Calls `emit` for every reference the `gen` list describes. */
export function expandGen(gen: unknown, templates: TemplateVariables, emit: (ref: GeneratedRef) => void, options: GenOptions): void {
  const fail = (message: string): never => {
    throw new CorruptFileError(`invalid "gen" entry: ${message}`, { file: options.file });
  };
  if (!Array.isArray(gen)) fail("gen must be a list");
  let total = 0;
  for (const entry of gen as unknown[]) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail("each entry must be an object");
    const e = entry as Record<string, unknown>;
    if (typeof e.key !== "string" || typeof e.url !== "string") fail('"key" and "url" must be strings');
    if ("offset" in e !== "length" in e) fail('"offset" and "length" must be given together');
    const dims = dimensions(e.dimensions, fail);
    const count = dims.reduce((n, d) => n * d.length, 1);
    total += count;
    if (total > options.maxReferences) {
      throw new LimitExceededError(`"gen" expands to more than ${options.maxReferences} references`, { file: options.file });
    }
    const key = compileTemplate(e.key as string);
    const url = compileTemplate(e.url as string);
    const ranged = "offset" in e;
    const offset = ranged ? compileTemplate(String(e.offset)) : undefined;
    const length = ranged ? compileTemplate(String(e.length)) : undefined;
    const vars = new Map<string, TemplateValue>(templates);
    const at = dims.map(() => 0);
    for (let n = 0; n < count; n++) {
      dims.forEach((d, i) => {
        vars.set(d.name, d.at(at[i] as number));
      });
      const ref: GeneratedRef = { key: key(vars), url: url(vars) };
      if (offset !== undefined && length !== undefined) {
        ref.offset = integer(offset(vars), "offset", fail);
        ref.length = integer(length(vars), "length", fail);
      }
      emit(ref);
      // odometer: last dimension fastest, as itertools.product
      for (let i = dims.length - 1; i >= 0; i--) {
        at[i] = (at[i] as number) + 1;
        if ((at[i] as number) < (dims[i] as Dimension).length) break;
        at[i] = 0;
      }
    }
  }
}

function dimensions(spec: unknown, fail: (m: string) => never): Dimension[] {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return fail('"dimensions" must be an object');
  return Object.entries(spec as Record<string, unknown>).map(([name, v]) => {
    if (Array.isArray(v)) {
      const values = v.map((x) => listValue(x, name, fail));
      return { name, length: values.length, at: (i: number) => values[i] as TemplateValue };
    }
    if (v === null || typeof v !== "object") return fail(`dimension ${name} must be a list or {start, stop, step}`);
    const r = v as Record<string, unknown>;
    const start = rangeBound(r.start ?? 0, "start", name, fail);
    const stop = rangeBound(r.stop, "stop", name, fail);
    const step = rangeBound(r.step ?? 1, "step", name, fail);
    if (step === 0) fail(`dimension ${name} has step 0`);
    // Python's len(range(start, stop, step))
    const length = Math.max(0, step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step));
    return { name, length, at: (i: number) => BigInt(start + i * step) };
  });
}

function rangeBound(v: unknown, what: string, dim: string, fail: (m: string) => never): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) return fail(`dimension ${dim}: ${what} must be an integer`);
  return v;
}

function listValue(x: unknown, dim: string, fail: (m: string) => never): TemplateValue {
  if (typeof x === "number" && Number.isSafeInteger(x)) return BigInt(x);
  if (typeof x === "string") return x;
  return fail(`dimension ${dim} lists ${JSON.stringify(x)}; only integers and strings are supported`);
}

/** Python's `int()` of rendered text: optional sign and surrounding whitespace. */
function integer(text: string, what: string, fail: (m: string) => never): number {
  const t = text.trim();
  if (!/^[+]?\d+$/.test(t)) return fail(`${what} renders as ${JSON.stringify(text)}, not a non-negative integer`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return fail(`${what} ${t} is larger than 2^53`);
  return n;
}
