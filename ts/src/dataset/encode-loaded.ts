/**
 * Loaded (in-memory) variables as one Zarr chunk: raw little-endian values, or vlen-utf8
 * for strings. Writers that reference file bytes for virtual variables inline these.
 */

import type { ArrayMetadata, CodecSpec } from "../metadata/array-metadata.js";
import { regularGrid } from "../metadata/array-metadata.js";
import { parseDType } from "../metadata/dtype.js";
import type { LoadedArray } from "./loaded-array.js";

export interface EncodedLoaded {
  /** Metadata of the single-chunk array the bytes encode. */
  metadata: ArrayMetadata;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();

/** vlen-utf8 (numcodecs / Zarr v3): u32 count, then u32 length + UTF-8 bytes per item. */
export function encodeVlenUtf8(values: readonly string[]): Uint8Array {
  const parts = values.map((s) => encoder.encode(s));
  const out = new Uint8Array(4 + parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, values.length, true);
  let at = 4;
  for (const p of parts) {
    view.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

export function encodeLoaded(array: LoadedArray): EncodedLoaded {
  const shape = array.shape;
  const chunkShape = shape.map((d) => Math.max(d, 1));
  const dtype = parseDType(array.dtype);
  const values = array.values;
  if (Array.isArray(values)) {
    const codecs: CodecSpec[] = [{ name: "vlen-utf8", configuration: {} }];
    return { metadata: { shape, chunkGrid: regularGrid(chunkShape), dtype: "|O", codecs, fillValue: null }, bytes: encodeVlenUtf8(values) };
  }
  const view = values as ArrayBufferView;
  let bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  // A zero-length dimension still needs a full (padded) chunk.
  const full = chunkShape.reduce((a, b) => a * b, 1) * dtype.itemSize;
  if (bytes.length < full) {
    const padded = new Uint8Array(full);
    padded.set(bytes);
    bytes = padded;
  }
  const codecs: CodecSpec[] = dtype.byteOrder === "|" ? [{ name: "bytes" }] : [{ name: "bytes", configuration: { endian: "little" } }];
  return {
    metadata: {
      shape,
      chunkGrid: regularGrid(chunkShape),
      dtype: dtype.byteOrder === ">" ? `<${dtype.kind}${dtype.itemSize}` : dtype.text,
      codecs,
      fillValue: array.metadata.fillValue,
    },
    bytes,
  };
}
