/** Zarr v3's `crc32c` codec (numcodecs' CRC32C): a little-endian CRC-32C after (or before) the bytes. */
import { CorruptFileError } from "../errors/vzarr-error.js";
import { crc32c } from "./crc32c.js";

export function stripCrc32c(bytes: Uint8Array, atStart: boolean, variable?: string): Uint8Array {
  if (bytes.length < 4) throw new CorruptFileError("a crc32c chunk is shorter than its checksum", { variable });
  const data = atStart ? bytes.subarray(4) : bytes.subarray(0, bytes.length - 4);
  const stored = atStart ? bytes.subarray(0, 4) : bytes.subarray(bytes.length - 4);
  const expected = new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true);
  if (crc32c(data) !== expected) throw new CorruptFileError("crc32c checksum mismatch", { variable });
  return data;
}
