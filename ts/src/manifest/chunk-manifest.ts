/**
 * `ChunkManifest`: where every chunk of one array lives. The columns (path id, offset,
 * length per chunk, in C order of the chunk grid) are owned by the Rust core; this class
 * holds a handle. Free it with `free()` or a `using` declaration; a FinalizationRegistry
 * frees forgotten ones eventually, but large manifests should not wait for the GC.
 */

import type { Table } from "apache-arrow";
import { type Core, type Handle, INLINED_ID, type ManifestColumns, MISSING_ID } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { makeError } from "../errors/vzarr-error.js";

/** A chunk that exists: a byte range of a file, or bytes held in the manifest (`data`). */
export interface ChunkRef {
  path: string;
  offset: number;
  length: number;
  /** Set for inlined chunks (then `path` is `""`). */
  data?: Uint8Array;
}

/** The Arrow conversions (`manifest/arrow.ts`), which install themselves when loaded. */
export interface ArrowConversions {
  toArrow(manifest: ChunkManifest): Table;
  fromArrow(table: Table, shape: readonly number[] | undefined, core: Core): ChunkManifest;
}

// Not imported here: apache-arrow takes ~80 ms to load, and scan workers — which only build
// manifests — would pay it at every start. The package entries import manifest/arrow.ts.
let arrow: ArrowConversions | undefined;

export function provideArrowConversions(conversions: ArrowConversions): void {
  arrow = conversions;
}

function arrowConversions(): ArrowConversions {
  if (arrow === undefined) throw makeError("Internal", "Arrow support is not loaded: import vzarr's package entry");
  return arrow;
}

/** Paths given per chunk (`""` = missing) or as a deduplicated table plus ids. */
export type PathsInput = readonly string[] | { table: readonly string[]; ids: Uint32Array };

export interface ManifestArrays {
  /** Shape of the chunk grid (number of chunks per axis). */
  shape: readonly number[];
  paths: PathsInput;
  offsets: BigUint64Array | readonly number[];
  lengths: BigUint64Array | readonly number[];
}

interface Owned {
  core: Core;
  handle: Handle;
}

const registry = new FinalizationRegistry<Owned>(({ core, handle }) => {
  try {
    core.manifestFree(handle);
  } catch {
    // Already freed through another path; nothing to do in a finalizer.
  }
});

function toBigColumn(v: BigUint64Array | readonly number[], what: string): BigUint64Array {
  if (v instanceof BigUint64Array) return v;
  const out = new BigUint64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (!Number.isSafeInteger(x) || x < 0) {
      throw makeError("InvalidArgument", `${what}[${i}] must be a non-negative integer, got ${x}`);
    }
    out[i] = BigInt(x);
  }
  return out;
}

function toIds(paths: PathsInput): { table: string[]; ids: Uint32Array } {
  if (!Array.isArray(paths)) {
    const p = paths as { table: readonly string[]; ids: Uint32Array };
    return { table: [...p.table], ids: p.ids };
  }
  const list = paths as readonly string[];
  const index = new Map<string, number>();
  const table: string[] = [];
  const ids = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as string;
    if (p === "") {
      ids[i] = MISSING_ID;
      continue;
    }
    let id = index.get(p);
    if (id === undefined) {
      id = table.length;
      table.push(p);
      index.set(p, id);
    }
    ids[i] = id;
  }
  return { table, ids };
}

export class ChunkManifest implements Disposable {
  readonly core: Core;
  #handle: Handle | undefined;
  #shape: number[] | undefined;
  readonly #token = {};

  /** Wraps a handle the caller owns (from a scan or a core operation). */
  constructor(core: Core, handle: Handle) {
    this.core = core;
    this.#handle = handle;
    registry.register(this, { core, handle }, this.#token);
  }

  static fromArrays(arrays: ManifestArrays, core: Core = currentBackend()): ChunkManifest {
    const { table, ids } = toIds(arrays.paths);
    const handle = core.manifestFromColumns(
      Float64Array.from(arrays.shape),
      table,
      ids,
      toBigColumn(arrays.offsets, "offsets"),
      toBigColumn(arrays.lengths, "lengths"),
    );
    return new ChunkManifest(core, handle);
  }

  /** A manifest in which every chunk is missing. */
  static empty(shape: readonly number[], core: Core = currentBackend()): ChunkManifest {
    return new ChunkManifest(core, core.manifestEmpty(Float64Array.from(shape)));
  }

  /** Builds a manifest from an Arrow table made by `toArrow()` (or with the same columns). */
  static fromArrow(table: Table, shape?: readonly number[], core: Core = currentBackend()): ChunkManifest {
    return arrowConversions().fromArrow(table, shape, core);
  }

  static concat(list: readonly ChunkManifest[], axis: number): ChunkManifest {
    const core = sameCore(list);
    return new ChunkManifest(core, core.manifestConcat(handles(list), axis));
  }

  static stack(list: readonly ChunkManifest[], axis: number): ChunkManifest {
    const core = sameCore(list);
    return new ChunkManifest(core, core.manifestStack(handles(list), axis));
  }

  /** The handle, for passing to the core; throws once freed. */
  get handle(): Handle {
    if (this.#handle === undefined) throw makeError("InvalidArgument", "this ChunkManifest has been freed");
    return this.#handle;
  }

  get freed(): boolean {
    return this.#handle === undefined;
  }

  /** Shape of the chunk grid. */
  get shape(): number[] {
    this.#shape ??= this.core.manifestShape(this.handle);
    return [...this.#shape];
  }

  /** Number of chunks in the grid. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Bytes of memory the manifest occupies in the core. */
  get nbytes(): number {
    return this.stats().nbytes;
  }

  stats(): { nbytes: number; chunks: number; present: number; referencedBytes: number } {
    const [nbytes = 0, chunks = 0, present = 0, referencedBytes = 0] = this.core.manifestStats(this.handle);
    return { nbytes, chunks, present, referencedBytes };
  }

  /** The chunk at a flat C-order index or at grid coordinates; `null` when missing. */
  entry(index: number | readonly number[]): ChunkRef | null {
    const flat = typeof index === "number" ? index : this.ravel(index);
    const e = this.core.manifestEntry(this.handle, flat);
    if (e.kind === 0) return null;
    if (e.kind === 1) return { path: "", offset: 0, length: e.length, data: e.data };
    return { path: e.path, offset: e.offset, length: e.length };
  }

  private ravel(coords: readonly number[]): number {
    const shape = this.shape;
    if (coords.length !== shape.length) {
      throw makeError("InvalidArgument", `${coords.length} coordinates given for a ${shape.length}-dimensional chunk grid`);
    }
    let flat = 0;
    for (let a = 0; a < shape.length; a++) {
      const c = coords[a] as number;
      const d = shape[a] as number;
      if (!Number.isInteger(c) || c < 0 || c >= d) {
        throw makeError("InvalidArgument", `chunk coordinate ${c} on axis ${a} is outside the grid ${JSON.stringify(shape)}`);
      }
      flat = flat * d + c;
    }
    return flat;
  }

  /** The columns, copied out of the core. */
  columns(): ManifestColumns {
    return this.core.manifestColumns(this.handle);
  }

  /** Inlined chunks by flat index. */
  /** The distinct paths this manifest's chunks refer to. */
  paths(): string[] {
    return this.core.manifestPaths(this.handle);
  }

  inlined(): Map<number, Uint8Array> {
    const { indices, data, lengths } = this.core.manifestInlined(this.handle);
    const out = new Map<number, Uint8Array>();
    let at = 0;
    for (let i = 0; i < indices.length; i++) {
      const n = lengths[i] as number;
      out.set(indices[i] as number, data.subarray(at, at + n));
      at += n;
    }
    return out;
  }

  /** Every chunk in C order (`null` for missing ones). */
  *entries(): Generator<ChunkRef | null> {
    const { table, ids, offsets, lengths } = this.columns();
    const inlined = ids.includes(INLINED_ID) ? this.inlined() : undefined;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id === MISSING_ID) yield null;
      else if (id === INLINED_ID) {
        const data = inlined?.get(i) ?? new Uint8Array(0);
        yield { path: "", offset: 0, length: data.length, data };
      } else yield { path: table[id] as string, offset: Number(offsets[i]), length: Number(lengths[i]) };
    }
  }

  /** Sets one chunk's bytes (HDF5 compact data, small loaded chunks). */
  setInlined(index: number | readonly number[], bytes: Uint8Array): void {
    const flat = typeof index === "number" ? index : this.ravel(index);
    this.core.manifestSetInlined(this.handle, flat, bytes);
  }

  /** NumPy-style broadcast of the chunk grid (prepend axes, repeat length-1 axes). */
  broadcast(shape: readonly number[]): ChunkManifest {
    return new ChunkManifest(this.core, this.core.manifestBroadcast(this.handle, Float64Array.from(shape)));
  }

  /** The sub-grid `[start, stop)` per axis, in chunk coordinates. */
  slice(ranges: ReadonlyArray<readonly [number, number]>): ChunkManifest {
    const starts = Float64Array.from(ranges, (r) => r[0]);
    const stops = Float64Array.from(ranges, (r) => r[1]);
    return new ChunkManifest(this.core, this.core.manifestSlice(this.handle, starts, stops));
  }

  /**
   * Replaces paths through a function or a mapping (paths not in the mapping stay). Runs
   * once per distinct path, not per chunk.
   */
  renamePaths(rename: ((path: string) => string) | ReadonlyMap<string, string> | Readonly<Record<string, string>>): ChunkManifest {
    const { table } = this.columns();
    const f =
      typeof rename === "function"
        ? rename
        : rename instanceof Map
          ? (p: string) => (rename as ReadonlyMap<string, string>).get(p) ?? p
          : (p: string) => (rename as Readonly<Record<string, string>>)[p] ?? p;
    return new ChunkManifest(this.core, this.core.manifestMapPaths(this.handle, table.map(f)));
  }

  /** The manifest as an Arrow table (path as a dictionary column, offset, length). */
  toArrow(): Table {
    return arrowConversions().toArrow(this);
  }

  /** True when every chunk resolves to the same reference. */
  equals(other: ChunkManifest): boolean {
    if (other.core !== this.core) throw makeError("InvalidArgument", "cannot compare manifests from different backends");
    return this.core.manifestEquals(this.handle, other.handle);
  }

  free(): void {
    if (this.#handle === undefined) return;
    registry.unregister(this.#token);
    this.core.manifestFree(this.#handle);
    this.#handle = undefined;
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

function sameCore(list: readonly ChunkManifest[]): Core {
  const first = list[0];
  if (first === undefined) throw makeError("InvalidArgument", "need at least one manifest");
  if (list.some((m) => m.core !== first.core)) {
    throw makeError("InvalidArgument", "cannot combine manifests from different backends");
  }
  return first.core;
}

function handles(list: readonly ChunkManifest[]): Uint32Array {
  return Uint32Array.from(list, (m) => m.handle);
}
