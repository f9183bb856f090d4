/**
 * CF decoding of stored values, as xarray's `mask_and_scale`: `_FillValue` and
 * `missing_value` become NaN, then `value * scale_factor + add_offset`. Used by
 * `vzarr cat --decode`; everything else in vzarr keeps the stored values.
 */
import { makeError } from "../errors/vzarr-error.js";
import type { ReadResult } from "./read-variable.js";

function numbers(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (typeof v === "bigint") return [Number(v)];
  if (Array.isArray(v)) return v.flatMap(numbers);
  return [];
}

export function decodeCf(r: ReadResult, attrs: Readonly<Record<string, unknown>>): ReadResult {
  if (Array.isArray(r.data)) throw makeError("UnsupportedFeature", "--decode applies to numeric variables only");
  const data = r.data as ArrayLike<number | bigint>;
  const missing = new Set([...numbers(attrs._FillValue), ...numbers(attrs.missing_value)]);
  const scale = numbers(attrs.scale_factor)[0] ?? 1;
  const offset = numbers(attrs.add_offset)[0] ?? 0;
  const plainFloat32 = r.dtype === "<f4" && scale === 1 && offset === 0;
  const out = plainFloat32 ? new Float32Array(data.length) : new Float64Array(data.length);
  const hasNaNFill = [...missing].some(Number.isNaN);
  for (let i = 0; i < data.length; i++) {
    const x = Number(data[i]);
    out[i] = missing.has(x) || (hasNaNFill && Number.isNaN(x)) ? Number.NaN : x * scale + offset;
  }
  return { data: out, shape: r.shape, dtype: plainFloat32 ? "<f4" : "<f8" };
}
