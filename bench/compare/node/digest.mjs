/** sha256 of a typed array's bytes (little-endian on every platform Node runs on here) —
 * the same digest as bench/datagen/common.py's ValueDigest. */
import { createHash } from "node:crypto";

/** @param {ArrayBufferView} data */
export function valueDigest(data) {
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}
