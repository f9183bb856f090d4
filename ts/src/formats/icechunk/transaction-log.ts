/**
 * Transaction logs (`transactions/<snapshot id>`): which nodes and chunks a commit
 * touched. Rebase and `diff` in other clients read them, so every commit writes one (also
 * the initial, empty one in spec 2).
 */
import { MISSING_ID } from "../../backend/core.js";
import { decodeFile, encodeFile, FileType } from "./envelope.js";
import { FbBuilder } from "./fb-builder.js";
import { FbBuffer } from "./fb-reader.js";
import { compareBytes, type ObjectId8, type ObjectId12 } from "./ids.js";

/** Chunks written for one node, as grid parts (same shape as manifest columns). */
export interface UpdatedChunkPart {
  gridShape: readonly number[];
  origin: readonly number[];
  start: number;
  end: number;
  /** Chunks whose id is `MISSING_ID` are not listed. */
  ids: Uint32Array;
}

export interface UpdatedChunks {
  nodeId: ObjectId8;
  /** In ascending coordinate order. */
  parts: UpdatedChunkPart[];
}

export interface TransactionLog {
  id: ObjectId12;
  newGroups: ObjectId8[];
  newArrays: ObjectId8[];
  deletedGroups: ObjectId8[];
  deletedArrays: ObjectId8[];
  updatedArrays: ObjectId8[];
  updatedGroups: ObjectId8[];
  updatedChunks: UpdatedChunks[];
}

export function emptyTransactionLog(id: ObjectId12): TransactionLog {
  return {
    id,
    newGroups: [],
    newArrays: [],
    deletedGroups: [],
    deletedArrays: [],
    updatedArrays: [],
    updatedGroups: [],
    updatedChunks: [],
  };
}

export function encodeTransactionLog(log: TransactionLog): Uint8Array {
  const chunks = log.updatedChunks.reduce(
    (n, u) => n + u.parts.reduce((m, p) => m + (p.end - p.start) * (16 + 4 * p.gridShape.length), 0),
    0,
  );
  const b = new FbBuilder(Math.min(4096 + chunks, 1 << 30));
  const chunkTables: number[] = [];
  for (const u of [...log.updatedChunks].sort((x, y) => compareBytes(x.nodeId, y.nodeId))) {
    const list = writeChunkIndices(b, u.parts);
    b.startTable();
    b.addStruct(0, u.nodeId, 1);
    b.addOffset(1, list);
    chunkTables.push(b.endTable());
  }
  const updatedChunks = b.createOffsetVector(chunkTables);
  const idVec = (ids: ObjectId8[]) =>
    b.createStructVector(
      [...ids].sort((x, y) => compareBytes(x, y)),
      8,
      1,
    );
  const vecs = [log.newGroups, log.newArrays, log.deletedGroups, log.deletedArrays, log.updatedArrays, log.updatedGroups].map(idVec);
  const moved = b.createOffsetVector([]);
  b.startTable();
  b.addStruct(0, log.id, 1);
  vecs.forEach((v, i) => {
    b.addOffset(i + 1, v);
  });
  b.addOffset(7, updatedChunks);
  b.addOffset(8, moved);
  return encodeFile(2, FileType.TransactionLog, b.finish(b.endTable()));
}

/** `[ChunkIndices]` laid out by hand: one shared vtable, a coords vector + 8-byte table each. */
function writeChunkIndices(b: FbBuilder, parts: readonly UpdatedChunkPart[]): number {
  const vt = b.createVtable(8, [4]);
  const tables: number[] = [];
  for (let p = parts.length - 1; p >= 0; p--) {
    const part = parts[p] as UpdatedChunkPart;
    const ndim = part.gridShape.length;
    for (let i = part.end - 1; i >= part.start; i--) {
      if (part.ids[i] === MISSING_ID) continue;
      const cv = b.reserve(4 + 4 * ndim, 4, 0);
      let view = b.view;
      view.setUint32(cv, ndim, true);
      let q = i;
      for (let d = ndim - 1; d >= 0; d--) {
        const g = part.gridShape[d] as number;
        const c = q % g;
        q = (q - c) / g;
        view.setUint32(cv + 4 + 4 * d, c + (part.origin[d] as number), true);
      }
      const cvOff = b.fromEnd(cv);
      const t = b.reserve(8, 4, 0);
      view = b.view;
      const tOff = b.fromEnd(t);
      view.setInt32(t, vt - tOff, true);
      view.setUint32(t + 4, tOff - 4 - cvOff, true);
      tables.push(tOff);
    }
  }
  tables.reverse();
  const vec = b.reserve(4 + 4 * tables.length, 4, 0);
  const view = b.view;
  const vecOff = b.fromEnd(vec);
  view.setUint32(vec, tables.length, true);
  for (let k = 0; k < tables.length; k++) view.setUint32(vec + 4 + 4 * k, vecOff - 4 - 4 * k - (tables[k] as number), true);
  return vecOff;
}

export interface DecodedTransactionLog {
  id: ObjectId12;
  newGroups: ObjectId8[];
  newArrays: ObjectId8[];
  deletedGroups: ObjectId8[];
  deletedArrays: ObjectId8[];
  updatedArrays: ObjectId8[];
  updatedGroups: ObjectId8[];
  updatedChunks: { nodeId: ObjectId8; chunks: number[][] }[];
}

export function decodeTransactionLog(bytes: Uint8Array, file: string): DecodedTransactionLog {
  const { payload } = decodeFile(bytes, FileType.TransactionLog, file);
  const fb = new FbBuffer(payload, file);
  const root = fb.root();
  const ids = (slot: number) => {
    const v = root.requiredVector(slot, 8, "TransactionLog node ids");
    const out: ObjectId8[] = [];
    for (let i = 0; i < v.length; i++) out.push(fb.bytes.slice(v.start + 8 * i, v.start + 8 * i + 8));
    return out;
  };
  return {
    id: root.requiredStruct(0, 12, "TransactionLog.id").slice(),
    newGroups: ids(1),
    newArrays: ids(2),
    deletedGroups: ids(3),
    deletedArrays: ids(4),
    updatedArrays: ids(5),
    updatedGroups: ids(6),
    updatedChunks: root.tables(7).map((t) => ({
      nodeId: t.requiredStruct(0, 8, "ArrayUpdatedChunks.node_id").slice(),
      chunks: t.tables(1).map((c) => {
        const v = c.requiredVector(0, 4, "ChunkIndices.coords");
        const out: number[] = [];
        for (let d = 0; d < v.length; d++) out.push(fb.u32(v.start + 4 * d));
        return out;
      }),
    })),
  };
}
