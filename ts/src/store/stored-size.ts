/**
 * How many stored bytes a chunk can take, from its codecs and decoded size: a reference set
 * declaring more is corrupt (or hostile — a 325-byte kerchunk JSON can declare a 1.9 GB
 * chunk of four values), and is refused before anything is read.
 */
import type { CodecSpec } from "../metadata/array-metadata.js";

/** Headroom for headers, checksums, framing and codecs whose output size varies (GRIB). */
const SLACK = 1 << 20;

/**
 * The most bytes a chunk decoding to `decodedBytes` can be stored in: exactly its size with
 * no compression, otherwise twice its size plus 1 MiB — above every codec's worst-case
 * expansion (deflate, zstd, LZ4 and blosc add well under 1%, LZW at most half, checksums a
 * few bytes), far below what a hostile declaration needs to do harm.
 */
export function maxStoredBytes(codecs: readonly CodecSpec[], decodedBytes: number): number {
  const rest = codecs.slice(1);
  if (codecs[0]?.name === "bytes" && rest.length === 0) return decodedBytes;
  return 2 * decodedBytes + SLACK;
}
