/**
 * Chunk decoding. A variable's codec list (Zarr v3 order) becomes a `CodecChain`: bytes→bytes
 * steps run in reverse, then the array→bytes step yields the stored element bytes in
 * *native* (little-endian) order, ready to view as a typed array.
 */
import type { CodecSpec } from "../metadata/array-metadata.js";

/** What decoders may need besides their configuration. */
export interface ChunkContext {
  /** NumPy dtype of the array (`<f4`, `>i2`). */
  dtype: string;
  /** Shape of one chunk (full size; edge chunks are padded). */
  chunkShape: readonly number[];
  /** For error messages. */
  variable?: string;
}

export interface BytesDecoder {
  readonly name: string;
  decode(input: Uint8Array, ctx: ChunkContext): Uint8Array | Promise<Uint8Array>;
}

export type DecoderFactory = (spec: CodecSpec) => BytesDecoder | Promise<BytesDecoder>;
