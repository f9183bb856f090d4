/**
 * A small bounds-checked FlatBuffers reader (tables by slot number, vectors, strings,
 * inline structs). Every offset read from a file is checked against the buffer, so a
 * corrupt or truncated file gives a CorruptFileError, never a RangeError or a wild read.
 */
import { CorruptFileError } from "../../errors/vzarr-error.js";

const utf8 = new TextDecoder("utf-8", { fatal: false });

export class FbBuffer {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string, at?: number): never {
    throw new CorruptFileError(`malformed Icechunk FlatBuffer: ${what}`, { file: this.file, offset: at });
  }

  check(at: number, size: number): void {
    if (at < 0 || at + size > this.bytes.length || !Number.isInteger(at)) this.fail(`read of ${size} bytes out of bounds`, at);
  }

  u8(at: number): number {
    this.check(at, 1);
    return this.bytes[at] as number;
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }
  i32(at: number): number {
    this.check(at, 4);
    return this.view.getInt32(at, true);
  }
  /** u64 as a number (exact below 2^53; larger values are rejected as corrupt). */
  u64(at: number): number {
    this.check(at, 8);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    if (hi >= 0x200000) this.fail("64-bit value too large", at);
    return hi * 0x100000000 + lo;
  }

  /** Follows a uoffset stored at `at`. */
  deref(at: number): number {
    return at + this.u32(at);
  }

  root(): FbTable {
    return this.table(this.deref(0));
  }

  table(pos: number): FbTable {
    const vt = pos - this.i32(pos);
    const vtLen = this.u16(vt);
    if (vtLen < 4 || vtLen % 2 !== 0) this.fail("bad vtable", vt);
    this.check(vt, vtLen);
    return new FbTable(this, pos, vt, vtLen);
  }

  /** Position of the first element and the length of the vector at `pos`. */
  vector(pos: number, elemSize: number): { start: number; length: number } {
    const length = this.u32(pos);
    const start = pos + 4;
    this.check(start, length * elemSize);
    return { start, length };
  }

  string(pos: number): string {
    const { start, length } = this.vector(pos, 1);
    return utf8.decode(this.bytes.subarray(start, start + length));
  }
}

export class FbTable {
  constructor(
    readonly fb: FbBuffer,
    readonly pos: number,
    readonly vt: number,
    readonly vtLen: number,
  ) {}

  /** Position of a field's value, or 0 when absent. */
  field(slot: number): number {
    const v = 4 + 2 * slot;
    if (v >= this.vtLen) return 0;
    const off = this.fb.view.getUint16(this.vt + v, true);
    return off === 0 ? 0 : this.pos + off;
  }

  has(slot: number): boolean {
    return this.field(slot) !== 0;
  }

  u8(slot: number, dflt = 0): number {
    const at = this.field(slot);
    return at === 0 ? dflt : this.fb.u8(at);
  }
  u16(slot: number, dflt = 0): number {
    const at = this.field(slot);
    return at === 0 ? dflt : this.fb.u16(at);
  }
  u32(slot: number, dflt = 0): number {
    const at = this.field(slot);
    return at === 0 ? dflt : this.fb.u32(at);
  }
  i32(slot: number, dflt = 0): number {
    const at = this.field(slot);
    return at === 0 ? dflt : this.fb.i32(at);
  }
  u64(slot: number, dflt = 0): number {
    const at = this.field(slot);
    return at === 0 ? dflt : this.fb.u64(at);
  }

  /** Inline struct bytes (a copy-free view). */
  struct(slot: number, size: number): Uint8Array | null {
    const at = this.field(slot);
    if (at === 0) return null;
    this.fb.check(at, size);
    return this.fb.bytes.subarray(at, at + size);
  }

  requiredStruct(slot: number, size: number, what: string): Uint8Array {
    return this.struct(slot, size) ?? this.fb.fail(`required field ${what} is missing`, this.pos);
  }

  table(slot: number): FbTable | null {
    const at = this.field(slot);
    return at === 0 ? null : this.fb.table(this.fb.deref(at));
  }

  requiredTable(slot: number, what: string): FbTable {
    return this.table(slot) ?? this.fb.fail(`required field ${what} is missing`, this.pos);
  }

  string(slot: number): string | null {
    const at = this.field(slot);
    return at === 0 ? null : this.fb.string(this.fb.deref(at));
  }

  requiredString(slot: number, what: string): string {
    return this.string(slot) ?? this.fb.fail(`required field ${what} is missing`, this.pos);
  }

  bytes(slot: number): Uint8Array | null {
    const at = this.field(slot);
    if (at === 0) return null;
    const { start, length } = this.fb.vector(this.fb.deref(at), 1);
    return this.fb.bytes.subarray(start, start + length);
  }

  /** A vector field: element start and count (`null` when absent). */
  vector(slot: number, elemSize: number): { start: number; length: number } | null {
    const at = this.field(slot);
    return at === 0 ? null : this.fb.vector(this.fb.deref(at), elemSize);
  }

  requiredVector(slot: number, elemSize: number, what: string): { start: number; length: number } {
    return this.vector(slot, elemSize) ?? this.fb.fail(`required field ${what} is missing`, this.pos);
  }

  /** The tables of a vector-of-tables field. */
  tables(slot: number): FbTable[] {
    const v = this.vector(slot, 4);
    if (v === null) return [];
    const out: FbTable[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.fb.table(this.fb.deref(v.start + 4 * i));
    return out;
  }

  /** Strings of a vector-of-strings field. */
  strings(slot: number): string[] {
    const v = this.vector(slot, 4);
    if (v === null) return [];
    const out: string[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.fb.string(this.fb.deref(v.start + 4 * i));
    return out;
  }
}
