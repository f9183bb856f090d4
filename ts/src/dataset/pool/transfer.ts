/**
 * A VirtualDataset as a structured-clone message between threads. Manifests travel as their
 * columns (path table, ids, offsets, lengths: ≤ 20 bytes per chunk) plus inlined chunks,
 * whose ArrayBuffers are *transferred*, not copied; the receiver rebuilds each manifest in
 * its own core with one `manifestFromColumns` call. Loaded values travel the same way.
 */
import { type Core, INLINED_ID, MISSING_ID } from "../../backend/core.js";
import type { SourceIdentity } from "../../io/byte-source.js";
import { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { ArrayMetadata } from "../../metadata/array-metadata.js";
import { LoadedArray, type LoadedValues } from "../loaded-array.js";
import { VirtualDataset } from "../virtual-dataset.js";
import { VirtualVariable } from "../virtual-variable.js";

interface ManifestPayload {
  shape: number[];
  table: string[];
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  inlined?: { indices: Float64Array; data: Uint8Array; lengths: Uint32Array };
}

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

function manifestPayload(m: ChunkManifest, transfer: Set<ArrayBuffer>): ManifestPayload {
  const { table, ids, offsets, lengths } = m.columns();
  const out: ManifestPayload = { shape: m.shape, table, ids, offsets, lengths };
  for (const a of [ids, offsets, lengths]) transfer.add(a.buffer as ArrayBuffer);
  if (ids.includes(INLINED_ID)) {
    const { indices, data, lengths: sizes } = m.core.manifestInlined(m.handle);
    out.inlined = { indices, data, lengths: sizes };
    for (const a of [indices, data, sizes]) transfer.add(a.buffer as ArrayBuffer);
  }
  return out;
}

/** The dataset as a message and the buffers to transfer with it; adds to `stats`. */
export function toPayload(
  ds: VirtualDataset,
  stats: PayloadStats = { chunks: 0, bytesReferenced: 0 },
): { payload: DatasetPayload; transfer: ArrayBuffer[]; stats: PayloadStats } {
  const transfer = new Set<ArrayBuffer>();
  const payload = groupPayload(ds, transfer, stats);
  return { payload, transfer: [...transfer], stats };
}

function groupPayload(ds: VirtualDataset, transfer: Set<ArrayBuffer>, stats: PayloadStats): DatasetPayload {
  const variables: VariablePayload[] = [];
  for (const [name, v] of ds.variables) {
    const p: VariablePayload = { name, dims: [...v.dims], attrs: { ...v.attrs }, metadata: v.metadata };
    if (v.data instanceof ManifestArray) {
      p.manifest = manifestPayload(v.data.manifest, transfer);
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
    groups: [...ds.groups].map(([n, g]) => [n, groupPayload(g, transfer, stats)]),
  };
}

function manifestFrom(p: ManifestPayload, core: Core): ChunkManifest {
  // The core refuses INLINED ids in columns: build with them missing, then set their bytes.
  const ids = p.inlined === undefined ? p.ids : p.ids.map((id) => (id === INLINED_ID ? MISSING_ID : id));
  const m = new ChunkManifest(core, core.manifestFromColumns(Float64Array.from(p.shape), p.table, ids, p.offsets, p.lengths));
  if (p.inlined !== undefined) {
    let at = 0;
    p.inlined.indices.forEach((index, k) => {
      const n = p.inlined?.lengths[k] as number;
      m.setInlined(index, (p.inlined as NonNullable<ManifestPayload["inlined"]>).data.subarray(at, at + n));
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
    for (const m of made) m.free();
    throw e;
  }
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
