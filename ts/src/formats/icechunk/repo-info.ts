/**
 * The spec-2 `repo` file: branches, tags, every kept snapshot (the ancestry), the config
 * and the ops log. It is the only mutable object; commits rewrite it with a conditional
 * write. Everything we do not change is carried over verbatim (metadata as raw FlexBuffers,
 * updates of kinds we never write, feature flags).
 */
import { CorruptFileError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import { decodeFile, encodeFile, FileType } from "./envelope.js";
import { FbBuilder } from "./fb-builder.js";
import { FbBuffer, type FbTable } from "./fb-reader.js";
import { bytesEqual, compareBytes, type ObjectId12 } from "./ids.js";
import { decodeFlex } from "./metadata-values.js";

export interface RawMetadataItem {
  name: string;
  /** FlexBuffers bytes, kept as read. */
  value: Uint8Array;
}

export interface SnapshotInfo {
  id: ObjectId12;
  parentId: ObjectId12 | null;
  /** Microseconds since the epoch. */
  flushedAt: number;
  message: string;
  metadata: RawMetadataItem[] | null;
  prunedAncestorTxLogs: ObjectId12[] | null;
}

export interface RepoStatus {
  availability: number;
  setAt: number;
  reason: string | null;
}

/** An ops-log entry: union type (1…16) and its fields by slot. */
export interface RepoUpdate {
  type: number;
  fields: (string | ObjectId12 | number | boolean | RepoStatus | null)[];
  /** Microseconds since the epoch. */
  updatedAt: number;
  backupPath: string | null;
}

export interface RepoRef {
  name: string;
  snapshot: ObjectId12;
}

export interface RepoInfo {
  specVersion: number;
  tags: RepoRef[];
  branches: RepoRef[];
  deletedTags: string[];
  snapshots: SnapshotInfo[];
  status: RepoStatus;
  metadata: RawMetadataItem[] | null;
  /** Newest first. */
  latestUpdates: RepoUpdate[];
  repoBeforeUpdates: string | null;
  config: Uint8Array | null;
  enabledFeatureFlags: number[] | null;
  disabledFeatureFlags: number[] | null;
}

export enum UpdateType {
  RepoInitialized = 1,
  RepoMigrated = 2,
  ConfigChanged = 3,
  MetadataChanged = 4,
  TagCreated = 5,
  TagDeleted = 6,
  BranchCreated = 7,
  BranchDeleted = 8,
  BranchReset = 9,
  NewCommit = 10,
  CommitAmended = 11,
  NewDetachedSnapshot = 12,
  GCRan = 13,
  ExpirationRan = 14,
  FeatureFlagChanged = 15,
  RepoStatusChanged = 16,
}

type FieldKind = "string" | "id" | "u8" | "u16" | "bool" | "status";

/** Field kinds of each update table, in slot order (repo.fbs). */
const UPDATE_FIELDS: Record<number, FieldKind[]> = {
  1: [],
  2: ["u8", "u8"],
  3: [],
  4: [],
  5: ["string"],
  6: ["string", "id"],
  7: ["string"],
  8: ["string", "id"],
  9: ["string", "id"],
  10: ["string", "id"],
  11: ["string", "id", "id"],
  12: ["id"],
  13: [],
  14: [],
  15: ["u16", "bool", "bool"],
  16: ["status"],
};

const encoder = new TextEncoder();
const byUtf8 = (a: string, b: string) => compareBytes(encoder.encode(a), encoder.encode(b));

export function encodeRepoInfo(info: RepoInfo): Uint8Array {
  if (!info.branches.some((r) => r.name === "main")) throw new InvalidArgumentError("a repository must have a main branch");
  const b = new FbBuilder(8192 + info.snapshots.length * 128);
  const snapshots = [...info.snapshots].sort((x, y) => compareBytes(x.id, y.id));
  const indexOf = (id: ObjectId12, what: string): number => {
    let lo = 0;
    let hi = snapshots.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = compareBytes((snapshots[mid] as SnapshotInfo).id, id);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new InvalidArgumentError(`${what} points at a snapshot that is not in the repository`);
  };
  const refs = (list: RepoRef[], what: string) => {
    const tables = [...list]
      .sort((x, y) => byUtf8(x.name, y.name))
      .map((r) => {
        const index = indexOf(r.snapshot, `${what} ${r.name}`);
        const name = b.createString(r.name);
        b.startTable();
        b.addOffset(0, name);
        b.addU32(1, index);
        return b.endTable();
      });
    return b.createOffsetVector(tables);
  };
  const tags = refs(info.tags, "tag");
  const branches = refs(info.branches, "branch");
  const deletedTags = b.createOffsetVector([...info.deletedTags].sort(byUtf8).map((t) => b.createString(t)));
  const snapTables = snapshots.map((s) => {
    const parent = s.parentId === null ? -1 : indexOf(s.parentId, "a snapshot's parent");
    const message = b.createString(s.message);
    const metadata = s.metadata === null ? undefined : rawMetadata(b, s.metadata);
    const pruned =
      s.prunedAncestorTxLogs === null || s.prunedAncestorTxLogs.length === 0
        ? undefined
        : b.createStructVector(s.prunedAncestorTxLogs, 12, 1);
    b.startTable();
    b.addU64(2, s.flushedAt);
    b.addStruct(0, s.id, 1);
    b.addI32(1, parent);
    b.addOffset(3, message);
    if (metadata !== undefined) b.addOffset(4, metadata);
    if (pruned !== undefined) b.addOffset(5, pruned);
    return b.endTable();
  });
  const snapVec = b.createOffsetVector(snapTables);
  const status = statusTable(b, info.status);
  const metadata = info.metadata === null ? undefined : rawMetadata(b, info.metadata);
  const updates = b.createOffsetVector(info.latestUpdates.map((u) => updateTable(b, u)));
  const before = info.repoBeforeUpdates === null ? undefined : b.createString(info.repoBeforeUpdates);
  const config = info.config === null ? undefined : b.createBytes(info.config);
  const enabled = info.enabledFeatureFlags === null ? undefined : b.createU16Vector([...info.enabledFeatureFlags].sort((x, y) => x - y));
  const disabled = info.disabledFeatureFlags === null ? undefined : b.createU16Vector([...info.disabledFeatureFlags].sort((x, y) => x - y));
  b.startTable();
  b.addOffset(1, tags);
  b.addOffset(2, branches);
  b.addOffset(3, deletedTags);
  b.addOffset(4, snapVec);
  b.addOffset(5, status);
  if (metadata !== undefined) b.addOffset(6, metadata);
  b.addOffset(7, updates);
  if (before !== undefined) b.addOffset(8, before);
  if (config !== undefined) b.addOffset(9, config);
  if (enabled !== undefined) b.addOffset(10, enabled);
  if (disabled !== undefined) b.addOffset(11, disabled);
  b.addU8(0, info.specVersion);
  return encodeFile(2, FileType.RepoInfo, b.finish(b.endTable()));
}

function rawMetadata(b: FbBuilder, items: RawMetadataItem[]): number {
  const tables = [...items]
    .sort((x, y) => byUtf8(x.name, y.name))
    .map((item) => {
      const value = b.createBytes(item.value);
      const name = b.createString(item.name);
      b.startTable();
      b.addOffset(0, name);
      b.addOffset(1, value);
      return b.endTable();
    });
  return b.createOffsetVector(tables);
}

function statusTable(b: FbBuilder, s: RepoStatus): number {
  const reason = s.reason === null ? undefined : b.createString(s.reason);
  b.startTable();
  b.addU64(1, s.setAt);
  if (reason !== undefined) b.addOffset(2, reason);
  b.addU8(0, s.availability);
  return b.endTable();
}

function updateTable(b: FbBuilder, u: RepoUpdate): number {
  const kinds = UPDATE_FIELDS[u.type];
  if (kinds === undefined) throw new InvalidArgumentError(`unknown repo update type ${u.type}`);
  const prepared = kinds.map((kind, slot) => {
    const v = u.fields[slot];
    if (kind === "string") return b.createString(v as string);
    if (kind === "status") return statusTable(b, v as RepoStatus);
    return undefined;
  });
  b.startTable();
  kinds.forEach((kind, slot) => {
    const v = u.fields[slot];
    if (kind === "string" || kind === "status") b.addOffset(slot, prepared[slot] as number);
    else if (kind === "id") b.addStruct(slot, v as Uint8Array, 1);
    else if (kind === "u16") b.addU16(slot, v as number);
    else if (kind === "bool") b.addU8(slot, v === true ? 1 : 0);
    else b.addU8(slot, v as number);
  });
  const body = b.endTable();
  const backup = u.backupPath === null ? undefined : b.createString(u.backupPath);
  b.startTable();
  b.addU64(2, u.updatedAt);
  b.addOffset(1, body);
  if (backup !== undefined) b.addOffset(3, backup);
  b.addU8(0, u.type);
  return b.endTable();
}

export function decodeRepoInfo(bytes: Uint8Array, file: string): RepoInfo {
  const { payload } = decodeFile(bytes, FileType.RepoInfo, file);
  const fb = new FbBuffer(payload, file);
  const root = fb.root();
  const snapTables = root.tables(4);
  const ids = snapTables.map((t) => t.requiredStruct(0, 12, "SnapshotInfo.id").slice());
  const snapshots: SnapshotInfo[] = snapTables.map((t, i) => {
    // Rust omits the field when it equals the schema default 0 (parent at index 0).
    const parent = t.i32(1, 0);
    if (parent >= ids.length || parent < -1 || parent === i) fb.fail(`snapshot ${i} has an invalid parent index ${parent}`);
    const pruned = t.vector(5, 12);
    return {
      id: ids[i] as ObjectId12,
      parentId: parent < 0 ? null : (ids[parent] as ObjectId12),
      flushedAt: t.u64(2),
      message: t.requiredString(3, "SnapshotInfo.message"),
      metadata: t.has(4) ? readRawMetadata(t.tables(4)) : null,
      prunedAncestorTxLogs:
        pruned === null
          ? null
          : Array.from({ length: pruned.length }, (_, k) => fb.bytes.slice(pruned.start + 12 * k, pruned.start + 12 * k + 12)),
    };
  });
  const refs = (slot: number): RepoRef[] =>
    root.tables(slot).map((t) => {
      const index = t.u32(1);
      const id = ids[index] ?? fb.fail(`ref points at snapshot index ${index} of ${ids.length}`);
      return { name: t.requiredString(0, "Ref.name"), snapshot: id };
    });
  const flags = (slot: number) => {
    const v = root.vector(slot, 2);
    return v === null ? null : Array.from({ length: v.length }, (_, k) => fb.u16(v.start + 2 * k));
  };
  return {
    specVersion: root.u8(0),
    tags: refs(1),
    branches: refs(2),
    deletedTags: root.strings(3),
    snapshots,
    status: readStatus(root.requiredTable(5, "Repo.status")),
    metadata: root.has(6) ? readRawMetadata(root.tables(6)) : null,
    latestUpdates: root.tables(7).map(readUpdate),
    repoBeforeUpdates: root.string(8),
    config: root.bytes(9)?.slice() ?? null,
    enabledFeatureFlags: flags(10),
    disabledFeatureFlags: flags(11),
  };
}

function readRawMetadata(items: FbTable[]): RawMetadataItem[] {
  return items.map((t) => ({
    name: t.requiredString(0, "MetadataItem.name"),
    value: (t.bytes(1) ?? t.fb.fail("MetadataItem.value is missing")).slice(),
  }));
}

function readStatus(t: FbTable): RepoStatus {
  return { availability: t.u8(0), setAt: t.u64(1), reason: t.string(2) };
}

function readUpdate(t: FbTable): RepoUpdate {
  const type = t.u8(0);
  const kinds = UPDATE_FIELDS[type];
  if (kinds === undefined) throw new CorruptFileError(`unknown repo update type ${type}`, { file: t.fb.file });
  const body = t.requiredTable(1, "Update.update_type");
  const fields = kinds.map((kind, slot) => {
    if (kind === "string") return body.requiredString(slot, "update name");
    if (kind === "id") return body.requiredStruct(slot, 12, "update snapshot id").slice();
    if (kind === "status") {
      const s = body.table(slot);
      return s === null ? null : readStatus(s);
    }
    if (kind === "u16") return body.u16(slot);
    if (kind === "bool") return body.u8(slot) !== 0;
    return body.u8(slot);
  });
  return { type, fields, updatedAt: t.u64(2), backupPath: t.string(3) };
}

/** Metadata items as plain values (for display and `log`). */
export function metadataValues(items: RawMetadataItem[] | null, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items ?? []) out[item.name] = decodeFlex(item.value, file);
  return out;
}

export function findSnapshot(info: RepoInfo, id: ObjectId12): SnapshotInfo | undefined {
  return info.snapshots.find((s) => bytesEqual(s.id, id));
}

/** The chain from `id` back to the root, newest first. */
export function ancestry(info: RepoInfo, id: ObjectId12): SnapshotInfo[] {
  const out: SnapshotInfo[] = [];
  let at: ObjectId12 | null = id;
  while (at !== null) {
    const s = findSnapshot(info, at);
    if (s === undefined) break;
    out.push(s);
    at = s.parentId;
    if (out.length > info.snapshots.length) throw new CorruptFileError("the snapshot ancestry has a cycle");
  }
  return out;
}
