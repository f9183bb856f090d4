/**
 * A variable's whole codec list, ready to decode chunks into native-order element bytes.
 */
import type { Core } from "../backend/core.js";
import { makeError, UnsupportedFeatureError, VzarrError } from "../errors/vzarr-error.js";
import type { ArrayMetadata } from "../metadata/array-metadata.js";
import { type DType, parseDType } from "../metadata/dtype.js";
import type { BytesDecoder, ChunkContext } from "./codec.js";
import { bytesDecoder } from "./registry.js";

export class CodecChain {
  private constructor(
    private readonly steps: BytesDecoder[],
    /** How the array→bytes step turns bytes into elements. */
    private readonly toElements: "bytes-le" | "bytes-swap" | "bytes" | BytesDecoder,
    readonly ctx: ChunkContext,
    /** Decoded size of one chunk in bytes. */
    readonly chunkBytes: number,
  ) {}

  static async create(meta: ArrayMetadata, chunkShape: readonly number[], core: Core, variable?: string): Promise<CodecChain> {
    const dtype = parseDType(meta.dtype);
    const [arrayToBytes, ...rest] = meta.codecs;
    const ctx: ChunkContext = { dtype: meta.dtype, chunkShape, variable };
    const withVariable = async (f: () => Promise<BytesDecoder>) =>
      f().catch((e: unknown) => {
        if (e instanceof VzarrError && e.variable === undefined) throw makeError(e.kind, e.message, { variable });
        throw e;
      });
    const steps = await Promise.all(rest.map((c) => withVariable(() => bytesDecoder(c, core))));
    let toElements: CodecChain["toElements"];
    if (arrayToBytes === undefined) throw new UnsupportedFeatureError("an array needs an array→bytes codec", { variable });
    if (arrayToBytes.name === "bytes") {
      const endian = arrayToBytes.configuration?.endian;
      toElements = dtype.byteOrder === "|" || dtype.itemSize <= 1 ? "bytes" : endian === "big" ? "bytes-swap" : "bytes-le";
    } else if (arrayToBytes.name === "vlen-utf8" || arrayToBytes.name === "vlen-bytes") {
      // Variable-length items: `decodeItems` turns a chunk into its strings.
      toElements = "bytes";
    } else {
      toElements = await withVariable(() => bytesDecoder(arrayToBytes, core));
    }
    const chunkBytes = chunkShape.reduce((a, b) => a * b, 1) * dtype.itemSize;
    return new CodecChain(steps, toElements, ctx, chunkBytes);
  }

  /**
   * Decodes one stored chunk of a variable-length array (`vlen-utf8`, `vlen-bytes`: a u32
   * count, then a u32 length and the bytes of each item) into its `count` items, checking
   * every length against the chunk.
   */
  async decodeItems(stored: Uint8Array, count: number): Promise<string[]> {
    let bytes = stored;
    for (let i = this.steps.length - 1; i >= 0; i--) bytes = await (this.steps[i] as BytesDecoder).decode(bytes, this.ctx);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const corrupt = (why: string) => makeError("CorruptFile", `a variable-length chunk ${why}`, { variable: this.ctx.variable });
    if (bytes.length < 4) throw corrupt("is shorter than its item count");
    const n = view.getUint32(0, true);
    if (n !== count) throw corrupt(`holds ${n} items, the chunk ${count}`);
    const out = new Array<string>(n);
    const decoder = new TextDecoder();
    let at = 4;
    for (let i = 0; i < n; i++) {
      if (at + 4 > bytes.length) throw corrupt("ends inside an item length");
      const len = view.getUint32(at, true);
      if (at + 4 + len > bytes.length) throw corrupt("ends inside an item");
      out[i] = decoder.decode(bytes.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    return out;
  }

  /** Decodes one stored chunk to its element bytes in little-endian order. */
  async decode(stored: Uint8Array): Promise<Uint8Array> {
    let bytes = stored;
    for (let i = this.steps.length - 1; i >= 0; i--) bytes = await (this.steps[i] as BytesDecoder).decode(bytes, this.ctx);
    if (typeof this.toElements !== "string") bytes = await this.toElements.decode(bytes, this.ctx);
    else if (this.toElements === "bytes-swap") bytes = swapBytes(bytes, byteOrderUnit(parseDType(this.ctx.dtype)));
    if (bytes.length < this.chunkBytes) {
      throw makeError("CorruptFile", `a chunk decoded to ${bytes.length} bytes, expected ${this.chunkBytes}`, {
        variable: this.ctx.variable,
      });
    }
    return bytes.length === this.chunkBytes ? bytes : bytes.subarray(0, this.chunkBytes);
  }
}

/** The unit byte order applies to: the element, or each part of a complex number. */
export function byteOrderUnit(dtype: DType): number {
  return dtype.kind === "c" ? dtype.itemSize / 2 : dtype.itemSize;
}

export function swapBytes(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i + size <= input.length; i += size) {
    for (let b = 0; b < size; b++) out[i + b] = input[i + size - 1 - b] as number;
  }
  return out;
}
