/**
 * A FlatBuffers builder (back to front, like the reference builders) with the few
 * primitives Icechunk's schemas need, plus `reserve()` for hot loops that lay out
 * fixed-shape tables by hand (chunk refs, tx-log coordinates) against a shared vtable.
 *
 * Offsets handed around are "from the end" (as in every FlatBuffers builder): they stay
 * valid when the buffer grows, because growth copies the data to the end of a larger one.
 */

const encoder = new TextEncoder();

export class FbBuilder {
  bytes: Uint8Array;
  view: DataView;
  /** Start of the written data; it occupies `[space, bytes.length)`. */
  space: number;
  private minAlign = 1;
  private slots: number[] = [];
  private objectStart = 0;
  private readonly vtables = new Map<string, number>();
  private readonly strings = new Map<string, number>();

  constructor(initialSize = 1024) {
    this.bytes = new Uint8Array(Math.max(64, initialSize));
    this.view = new DataView(this.bytes.buffer);
    this.space = this.bytes.length;
  }

  /** Bytes written so far (also: the from-end offset of the last thing written). */
  offset(): number {
    return this.bytes.length - this.space;
  }

  private grow(needed: number): void {
    const used = this.offset();
    let size = this.bytes.length;
    while (size - used < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(this.space), size - used);
    this.bytes = next;
    this.view = new DataView(next.buffer);
    this.space = size - used;
  }

  /** Pads so that after writing `additional` bytes the offset is a multiple of `align`. */
  prep(align: number, additional: number): void {
    if (align > this.minAlign) this.minAlign = align;
    const pad = (align - ((this.offset() + additional) % align)) % align;
    if (this.space < pad + additional) this.grow(pad + additional);
    for (let i = 0; i < pad; i++) this.bytes[--this.space] = 0;
  }

  /**
   * Reserves `size` bytes whose first byte ends up at a from-end offset ≡ `phase` (mod
   * `align`); returns the absolute index of the first byte in `bytes` (valid until the next
   * call that may grow the buffer).
   */
  reserve(size: number, align: number, phase = 0): number {
    if (align > this.minAlign) this.minAlign = align;
    if (this.space < size + align) this.grow(size + align);
    const pad = (((phase - ((this.offset() + size) % align)) % align) + align) % align;
    for (let i = 0; i < pad; i++) this.bytes[--this.space] = 0;
    this.space -= size;
    return this.space;
  }

  /** From-end offset of an absolute index. */
  fromEnd(absolute: number): number {
    return this.bytes.length - absolute;
  }

  putU8(v: number): void {
    this.bytes[--this.space] = v;
  }
  putU16(v: number): void {
    this.space -= 2;
    this.view.setUint16(this.space, v, true);
  }
  putU32(v: number): void {
    this.space -= 4;
    this.view.setUint32(this.space, v, true);
  }
  putI32(v: number): void {
    this.space -= 4;
    this.view.setInt32(this.space, v, true);
  }
  putU64(v: number | bigint): void {
    this.space -= 8;
    this.view.setBigUint64(this.space, BigInt(v), true);
  }

  /** A uoffset to `target` (from-end) written at the current position. */
  putOffset(target: number): void {
    this.prep(4, 4);
    this.putU32(this.offset() + 4 - target);
  }

  createString(s: string): number {
    return this.createUtf8(encoder.encode(s));
  }

  /** One copy of each distinct string. */
  createSharedString(s: string): number {
    let off = this.strings.get(s);
    if (off === undefined) {
      off = this.createString(s);
      this.strings.set(s, off);
    }
    return off;
  }

  createUtf8(utf8: Uint8Array): number {
    this.prep(4, utf8.length + 1);
    this.bytes[--this.space] = 0;
    this.space -= utf8.length;
    this.bytes.set(utf8, this.space);
    this.putU32(utf8.length);
    return this.offset();
  }

  createBytes(data: Uint8Array, align = 1): number {
    this.prep(Math.max(4, align), data.length);
    this.prep(4, data.length + 4);
    this.space -= data.length;
    this.bytes.set(data, this.space);
    this.putU32(data.length);
    return this.offset();
  }

  createU16Vector(values: readonly number[]): number {
    this.prep(4, 2 * values.length + 4);
    for (let i = values.length - 1; i >= 0; i--) this.putU16(values[i] as number);
    this.putU32(values.length);
    return this.offset();
  }

  createU32Vector(values: ArrayLike<number>): number {
    this.prep(4, 4 * values.length + 4);
    for (let i = values.length - 1; i >= 0; i--) this.putU32(values[i] as number);
    this.putU32(values.length);
    return this.offset();
  }

  createOffsetVector(targets: readonly number[]): number {
    this.prep(4, 4 * targets.length + 4);
    for (let i = targets.length - 1; i >= 0; i--) this.putOffset(targets[i] as number);
    this.putU32(targets.length);
    return this.offset();
  }

  /** A vector of fixed-size structs given as raw little-endian bytes each. */
  createStructVector(items: readonly Uint8Array[], size: number, align: number): number {
    this.prep(Math.max(4, align), size * items.length);
    this.prep(4, size * items.length + 4);
    for (let i = items.length - 1; i >= 0; i--) {
      this.space -= size;
      this.bytes.set(items[i] as Uint8Array, this.space);
    }
    this.putU32(items.length);
    return this.offset();
  }

  startTable(): void {
    this.slots = [];
    this.objectStart = this.offset();
  }

  addU8(slot: number, v: number): void {
    this.prep(1, 1);
    this.putU8(v);
    this.slots[slot] = this.offset();
  }
  addU16(slot: number, v: number): void {
    this.prep(2, 2);
    this.putU16(v);
    this.slots[slot] = this.offset();
  }
  addU32(slot: number, v: number): void {
    this.prep(4, 4);
    this.putU32(v);
    this.slots[slot] = this.offset();
  }
  addI32(slot: number, v: number): void {
    this.prep(4, 4);
    this.putI32(v);
    this.slots[slot] = this.offset();
  }
  addU64(slot: number, v: number | bigint): void {
    this.prep(8, 8);
    this.putU64(v);
    this.slots[slot] = this.offset();
  }
  addOffset(slot: number, target: number): void {
    this.putOffset(target);
    this.slots[slot] = this.offset();
  }
  /** An inline struct given as its raw bytes. */
  addStruct(slot: number, data: Uint8Array, align: number): void {
    this.prep(align, data.length);
    this.space -= data.length;
    this.bytes.set(data, this.space);
    this.slots[slot] = this.offset();
  }

  endTable(): number {
    this.prep(4, 4);
    this.putI32(0);
    const tableEnd = this.offset();
    const n = this.slots.length;
    const entries = new Uint16Array(n + 2);
    entries[0] = (n + 2) * 2;
    entries[1] = tableEnd - this.objectStart;
    for (let s = 0; s < n; s++) {
      const at = this.slots[s];
      entries[s + 2] = at === undefined ? 0 : tableEnd - at;
    }
    const key = entries.join(",");
    let vt = this.vtables.get(key);
    if (vt === undefined) {
      this.prep(2, entries.length * 2);
      for (let i = entries.length - 1; i >= 0; i--) this.putU16(entries[i] as number);
      vt = this.offset();
      this.vtables.set(key, vt);
    }
    // soffset = table position − vtable position (absolute) = vt − tableEnd (from the end).
    this.view.setInt32(this.bytes.length - tableEnd, vt - tableEnd, true);
    return tableEnd;
  }

  /**
   * Writes a vtable for a table laid out by hand: `fields[slot]` = byte offset of the field
   * inside the table (0 = absent). Returns its from-end offset for `soffsetTo`.
   */
  createVtable(tableSize: number, fields: readonly number[]): number {
    const entries = [(fields.length + 2) * 2, tableSize, ...fields];
    this.prep(2, entries.length * 2);
    for (let i = entries.length - 1; i >= 0; i--) this.putU16(entries[i] as number);
    return this.offset();
  }

  finish(root: number, identifier = "Ichk"): Uint8Array {
    this.prep(Math.max(this.minAlign, 4), 8);
    const id = encoder.encode(identifier);
    for (let i = 3; i >= 0; i--) this.putU8(id[i] as number);
    this.putOffset(root);
    return this.bytes.subarray(this.space);
  }
}

/** Bytes of an ObjectId12-like struct list etc.: a little-endian u32 pair (`ChunkIndexRange`). */
export function u32Pair(a: number, b: number): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, a, true);
  v.setUint32(4, b, true);
  return out;
}
