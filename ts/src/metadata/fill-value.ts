/** Zarr v3 JSON fill values as element bytes (little-endian) of a dtype. */
import { makeError } from "../errors/vzarr-error.js";
import type { FillValue } from "./array-metadata.js";
import type { DType } from "./dtype.js";

function toNumber(v: FillValue | number | string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return 0;
}

export function fillValueBytes(fill: FillValue, dtype: DType): Uint8Array {
  const out = new Uint8Array(Math.max(dtype.itemSize, 1));
  if (fill === null || fill === undefined) return out;
  const view = new DataView(out.buffer);
  if (typeof fill === "string" && /^0x[0-9a-f]+$/i.test(fill)) {
    // A raw bit pattern, most significant byte first.
    const hex = fill.slice(2).padStart(dtype.itemSize * 2, "0");
    for (let i = 0; i < dtype.itemSize; i++) out[dtype.itemSize - 1 - i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const key = `${dtype.kind}${dtype.itemSize}`;
  const n = toNumber(fill);
  switch (key) {
    case "b1":
    case "u1":
      view.setUint8(0, n);
      break;
    case "i1":
      view.setInt8(0, n);
      break;
    case "i2":
      view.setInt16(0, n, true);
      break;
    case "u2":
      view.setUint16(0, n, true);
      break;
    case "i4":
      view.setInt32(0, n, true);
      break;
    case "u4":
      view.setUint32(0, n, true);
      break;
    case "i8":
      view.setBigInt64(0, typeof fill === "bigint" ? fill : BigInt(Math.trunc(n)), true);
      break;
    case "u8":
      view.setBigUint64(0, typeof fill === "bigint" ? fill : BigInt(Math.trunc(n)), true);
      break;
    case "f2":
      // Half floats: only the common special values matter for fills.
      view.setUint16(0, Number.isNaN(n) ? 0x7e00 : n === 0 ? 0 : n === Number.POSITIVE_INFINITY ? 0x7c00 : 0xfc00, true);
      break;
    case "f4":
      view.setFloat32(0, n, true);
      break;
    case "f8":
      view.setFloat64(0, n, true);
      break;
    case "c8":
    case "c16": {
      const [re, im] = Array.isArray(fill) ? fill : [toNumber(fill), 0];
      const half = dtype.itemSize / 2;
      const set = (at: number, v: number | string | undefined) =>
        half === 4 ? view.setFloat32(at, toNumber(v ?? 0), true) : view.setFloat64(at, toNumber(v ?? 0), true);
      set(0, re);
      set(half, im);
      break;
    }
    default:
      if (dtype.kind === "S" || dtype.kind === "V") {
        // netCDF char fills are byte values; Zarr's are strings.
        if (typeof fill === "number") out[0] = fill;
        else if (typeof fill === "string") out.set(new TextEncoder().encode(fill).subarray(0, out.length));
        return out;
      }
      throw makeError("UnsupportedFeature", `cannot use fill value ${JSON.stringify(fill)} for dtype ${dtype.text}`);
  }
  return out;
}
