/**
 * A VirtualDataset as a structured-clone message between threads. With the native backend a
 * manifest travels as its handle: the addon's tables are process-wide, so the receiver adopts
 * the very manifest the sender built (nothing copied). With WebAssembly, where each thread has
 * its own memory, it travels as its columns (path table, ids, offsets, lengths: ≤ 20 bytes per
 * chunk) plus inlined chunks, whose ArrayBuffers are *transferred*, not copied, and the
 * receiver rebuilds it with one `manifestFromColumns` call. Loaded values are transferred.
 */
import { type Core, type Handle, INLINED_ID, MISSING_ID } from "../../backend/core.js";
import { makeError } from "../../errors/vzarr-error.js";
import type { SourceIdentity } from "../../io/byte-source.js";
import { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { ArrayMetadata } from "../../metadata/array-metadata.js";
import { LoadedArray, type LoadedValues } from "../loaded-array.js";
import { VirtualDataset } from "../virtual-dataset.js";
import { VirtualVariable } from "../virtual-variable.js";

/** A manifest the receiver adopts: the sender gave up ownership of this handle. */
interface HandlePayload {
  handle: Handle;
}

interface ColumnsPayload {
  shape: number[];
  table: string[];
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  inlined?: { indices: Float64Array; data: Uint8Array; lengths: Uint32Array };
}

type ManifestPayload = HandlePayload | ColumnsPayload;

interface VariablePayload {
  name: string;
  dims: string[];
  attrs: Record<string, unknown>;
  metadata: ArrayMetadata;
  manifest?: ManifestPayload;
  values?: LoadedValues;
}

export interface DatasetPayload {
  attrs: Record<string, unknown>;
  coordNames: string[];
  declaredDims: [string, number][];
  format?: string;
  sources: [string, SourceIdentity][];
  variables: VariablePayload[];
  groups: [string, DatasetPayload][];
}

/** Per-file totals sent with a payload (so the receiver need not recount). */
export interface PayloadStats {
  chunks: number;
  bytesReferenced: number;
}

function columnsPayload(m: ChunkManifest, transfer: Set<ArrayBuffer>): ColumnsPayload {
  const { table, ids, offsets, lengths } = m.columns();
  const out: ColumnsPayload = { shape: m.shape, table, ids, offsets, lengths };
  for (const a of [ids, offsets, lengths]) transfer.add(a.buffer as ArrayBuffer);
  if (ids.includes(INLINED_ID)) {
    const { indices, data, lengths: sizes } = m.core.manifestInlined(m.handle);
    out.inlined = { indices, data, lengths: sizes };
    for (const a of [indices, data, sizes]) transfer.add(a.buffer as ArrayBuffer);
  }
  return out;
}

interface Packing {
  transfer: Set<ArrayBuffer>;
  stats: PayloadStats;
  /** Manifests sent as handles, released once the whole payload is built. */
  handedOver: ChunkManifest[] | undefined;
}

/**
 * The dataset as a message and the buffers to transfer with it. With `passHandles` (only
 * between threads of one process using a core whose `handlesSharedAcrossThreads`) its
 * manifests are handed over: they count as freed here and the receiver owns them.
 */
export function toPayload(
  ds: VirtualDataset,
  options: { passHandles?: boolean } = {},
): { payload: DatasetPayload; transfer: ArrayBuffer[]; stats: PayloadStats } {
  const packing: Packing = {
    transfer: new Set(),
    stats: { chunks: 0, bytesReferenced: 0 },
    handedOver: options.passHandles === true ? [] : undefined,
  };
  const payload = groupPayload(ds, packing);
  // Released last: a payload that failed half-way leaves every manifest owned by `ds`.
  for (const m of packing.handedOver ?? []) m.release();
  return { payload, transfer: [...packing.transfer], stats: packing.stats };
}

function manifestPayload(m: ChunkManifest, packing: Packing): ManifestPayload {
  if (packing.handedOver === undefined) return columnsPayload(m, packing.transfer);
  if (!m.core.handlesSharedAcrossThreads)
    throw makeError("Internal", `${m.core.kind} manifests cannot be passed between threads by handle`);
  packing.handedOver.push(m);
  return { handle: m.handle };
}

function groupPayload(ds: VirtualDataset, packing: Packing): DatasetPayload {
  const { transfer, stats } = packing;
  const variables: VariablePayload[] = [];
  for (const [name, v] of ds.variables) {
    const p: VariablePayload = { name, dims: [...v.dims], attrs: { ...v.attrs }, metadata: v.metadata };
    if (v.data instanceof ManifestArray) {
      p.manifest = manifestPayload(v.data.manifest, packing);
      const s = v.data.manifest.stats();
      stats.chunks += s.present;
      stats.bytesReferenced += s.referencedBytes;
    } else {
      const values = (v.data as LoadedArray).values;
      p.values = values;
      if (!Array.isArray(values)) transfer.add((values as ArrayBufferView).buffer as ArrayBuffer);
    }
    variables.push(p);
  }
  return {
    attrs: { ...ds.attrs },
    coordNames: [...ds.coordNames],
    declaredDims: [...ds.declaredDims],
    format: ds.format,
    sources: [...ds.sources],
    variables,
    groups: [...ds.groups].map(([n, g]) => [n, groupPayload(g, packing)]),
  };
}

function manifestFrom(p: ManifestPayload, core: Core): ChunkManifest {
  if ("handle" in p) {
    if (!core.handlesSharedAcrossThreads) throw makeError("Internal", `a manifest handle was sent to a ${core.kind} core`);
    return new ChunkManifest(core, p.handle);
  }
  // The core refuses INLINED ids in columns: build with them missing, then set their bytes.
  const ids = p.inlined === undefined ? p.ids : p.ids.map((id) => (id === INLINED_ID ? MISSING_ID : id));
  const m = new ChunkManifest(core, core.manifestFromColumns(Float64Array.from(p.shape), p.table, ids, p.offsets, p.lengths));
  if (p.inlined !== undefined) {
    let at = 0;
    p.inlined.indices.forEach((index, k) => {
      const n = p.inlined?.lengths[k] as number;
      m.setInlined(index, (p.inlined as NonNullable<ColumnsPayload["inlined"]>).data.subarray(at, at + n));
      at += n;
    });
  }
  return m;
}

/** Rebuilds a dataset from a payload, its manifests owned by `core`. */
export function fromPayload(p: DatasetPayload, core: Core): VirtualDataset {
  const made: ChunkManifest[] = [];
  try {
    return groupFrom(p, core, made);
  } catch (e) {
    // Handed-over manifests not adopted yet are ours too.
    const adopted = new Set(made.map((m) => m.handle));
    for (const m of made) m.free();
    for (const h of handlesIn(p)) if (!adopted.has(h)) core.manifestFree(h);
    throw e;
  }
}

/** Frees the manifests a payload handed over (one that will not be rebuilt). */
export function discardPayload(p: DatasetPayload, core: Core): void {
  for (const h of handlesIn(p)) core.manifestFree(h);
}

function handlesIn(p: DatasetPayload): Handle[] {
  const own = p.variables.flatMap((v) => (v.manifest !== undefined && "handle" in v.manifest ? [v.manifest.handle] : []));
  return [...own, ...p.groups.flatMap(([, g]) => handlesIn(g))];
}

function groupFrom(p: DatasetPayload, core: Core, made: ChunkManifest[]): VirtualDataset {
  const variables: [string, VirtualVariable][] = p.variables.map((v) => {
    let data: ManifestArray | LoadedArray;
    if (v.manifest !== undefined) {
      const m = manifestFrom(v.manifest, core);
      made.push(m);
      data = new ManifestArray(v.metadata, m);
    } else data = new LoadedArray(v.metadata, v.values as LoadedValues);
    return [v.name, new VirtualVariable(v.dims, data, v.attrs)];
  });
  return new VirtualDataset({
    variables,
    attrs: p.attrs,
    coordNames: p.coordNames,
    declaredDims: p.declaredDims,
    format: p.format,
    sources: p.sources,
    groups: p.groups.map(([n, g]) => [n, groupFrom(g, core, made)]),
  });
}
