/**
 * Snapshot files (`snapshots/<id>`): the full node list of one commit. Reads spec 1 and 2,
 * writes spec 2 (`shape_v2`, `manifest_files_v2`, empty legacy vectors, no `parent_id`).
 */
import { CorruptFileError } from "../../errors/vzarr-error.js";
import { decodeFile, encodeFile, FileType } from "./envelope.js";
import { FbBuilder } from "./fb-builder.js";
import { FbBuffer, type FbTable } from "./fb-reader.js";
import { compareBytes, type ObjectId8, type ObjectId12 } from "./ids.js";
import { decodeFlex, decodeMsgpack, encodeFlex } from "./metadata-values.js";

export interface ManifestRef {
  id: ObjectId12;
  /** Half-open chunk-index range per dimension. */
  extents: [number, number][];
}

export interface DimensionShape {
  length: number;
  numChunks: number;
}

export interface ArrayNodeData {
  shape: DimensionShape[];
  /** `null` entries are unnamed dimensions; `null` overall when absent. */
  dimensionNames: (string | null)[] | null;
  manifests: ManifestRef[];
}

export interface NodeSnapshot {
  id: ObjectId8;
  /** Absolute path, `/` for the root. */
  path: string;
  /** The node's `zarr.json`, verbatim. */
  userData: Uint8Array;
  array: ArrayNodeData | null;
}

export interface ManifestFileInfo {
  id: ObjectId12;
  sizeBytes: number;
  numChunkRefs: number;
}

export interface Snapshot {
  id: ObjectId12;
  /** Spec-1 snapshots only; spec 2 keeps ancestry in the repo file. */
  parentId: ObjectId12 | null;
  nodes: NodeSnapshot[];
  /** Microseconds since the epoch. */
  flushedAt: number;
  message: string;
  metadata: Record<string, unknown>;
  manifestFiles: ManifestFileInfo[];
  specVersion: number;
}

const encoder = new TextEncoder();

/** Sorts by the UTF-8 bytes of `path` (Icechunk binary-searches nodes by path). */
export function sortNodes(nodes: NodeSnapshot[]): NodeSnapshot[] {
  const keyed = nodes.map((n) => ({ n, k: encoder.encode(n.path) }));
  keyed.sort((a, b) => compareBytes(a.k, b.k));
  return keyed.map((x) => x.n);
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const b = new FbBuilder(4096 + s.nodes.length * 512);
  const nodeOffsets: number[] = [];
  for (const node of sortNodes(s.nodes)) {
    let data: number;
    if (node.array !== null) {
      const a = node.array;
      const shapeV2 = a.shape.map((d) => {
        b.startTable();
        b.addU64(0, d.length);
        b.addU32(1, d.numChunks);
        return b.endTable();
      });
      const shapeV2Vec = b.createOffsetVector(shapeV2);
      const manifests = a.manifests.map((m) => {
        const extents = b.createStructVector(
          m.extents.map(([from, to]) => {
            const e = new Uint8Array(8);
            const v = new DataView(e.buffer);
            v.setUint32(0, from, true);
            v.setUint32(4, to, true);
            return e;
          }),
          8,
          4,
        );
        b.startTable();
        b.addStruct(0, m.id, 1);
        b.addOffset(1, extents);
        return b.endTable();
      });
      const manifestsVec = b.createOffsetVector(manifests);
      let dimNamesVec: number | undefined;
      if (a.dimensionNames !== null) {
        const names = a.dimensionNames.map((name) => {
          const str = name === null ? undefined : b.createString(name);
          b.startTable();
          if (str !== undefined) b.addOffset(0, str);
          return b.endTable();
        });
        dimNamesVec = b.createOffsetVector(names);
      }
      const legacyShape = b.createStructVector([], 16, 8);
      b.startTable();
      b.addOffset(0, legacyShape);
      if (dimNamesVec !== undefined) b.addOffset(1, dimNamesVec);
      b.addOffset(2, manifestsVec);
      b.addOffset(3, shapeV2Vec);
      data = b.endTable();
    } else {
      b.startTable();
      data = b.endTable();
    }
    const path = b.createString(node.path);
    const userData = b.createBytes(node.userData);
    b.startTable();
    b.addStruct(0, node.id, 1);
    b.addOffset(1, path);
    b.addOffset(2, userData);
    b.addOffset(4, data);
    b.addU8(3, node.array !== null ? 1 : 2);
    nodeOffsets.push(b.endTable());
  }
  const nodes = b.createOffsetVector(nodeOffsets);
  const metadata = metadataVector(b, s.metadata);
  const files = [...s.manifestFiles].sort((x, y) => compareBytes(x.id, y.id));
  const fileOffsets = files.map((f) => {
    b.startTable();
    b.addU64(1, f.sizeBytes);
    b.addStruct(0, f.id, 1);
    b.addU32(2, f.numChunkRefs);
    return b.endTable();
  });
  const filesV2 = b.createOffsetVector(fileOffsets);
  const legacyFiles = b.createStructVector([], 32, 8);
  const message = b.createString(s.message);
  b.startTable();
  b.addU64(3, s.flushedAt);
  b.addStruct(0, s.id, 1);
  b.addOffset(2, nodes);
  b.addOffset(4, message);
  b.addOffset(5, metadata);
  b.addOffset(6, legacyFiles);
  b.addOffset(7, filesV2);
  const root = b.endTable();
  return encodeFile(2, FileType.Snapshot, b.finish(root));
}

/** `[MetadataItem]` sorted by name, values as FlexBuffers. */
export function metadataVector(b: FbBuilder, metadata: Record<string, unknown>): number {
  const names = Object.keys(metadata).sort((x, y) => compareBytes(encoder.encode(x), encoder.encode(y)));
  const items = names.map((name) => {
    const value = b.createBytes(encodeFlex(metadata[name]));
    const key = b.createString(name);
    b.startTable();
    b.addOffset(0, key);
    b.addOffset(1, value);
    return b.endTable();
  });
  return b.createOffsetVector(items);
}

export function readMetadataItems(items: FbTable[], specVersion: number, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const name = item.requiredString(0, "MetadataItem.name");
    const value = item.bytes(1) ?? item.fb.fail("MetadataItem.value is missing");
    out[name] = specVersion >= 2 ? decodeFlex(value, file) : decodeMsgpack(value, file);
  }
  return out;
}

export function decodeSnapshot(bytes: Uint8Array, file: string): Snapshot {
  const { header, payload } = decodeFile(bytes, FileType.Snapshot, file);
  const fb = new FbBuffer(payload, file);
  const root = fb.root();
  const spec = header.specVersion;
  const nodes = root.tables(2).map((t) => readNode(t, spec));
  const manifestFiles: ManifestFileInfo[] = [];
  const v2 = root.vector(7, 4);
  if (v2 !== null) {
    for (const t of root.tables(7)) {
      manifestFiles.push({
        id: t.requiredStruct(0, 12, "ManifestFileInfoV2.id").slice(),
        sizeBytes: t.u64(1),
        numChunkRefs: t.u32(2),
      });
    }
  } else {
    const v1 = root.requiredVector(6, 32, "Snapshot.manifest_files");
    for (let i = 0; i < v1.length; i++) {
      const at = v1.start + 32 * i;
      manifestFiles.push({ id: fb.bytes.slice(at, at + 12), sizeBytes: fb.u64(at + 16), numChunkRefs: fb.u32(at + 24) });
    }
  }
  return {
    id: root.requiredStruct(0, 12, "Snapshot.id").slice(),
    parentId: root.struct(1, 12)?.slice() ?? null,
    nodes,
    flushedAt: root.u64(3),
    message: root.requiredString(4, "Snapshot.message"),
    metadata: readMetadataItems(root.tables(5), spec, file),
    manifestFiles,
    specVersion: spec,
  };
}

function readNode(t: FbTable, spec: number): NodeSnapshot {
  const id = t.requiredStruct(0, 8, "NodeSnapshot.id").slice();
  const path = t.requiredString(1, "NodeSnapshot.path");
  const userData = (t.bytes(2) ?? t.fb.fail("NodeSnapshot.user_data is missing")).slice();
  const kind = t.u8(3);
  if (kind === 2) return { id, path, userData, array: null };
  if (kind !== 1) t.fb.fail(`node ${path} has unknown node type ${kind}`);
  const a = t.requiredTable(4, "NodeSnapshot.node_data");
  const shape: DimensionShape[] = [];
  if (a.has(3)) {
    for (const d of a.tables(3)) shape.push({ length: d.u64(0), numChunks: d.u32(1) });
  } else {
    const v1 = a.requiredVector(0, 16, "ArrayNodeData.shape");
    for (let i = 0; i < v1.length; i++) {
      const length = t.fb.u64(v1.start + 16 * i);
      const chunk = t.fb.u64(v1.start + 16 * i + 8);
      shape.push({ length, numChunks: chunk === 0 ? 0 : Math.ceil(length / chunk) });
    }
  }
  const dimensionNames = a.has(1) ? a.tables(1).map((d) => d.string(0)) : null;
  const manifests = a.tables(2).map((m) => {
    const ext = m.requiredVector(1, 8, "ManifestRef.extents");
    const extents: [number, number][] = [];
    for (let i = 0; i < ext.length; i++) extents.push([t.fb.u32(ext.start + 8 * i), t.fb.u32(ext.start + 8 * i + 4)]);
    return { id: m.requiredStruct(0, 12, "ManifestRef.object_id").slice(), extents };
  });
  if (spec < 2 && shape.length === 0 && dimensionNames !== null && dimensionNames.length > 0) {
    throw new CorruptFileError(`array ${path} has dimension names but no shape`, { file: t.fb.file });
  }
  return { id, path, userData, array: { shape, dimensionNames, manifests } };
}

/** Binary search by path bytes (nodes sorted as written). */
export function findNode(nodes: readonly NodeSnapshot[], path: string): NodeSnapshot | undefined {
  return nodes.find((n) => n.path === path);
}
