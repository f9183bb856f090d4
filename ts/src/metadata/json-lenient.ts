/**
 * JSON as Python's `json` module writes it: the bare tokens `NaN`, `Infinity` and
 * `-Infinity` are accepted (kerchunk and zarr-python metadata contain them, e.g.
 * `"missing_value": NaN` in `.zattrs`). `JSON.parse` rejects them, so they are swapped for
 * marker strings outside string literals and turned back into numbers by a reviver.
 */

const MARK = "\u0000vzarr-nonfinite:";
const TOKENS: ReadonlyArray<readonly [string, number]> = [
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["NaN", Number.NaN],
];

/** Parses JSON text that may hold NaN / Infinity tokens; throws `SyntaxError` like `JSON.parse`. */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const replaced = replaceNonFiniteTokens(text);
    if (replaced === text) throw e;
    return JSON.parse(replaced, (_key, v: unknown) => {
      if (typeof v === "string" && v.startsWith(MARK)) {
        const name = v.slice(MARK.length);
        return TOKENS.find(([t]) => t === name)?.[1] ?? v;
      }
      return v;
    });
  }
}

/** Rewrites NaN/Infinity tokens that stand outside string literals as marker strings. */
function replaceNonFiniteTokens(text: string): string {
  let out = "";
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string literal, honouring backslash escapes.
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    const token = TOKENS.find(([t]) => text.startsWith(t, i));
    if (token !== undefined) {
      // The NUL is written as an escape: a raw control character is not valid JSON.
      out += `${text.slice(from, i)}"\\u0000${MARK.slice(1)}${token[0]}"`;
      i += token[0].length;
      from = i;
      continue;
    }
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}
