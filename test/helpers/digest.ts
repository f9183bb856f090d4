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
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const f = Float64Array.from(data, (x) => (Number.isNaN(x) ? 1e300 : x));
    bytes = new Uint8Array(f.buffer);
  } else {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return createHash("sha256").update(bytes).digest("hex");
}
