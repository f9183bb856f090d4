/**
 * JSON text as Python's `json` writes it: NaN and ±Infinity become the bare tokens `NaN`,
 * `Infinity`, `-Infinity` (JSON.stringify would turn them into null and lose them).
 * fsspec, zarr-python and xarray read these tokens; values in our outputs keep them.
 */
export function jsonText(value: unknown, indent?: number): string {
  const marks = new Map<string, string>();
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) {
        const token = Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        const mark = `\u0000vzarr-nonfinite-${token}\u0000`;
        marks.set(JSON.stringify(mark), token);
        return mark;
      }
      if (typeof v === "bigint") {
        // Integers beyond 2^53 (uint64 fill values) are written exactly, as bare digits.
        const mark = `\u0000vzarr-bigint-${v}\u0000`;
        marks.set(JSON.stringify(mark), v.toString());
        return mark;
      }
      return v;
    },
    indent,
  );
  if (marks.size === 0) return text;
  let out = text;
  for (const [quoted, token] of marks) out = out.split(quoted).join(token);
  return out;
}

const NONFINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY };
const MARK = "\u0000";

/**
 * Parses JSON exactly as Python writes it: bare `NaN`, `Infinity` and `-Infinity` tokens
 * become those numbers, and integers too large for a double (uint64 fill values, offsets)
 * become BigInts instead of being rounded.
 */
export function parseJsonLenient(text: string): unknown {
  // Most texts hold no such token and no 16-digit number: one native regex pass instead of
  // the character loop below (opening a file parses its whole scan result).
  if (!/NaN|Infinity|\d{16}/.test(text)) return JSON.parse(text);
  let out = "";
  let i = 0;
  let last = 0;
  let found = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
      i++;
      continue;
    }
    let token: string | undefined;
    if (c === 78 /* N */ && text.startsWith("NaN", i)) token = "NaN";
    else if (c === 73 /* I */ && text.startsWith("Infinity", i)) token = "Infinity";
    else if (c === 45 /* - */ && text.startsWith("-Infinity", i)) token = "-Infinity";
    else if ((c >= 48 && c <= 57) || c === 45) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) j++;
      const num = text.slice(i, j);
      if (/^-?\d{16,}$/.test(num) && !Number.isSafeInteger(Number(num))) token = `int:${num}`;
      else {
        i = j;
        continue;
      }
    }
    if (token !== undefined) {
      const len = token.startsWith("int:") ? token.length - 4 : token.length;
      out += `${text.slice(last, i)}"\\u0000${token}"`;
      i += len;
      last = i;
      found = true;
      continue;
    }
    i++;
  }
  if (!found) return JSON.parse(text);
  out += text.slice(last);
  return JSON.parse(out, (_k, v: unknown) => {
    if (typeof v !== "string" || !v.startsWith(MARK)) return v;
    const body = v.slice(1);
    return body.startsWith("int:") ? BigInt(body.slice(4)) : (NONFINITE[body] ?? v);
  });
}
