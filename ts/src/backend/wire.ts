/**
 * The byte layout of arguments and results across the raw wasm ABI; the Rust side (and the
 * layout's description) is `crates/vzarr-wasm/src/wire.rs`. Little-endian `u32`, `f64`,
 * strings (u32 length + UTF-8), string lists (u32 count + strings); in arguments, byte
 * strings and typed columns follow their length or count; in results, they are a length or
 * count and the address of the values, which the module keeps until the next call.
 *
 * Both directions work in wasm memory itself: arguments are written in place into one
 * buffer the glue keeps in the module, results are read where the module left them. Only
 * what must outlive the next call is copied out (byte strings, columns), once.
 */

import { makeError, type VzarrError } from "../errors/vzarr-error.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A trap means a bug in the core (or memory exhausted): an Internal error, not "unreachable". */
export function trapError(where: string, e: unknown): VzarrError {
  return makeError("Internal", `the wasm core trapped in ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** What the wire needs of the module: its memory and its allocator. */
export interface WireExports {
  readonly memory: WebAssembly.Memory;
  vz_alloc(len: number): number;
  vz_free(ptr: number, len: number): void;
}

/**
 * Views over the module's memory, kept until the memory grows: growing detaches the old
 * `ArrayBuffer` (its views read as empty), so `refresh()` after any call into the module
 * costs one comparison when nothing grew.
 */
export class MemoryViews {
  u8: Uint8Array;
  dv: DataView;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.dv = new DataView(memory.buffer);
  }

  refresh(): void {
    if (this.u8.byteLength === 0) {
      const buffer = this.memory.buffer;
      this.u8 = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
    }
  }
}

/** A column's bytes on the wire (count + values). */
export const columnSize = (a: ArrayBufferView): number => 4 + a.byteLength;
/** At most a string's bytes on the wire (length + UTF-8, ≤ 3 bytes per UTF-16 unit). */
export const stringBound = (s: string): number => 4 + 3 * s.length;

/** Strings this short are written by a loop while they are ASCII (encodeInto's fixed cost is ~60 ns). */
const SHORT_STRING = 24;
/** The argument buffer kept between calls; a call that needed more gives its buffer back. */
const KEEP = 1 << 20;
const FIRST = 4096;
/** wasm32 addresses: nothing larger can be allocated. */
const MAX_ALLOC = 0xffff_0000;

/**
 * Writes one call's arguments in place into a buffer in wasm memory that is reused from
 * call to call: `begin()`, the values, then the export is called with `ptr` and `size`.
 * The buffer grows (to a fresh allocation, keeping what is written) when a value does not
 * fit; `sizeHint` at `begin` avoids that for large arguments.
 */
export class ArgWriter {
  /** Start of the buffer in wasm memory (0 until the first argument). */
  ptr = 0;
  private cap = 0;
  private at = 0;

  constructor(
    private readonly ex: WireExports,
    private readonly mem: MemoryViews,
  ) {}

  /** Bytes written since `begin`. */
  get size(): number {
    return this.at - this.ptr;
  }

  begin(sizeHint = 0): this {
    if (this.cap > KEEP) this.release();
    this.at = this.ptr;
    if (sizeHint > this.cap) this.grow(sizeHint);
    return this;
  }

  /** After the call: a buffer grown past `KEEP` for a large argument goes back to the heap. */
  release(): void {
    if (this.cap > KEEP) {
      const { ptr, cap } = this;
      this.ptr = this.at = this.cap = 0;
      try {
        this.ex.vz_free(ptr, cap);
      } catch (e) {
        throw trapError("vz_free", e);
      }
    }
  }

  private room(n: number): void {
    if (this.at + n > this.ptr + this.cap) this.grow(n);
  }

  private grow(n: number): void {
    const used = this.at - this.ptr;
    const cap = Math.max(used + n, this.cap * 2, FIRST);
    if (cap > MAX_ALLOC) throw makeError("LimitExceeded", `${cap} bytes of arguments do not fit in the wasm core's memory (4 GiB)`);
    let ptr: number;
    try {
      ptr = this.ex.vz_alloc(cap) >>> 0;
    } catch (e) {
      throw trapError("vz_alloc", e);
    }
    this.mem.refresh();
    if (used > 0) this.mem.u8.copyWithin(ptr, this.ptr, this.at);
    const old = this.ptr;
    const oldCap = this.cap;
    this.ptr = ptr;
    this.cap = cap;
    this.at = ptr + used;
    if (oldCap > 0) {
      try {
        this.ex.vz_free(old, oldCap);
      } catch (e) {
        throw trapError("vz_free", e);
      }
    }
  }

  u32(v: number): this {
    this.room(4);
    this.mem.dv.setUint32(this.at, v, true);
    this.at += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.mem.dv.setFloat64(this.at, v, true);
    this.at += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(4 + b.byteLength);
    this.mem.dv.setUint32(this.at, b.byteLength, true);
    this.mem.u8.set(b, this.at + 4);
    this.at += 4 + b.byteLength;
    return this;
  }

  string(s: string): this {
    const n = s.length;
    this.room(4 + 3 * n);
    const u8 = this.mem.u8;
    const start = this.at + 4;
    let written = -1;
    if (n <= SHORT_STRING) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[start + i] = c;
      }
      if (i === n) written = n;
    }
    if (written < 0) written = encoder.encodeInto(s, u8.subarray(start, start + 3 * n)).written;
    this.mem.dv.setUint32(this.at, written, true);
    this.at = start + written;
    return this;
  }

  strings(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  /** A typed column: its element count, then its bytes (platforms are little-endian). */
  column(a: Uint32Array | Float64Array | BigUint64Array): this {
    this.room(4 + a.byteLength);
    this.mem.dv.setUint32(this.at, a.length, true);
    this.mem.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.at + 4);
    this.at += 4 + a.byteLength;
    return this;
  }
}

/**
 * Reads the last call's result where the module left it (valid until the next call into
 * the module). Numbers and strings are read in place; byte strings and columns are copied
 * out, since callers keep them.
 */
export class ResultReader {
  private at = 0;
  private end = 0;

  constructor(private readonly mem: MemoryViews) {}

  reset(ptr: number, len: number): this {
    this.at = ptr;
    this.end = ptr + len;
    return this;
  }

  u32(): number {
    const v = this.mem.dv.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.mem.dv.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  /** A byte string (length, address), copied out. */
  bytes(): Uint8Array {
    const n = this.u32();
    const ptr = this.u32();
    return this.mem.u8.slice(ptr, ptr + n);
  }

  string(): string {
    const n = this.u32();
    const s = decoder.decode(this.mem.u8.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }

  strings(): string[] {
    const n = this.u32();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string();
    return out;
  }

  /** An `f64` column as plain numbers (short lists: shapes, statistics). */
  numbers(): number[] {
    const n = this.u32();
    const ptr = this.u32();
    const out = new Array<number>(n);
    const dv = this.mem.dv;
    for (let i = 0; i < n; i++) out[i] = dv.getFloat64(ptr + 8 * i, true);
    return out;
  }

  /** A column (count, address): its values copied into a fresh (aligned) buffer. */
  private columnBytes(width: number): [ArrayBuffer, number] {
    const n = this.u32();
    const ptr = this.u32();
    return [this.mem.u8.buffer.slice(ptr, ptr + n * width) as ArrayBuffer, n];
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

  /** Everything not yet read, copied out. */
  rest(): Uint8Array {
    const out = this.mem.u8.slice(this.at, this.end);
    this.at = this.end;
    return out;
  }
}
