/**
 * The byte layout of arguments and results across the raw wasm ABI; the Rust side is
 * `crates/vzarr-wasm/src/wire.rs`. Little-endian `u32`, `f64`, byte strings (u32 length +
 * bytes), string lists (u32 count + strings) and typed columns (u32 count + values).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Collects argument parts so they can be copied into wasm memory in one pass. */
export class ArgWriter {
  readonly parts: Uint8Array[] = [];
  size = 0;

  private push(part: Uint8Array): this {
    this.parts.push(part);
    this.size += part.byteLength;
    return this;
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.push(b);
  }

  f64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return this.push(b);
  }

  bytes(b: Uint8Array): this {
    return this.u32(b.byteLength).push(b);
  }

  string(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  strings(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  /** A typed column: its element count, then its bytes (platforms are little-endian). */
  column(a: Uint32Array | Float64Array | BigUint64Array): this {
    return this.u32(a.length).push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
}

/** Reads a result buffer (a private copy, so views stay valid after the next call). */
export class ResultReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.u32();
    const s = decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  strings(): string[] {
    const n = this.u32();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string();
    return out;
  }

  /** Copies `count * width` bytes into a fresh (aligned) buffer. */
  private columnBytes(width: number): [ArrayBuffer, number] {
    const n = this.u32();
    const start = this.buf.byteOffset + this.pos;
    const copy = this.buf.buffer.slice(start, start + n * width) as ArrayBuffer;
    this.pos += n * width;
    return [copy, n];
  }

  u32s(): Uint32Array {
    const [b, n] = this.columnBytes(4);
    return new Uint32Array(b, 0, n);
  }

  u64s(): BigUint64Array {
    const [b, n] = this.columnBytes(8);
    return new BigUint64Array(b, 0, n);
  }

  f64s(): Float64Array {
    const [b, n] = this.columnBytes(8);
    return new Float64Array(b, 0, n);
  }

  /** Everything not yet read. */
  rest(): Uint8Array {
    const out = this.buf.slice(this.pos);
    this.pos = this.buf.byteLength;
    return out;
  }
}
