/**
 * Manifest files (`manifests/<id>`): chunk refs per array node, sorted by coordinates.
 *
 * The writer lays each ChunkRef table out by hand against one shared vtable per kind
 * (virtual / virtual+last-modified / virtual+etag / inline / native), straight from the
 * manifest's columns: no per-chunk JS object, one pass, a few typed-array writes per ref.
 * C order of the chunk grid is lexicographic order of coordinates, so a forward walk
 * over the flat index is already the sort order Icechunk's binary search needs.
 */
import { INLINED_ID, MISSING_ID } from "../../backend/core.js";
import { decodeFile, encodeFile, FileType } from "./envelope.js";
import { FbBuilder } from "./fb-builder.js";
import { FbBuffer } from "./fb-reader.js";
import { compareBytes, type ObjectId8, type ObjectId12 } from "./ids.js";
import { locationDecoder } from "./zstd-dictionary.js";

/** How a virtual ref pins the version of its source object (at most one is stored). */
export interface Checksum {
  etag?: string;
  /** Seconds since the epoch. */
  lastModified?: number;
}

export interface NativeChunk {
  chunkId: ObjectId12;
  offset: number;
  length: number;
}

/** The refs of one array (or one split part of it) to put in a manifest. */
export interface ArrayRefColumns {
  nodeId: ObjectId8;
  /** Chunks per axis of the grid the columns cover. */
  gridShape: readonly number[];
  /** Chunk coordinates of the columns' first chunk in the array's grid (appends, splits). */
  origin: readonly number[];
  /** Flat C-order range `[start, end)` of the columns to write. */
  start: number;
  end: number;
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  /** Stored location per path id (absolute URL or `vcc://…`). */
  locations: readonly string[];
  checksums?: readonly (Checksum | undefined)[];
  /** Bytes of `INLINED_ID` chunks by flat index. */
  inlined?: ReadonlyMap<number, Uint8Array>;
  /** `INLINED_ID` chunks stored as native chunk objects instead, by flat index. */
  native?: ReadonlyMap<number, NativeChunk>;
}

export interface EncodedManifest {
  bytes: Uint8Array;
  numRefs: number;
}

const VIRTUAL_SIZE = 32; // soffset, offset@4, length@12, index@20, location@24, checksum@28
const INLINE_SIZE = 12; // soffset, index@4, inline@8
const NATIVE_SIZE = 36; // soffset, offset@4, length@12, index@20, chunk_id@24

/** Encodes a manifest holding `arrays` (sorted by node id here); `null` when it has no ref. */
export function encodeManifest(id: ObjectId12, arrays: readonly ArrayRefColumns[]): EncodedManifest | null {
  // Per ref: table, index vector, its slot in the refs vector, alignment padding.
  const estimate = arrays.reduce((n, a) => n + (a.end - a.start) * (VIRTUAL_SIZE + 16 + 4 * a.gridShape.length), 0);
  const b = new FbBuilder(Math.min(estimate + 4096, 1 << 30));
  const sorted = [...arrays].sort((x, y) => compareBytes(x.nodeId, y.nodeId));
  const arrayTables: number[] = [];
  let numRefs = 0;
  for (const a of sorted) {
    const refs = writeRefs(b, a);
    if (refs.count === 0) continue;
    numRefs += refs.count;
    b.startTable();
    b.addStruct(0, a.nodeId, 1);
    b.addOffset(1, refs.vector);
    arrayTables.push(b.endTable());
  }
  if (numRefs === 0) return null;
  const arraysVec = b.createOffsetVector(arrayTables);
  b.startTable();
  b.addStruct(0, id, 1);
  b.addOffset(1, arraysVec);
  // Written explicitly: the schema default (1) means "locations compressed with a dictionary".
  b.addU8(3, 0);
  const root = b.endTable();
  return { bytes: encodeFile(2, FileType.Manifest, b.finish(root)), numRefs };
}

function writeRefs(b: FbBuilder, a: ArrayRefColumns): { vector: number; count: number } {
  const ndim = a.gridShape.length;
  const { ids, start, end } = a;
  // u64 columns read as (lo, hi) u32 pairs: no BigInt per chunk (little-endian hosts).
  const off32 = new Uint32Array(a.offsets.buffer, a.offsets.byteOffset, a.offsets.length * 2);
  const len32 = new Uint32Array(a.lengths.buffer, a.lengths.byteOffset, a.lengths.length * 2);

  // Shared pieces: location strings and etags once per path, then one vtable per kind.
  const used = new Uint8Array(a.locations.length);
  for (let i = start; i < end; i++) {
    const id = ids[i] as number;
    if (id < INLINED_ID) used[id] = 1;
  }
  const locationAt = new Float64Array(a.locations.length);
  const etagAt = new Float64Array(a.locations.length);
  const checksumKind = new Uint8Array(a.locations.length); // 0 none, 1 last-modified, 2 etag
  const lastModified = new Uint32Array(a.locations.length);
  for (let p = 0; p < a.locations.length; p++) {
    if (used[p] === 0) continue;
    locationAt[p] = b.createString(a.locations[p] as string);
    const c = a.checksums?.[p];
    if (c?.lastModified !== undefined && c.lastModified > 0) {
      checksumKind[p] = 1;
      lastModified[p] = Math.min(c.lastModified, 0xffffffff);
    } else if (c?.etag !== undefined && c.etag !== "") {
      checksumKind[p] = 2;
      etagAt[p] = b.createString(c.etag);
    }
  }
  const vtVirtual = [
    b.createVtable(VIRTUAL_SIZE, [20, 0, 4, 12, 0, 24]),
    b.createVtable(VIRTUAL_SIZE, [20, 0, 4, 12, 0, 24, 0, 28]),
    b.createVtable(VIRTUAL_SIZE, [20, 0, 4, 12, 0, 24, 28]),
  ];
  const vtInline = b.createVtable(INLINE_SIZE, [4, 8]);
  const vtNative = b.createVtable(NATIVE_SIZE, [20, 0, 4, 12, 24]);

  const tables = new Float64Array(end - start);
  const coords = new Uint32Array(ndim);
  const origin = a.origin;
  const grid = a.gridShape;
  let count = 0;
  // Back to front: the last ref first, so tables end up in ascending address order.
  for (let i = end - 1; i >= start; i--) {
    const id = ids[i] as number;
    if (id === MISSING_ID) continue;
    let q = i;
    for (let d = ndim - 1; d >= 0; d--) {
      const g = grid[d] as number;
      const c = q % g;
      q = (q - c) / g;
      coords[d] = c + (origin[d] as number);
    }
    // The index vector, then the table right below it.
    const iv = b.reserve(4 + 4 * ndim, 4, 0);
    const view = b.view;
    view.setUint32(iv, ndim, true);
    for (let d = 0; d < ndim; d++) view.setUint32(iv + 4 + 4 * d, coords[d] as number, true);
    const ivOff = b.fromEnd(iv);

    let t: number;
    if (id < INLINED_ID) {
      const kind = checksumKind[id] as number;
      t = b.reserve(VIRTUAL_SIZE, 8, 4);
      const v = b.view;
      const cap = b.bytes.length;
      const tOff = cap - t;
      v.setInt32(t, (vtVirtual[kind] as number) - tOff, true);
      v.setUint32(t + 4, off32[2 * i] as number, true);
      v.setUint32(t + 8, off32[2 * i + 1] as number, true);
      v.setUint32(t + 12, len32[2 * i] as number, true);
      v.setUint32(t + 16, len32[2 * i + 1] as number, true);
      v.setUint32(t + 20, tOff - 20 - ivOff, true);
      v.setUint32(t + 24, tOff - 24 - (locationAt[id] as number), true);
      if (kind === 1) v.setUint32(t + 28, lastModified[id] as number, true);
      else if (kind === 2) v.setUint32(t + 28, tOff - 28 - (etagAt[id] as number), true);
      else v.setUint32(t + 28, 0, true);
    } else {
      const native = a.native?.get(i);
      if (native !== undefined) {
        t = b.reserve(NATIVE_SIZE, 8, 4);
        const v = b.view;
        const tOff = b.bytes.length - t;
        v.setInt32(t, vtNative - tOff, true);
        v.setBigUint64(t + 4, BigInt(native.offset), true);
        v.setBigUint64(t + 12, BigInt(native.length), true);
        v.setUint32(t + 20, tOff - 20 - ivOff, true);
        b.bytes.set(native.chunkId, t + 24);
      } else {
        const data = a.inlined?.get(i) ?? new Uint8Array(0);
        const dataOff = b.createBytes(data);
        t = b.reserve(INLINE_SIZE, 4, 0);
        const v = b.view;
        const tOff = b.bytes.length - t;
        v.setInt32(t, vtInline - tOff, true);
        v.setUint32(t + 4, tOff - 4 - ivOff, true);
        v.setUint32(t + 8, tOff - 8 - dataOff, true);
      }
    }
    tables[count++] = b.fromEnd(t);
  }
  // The refs vector in ascending coordinate order (tables[] was filled in descending order).
  const vec = b.reserve(4 + 4 * count, 4, 0);
  const v = b.view;
  const vecOff = b.fromEnd(vec);
  v.setUint32(vec, count, true);
  for (let k = 0; k < count; k++) {
    const fieldOff = vecOff - 4 - 4 * k;
    v.setUint32(vec + 4 + 4 * k, fieldOff - (tables[count - 1 - k] as number), true);
  }
  return { vector: vecOff, count };
}

/** One chunk ref as read from a manifest. */
export type ChunkRefKind = "virtual" | "inline" | "native";

export interface ReadChunkRef {
  kind: ChunkRefKind;
  coords: number[];
  offset: number;
  length: number;
  location?: string;
  checksum?: Checksum;
  inline?: Uint8Array;
  chunkId?: ObjectId12;
}

/** A decoded manifest file: arrays by node id, refs read on demand. */
export class ManifestFile {
  private constructor(
    readonly id: ObjectId12,
    private readonly fb: FbBuffer,
    private readonly arrays: { nodeId: ObjectId8; refs: { start: number; length: number } }[],
    private readonly decodeLocation: ((c: Uint8Array) => string) | undefined,
  ) {}

  /** Location strings by position: writers share one string per file among many refs. */
  private readonly strings = new Map<number, string>();

  private locationAt(slot: number): string {
    const fb = this.fb;
    const pos = fb.deref(slot);
    let s = this.strings.get(pos);
    if (s === undefined) {
      s = fb.string(pos);
      if (this.strings.size >= 65536) this.strings.clear();
      this.strings.set(pos, s);
    }
    return s;
  }

  static async decode(bytes: Uint8Array, file: string): Promise<ManifestFile> {
    const { payload } = decodeFile(bytes, FileType.Manifest, file);
    const fb = new FbBuffer(payload, file);
    const root = fb.root();
    const id = root.requiredStruct(0, 12, "Manifest.id").slice();
    const arrays = root.tables(1).map((t) => ({
      nodeId: t.requiredStruct(0, 8, "ArrayManifest.node_id").slice(),
      refs: t.requiredVector(1, 4, "ArrayManifest.refs"),
    }));
    const dictionary = root.bytes(2);
    const algorithm = root.u8(3, 1);
    const decodeLocation = algorithm === 1 && dictionary !== null ? await locationDecoder(dictionary.slice(), file) : undefined;
    return new ManifestFile(id, fb, arrays, decodeLocation);
  }

  get nodeIds(): ObjectId8[] {
    return this.arrays.map((a) => a.nodeId);
  }

  /** Number of refs stored for a node (0 when the node is not in this manifest). */
  count(nodeId: ObjectId8): number {
    return this.find(nodeId)?.refs.length ?? 0;
  }

  private find(nodeId: ObjectId8) {
    let lo = 0;
    let hi = this.arrays.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = compareBytes((this.arrays[mid] as { nodeId: Uint8Array }).nodeId, nodeId);
      if (c === 0) return this.arrays[mid];
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Calls `visit` for every ref of a node, in stored order. */
  forEachRef(nodeId: ObjectId8, visit: (ref: ReadChunkRef) => void): void {
    const a = this.find(nodeId);
    if (a === undefined) return;
    for (let k = 0; k < a.refs.length; k++) visit(this.readRef(a.refs.start + 4 * k));
  }

  /** The ref at `coords`, by binary search; `undefined` when absent. */
  lookup(nodeId: ObjectId8, coords: readonly number[]): ReadChunkRef | undefined {
    const a = this.find(nodeId);
    if (a === undefined) return undefined;
    let lo = 0;
    let hi = a.refs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = a.refs.start + 4 * mid;
      const c = compareCoords(this.indexAt(at), coords);
      if (c === 0) return this.readRef(at);
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private indexAt(slotPos: number): number[] {
    const t = this.fb.table(this.fb.deref(slotPos));
    const v = t.requiredVector(0, 4, "ChunkRef.index");
    const out: number[] = new Array(v.length);
    for (let d = 0; d < v.length; d++) out[d] = this.fb.view.getUint32(v.start + 4 * d, true);
    return out;
  }

  private readRef(slotPos: number): ReadChunkRef {
    const fb = this.fb;
    const t = fb.table(fb.deref(slotPos));
    const iv = t.requiredVector(0, 4, "ChunkRef.index");
    const coords: number[] = new Array(iv.length);
    for (let d = 0; d < iv.length; d++) coords[d] = fb.view.getUint32(iv.start + 4 * d, true);
    const offset = t.u64(2);
    const length = t.u64(3);
    const chunkId = t.struct(4, 12);
    if (chunkId !== null) return { kind: "native", coords, offset, length, chunkId: chunkId.slice() };
    const compressed = t.bytes(8);
    let location: string | null = null;
    if (compressed !== null) {
      const decode = this.decodeLocation ?? fb.fail("a compressed chunk location without a location dictionary");
      location = decode(compressed);
    } else {
      const slot = t.field(5);
      location = slot === 0 ? null : this.locationAt(slot);
    }
    if (location !== null) {
      const etag = t.string(6);
      const lastModified = t.u32(7);
      const checksum = etag !== null ? { etag } : lastModified !== 0 ? { lastModified } : undefined;
      return { kind: "virtual", coords, offset, length, location, ...(checksum === undefined ? {} : { checksum }) };
    }
    const inline = t.bytes(1);
    if (inline !== null) return { kind: "inline", coords, offset: 0, length: inline.length, inline: inline.slice() };
    return fb.fail(`chunk ref ${JSON.stringify(coords)} has no payload`);
  }
}

function compareCoords(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
