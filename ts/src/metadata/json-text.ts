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
      if (typeof v === "bigint") return Number(v);
      return v;
    },
    indent,
  );
  if (marks.size === 0) return text;
  let out = text;
  for (const [quoted, token] of marks) out = out.split(quoted).join(token);
  return out;
}
