/**
 * The corpus digest (`/work/shared/tools/corpus_lib.py`): sha256 of the values in
 * little-endian order, floats as float64 with NaN replaced by 1e300.
 */
import { createHash } from "node:crypto";
import type { ReadResult } from "../../ts/src/store/read-variable.js";

export function digest(r: ReadResult): string {
  const data = r.data;
  if (Array.isArray(data)) throw new Error("digest of strings is not defined");
  let bytes: Uint8Array;
  if (/^[<>]f2$/.test(r.dtype)) {
    // Half floats arrive as raw bytes; NumPy widens them to float64 for the digest.
    const raw = data as Uint8Array;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const f = new Float64Array(raw.byteLength / 2);
    for (let i = 0; i < f.length; i++) {
      const x = halfToFloat(view.getUint16(i * 2, true));
      f[i] = Number.isNaN(x) ? 1e300 : x;
    }
    bytes = new Uint8Array(f.buffer);
  } else if (/^[<>]c(8|16)$/.test(r.dtype)) {
    // Interleaved parts; NumPy's isnan is true for the whole number when either part is NaN.
    const parts = data as Float32Array | Float64Array;
    const f = new Float64Array(parts.length);
    for (let i = 0; i < f.length; i += 2) {
      const nan = Number.isNaN(parts[i] as number) || Number.isNaN(parts[i + 1] as number);
      f[i] = nan ? 1e300 : (parts[i] as number);
      f[i + 1] = nan ? 0 : (parts[i + 1] as number);
    }
    bytes = new Uint8Array(f.buffer);
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    const f = Float64Array.from(data, (x) => (Number.isNaN(x) ? 1e300 : x));
    bytes = new Uint8Array(f.buffer);
  } else {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return createHash("sha256").update(bytes).digest("hex");
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
