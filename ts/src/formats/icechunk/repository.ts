/**
 * An Icechunk repository: open/create, branches, tags, ancestry, and the conditional
 * update of the `repo` file (spec 2). Spec-1 repositories (`refs/…/ref.json`) are read.
 */
import { ConflictError, CorruptFileError, InvalidArgumentError, NotFoundError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import {
  configWithContainers,
  containerForPrefix,
  containersOf,
  decodeConfig,
  encodeConfig,
  spec1ContainerPrefixes,
  type VirtualChunkContainer,
} from "./containers.js";
import { parseHeader } from "./envelope.js";
import { bytesEqual, encodeBase32, INITIAL_SNAPSHOT_ID, type ObjectId12, randomId, snapshotIdFromString } from "./ids.js";
import { LocalStorage } from "./local-storage.js";
import { ManifestFile } from "./manifest.js";
import { encodeFlex } from "./metadata-values.js";
import {
  ancestry,
  decodeRepoInfo,
  encodeRepoInfo,
  metadataValues,
  type RepoInfo,
  type RepoUpdate,
  type SnapshotInfo,
  UpdateType,
} from "./repo-info.js";
import { S3Storage } from "./s3-storage.js";
import { decodeSnapshot, encodeSnapshot, type Snapshot } from "./snapshot.js";
import type { ObjectVersion, Storage } from "./storage.js";
import { emptyTransactionLog, encodeTransactionLog } from "./transaction-log.js";

export interface RefInfo {
  name: string;
  snapshotId: string;
}

/** One commit as `log()` lists it. */
export interface SnapshotSummary {
  id: string;
  parentId: string | null;
  message: string;
  /** When the snapshot was written. */
  writtenAt: Date;
  metadata: Record<string, unknown>;
}

/** Which version to read: a branch (default `main`), a tag or a snapshot id. */
export interface VersionSpec {
  branch?: string;
  tag?: string;
  snapshot?: string;
}

export interface CreateRepositoryOptions {
  containers?: readonly VirtualChunkContainer[];
}

/** Default length of the ops log kept in the `repo` file (Icechunk's default). */
const UPDATES_PER_FILE = 1000;
const REPO_KEY = "repo";
/** 3000-01-01 in ms: backup names sort newest first. */
const BACKUP_EPOCH_MS = 32503680000000;

/** Local directories (paths, `file://`) and `s3://bucket/prefix` (credentials from the AWS environment variables). */
export function storageFor(location: string | Storage): Storage {
  if (typeof location !== "string") return location;
  return /^s3:\/\//i.test(location) ? new S3Storage(location) : new LocalStorage(location);
}

export function validateRefName(name: string, what: string): void {
  if (name === "" || name.includes("/"))
    throw new InvalidArgumentError(`invalid ${what} name ${JSON.stringify(name)} (empty or containing '/')`);
}

export class IcechunkRepository {
  private readonly snapshots = new Map<string, Promise<Snapshot>>();
  private readonly manifests = new Map<string, Promise<ManifestFile>>();

  private constructor(
    readonly storage: Storage,
    readonly specVersion: number,
    private info: RepoInfo | null,
    private version: ObjectVersion | null,
  ) {}

  /** True when `location` holds a repository (a `repo` file or a spec-1 main branch). */
  static async exists(location: string | Storage): Promise<boolean> {
    const storage = storageFor(location);
    return (await storage.exists(REPO_KEY)) || (await storage.exists("refs/branch.main/ref.json"));
  }

  static async open(location: string | Storage): Promise<IcechunkRepository> {
    const storage = storageFor(location);
    const current = await storage.getVersioned(REPO_KEY);
    if (current !== null) {
      const info = decodeRepoInfo(current.bytes, `${storage.description}/repo`);
      if (info.specVersion < 2 && parseHeader(current.bytes, "repo").specVersion < 2) {
        throw new CorruptFileError("a repo file in a spec-1 repository", { file: `${storage.description}/repo` });
      }
      return new IcechunkRepository(storage, 2, info, current.version);
    }
    if (await storage.exists("refs/branch.main/ref.json")) {
      const repo = new IcechunkRepository(storage, 1, null, null);
      const yaml = await storage.get("config.yaml");
      repo.spec1Containers = yaml === null ? [] : spec1ContainerPrefixes(new TextDecoder().decode(yaml)).map((p) => containerForPrefix(p));
      return repo;
    }
    throw new NotFoundError(`no Icechunk repository at ${storage.description}`);
  }

  /** Creates a spec-2 repository: the initial snapshot, its empty tx log, then `repo`. */
  static async create(location: string | Storage, options: CreateRepositoryOptions = {}): Promise<IcechunkRepository> {
    const storage = storageFor(location);
    if (await IcechunkRepository.exists(storage))
      throw new ConflictError(`an Icechunk repository already exists at ${storage.description}`);
    const now = Date.now() * 1000;
    const id = snapshotIdFromString(INITIAL_SNAPSHOT_ID);
    const metadata = { __icechunk: { is_root: true } };
    const snapshot: Snapshot = {
      id,
      parentId: null,
      nodes: [],
      flushedAt: now,
      message: "Repository initialized",
      metadata,
      manifestFiles: [],
      specVersion: 2,
    };
    await storage.put(`transactions/${INITIAL_SNAPSHOT_ID}`, encodeTransactionLog(emptyTransactionLog(id)));
    await storage.put(`snapshots/${INITIAL_SNAPSHOT_ID}`, encodeSnapshot(snapshot));
    const containers = options.containers ?? [];
    const info: RepoInfo = {
      specVersion: 2,
      tags: [],
      branches: [{ name: "main", snapshot: id }],
      deletedTags: [],
      snapshots: [
        {
          id,
          parentId: null,
          flushedAt: now,
          message: snapshot.message,
          metadata: [{ name: "__icechunk", value: encodeFlex(metadata.__icechunk) }],
          prunedAncestorTxLogs: null,
        },
      ],
      status: { availability: 0, setAt: now, reason: null },
      metadata: [],
      latestUpdates: [{ type: UpdateType.RepoInitialized, fields: [], updatedAt: now, backupPath: null }],
      repoBeforeUpdates: null,
      config: containers.length === 0 ? null : encodeConfig(configWithContainers(null, containers)),
      enabledFeatureFlags: null,
      disabledFeatureFlags: null,
    };
    const version = await storage.putIfMatch(REPO_KEY, encodeRepoInfo(info), null);
    if (version === null) throw new ConflictError(`an Icechunk repository was created concurrently at ${storage.description}`);
    return new IcechunkRepository(storage, 2, info, version);
  }

  static async openOrCreate(location: string | Storage, options: CreateRepositoryOptions = {}): Promise<IcechunkRepository> {
    const storage = storageFor(location);
    if (await IcechunkRepository.exists(storage)) return IcechunkRepository.open(storage);
    try {
      return await IcechunkRepository.create(storage, options);
    } catch (e) {
      // Another writer created it first: use theirs.
      if (e instanceof ConflictError) return IcechunkRepository.open(storage);
      throw e;
    }
  }

  /** Re-reads the `repo` file. */
  async refresh(): Promise<void> {
    if (this.specVersion < 2) return;
    const current = await this.storage.getVersioned(REPO_KEY);
    if (current === null) throw new NotFoundError(`the repo file of ${this.storage.description} disappeared`);
    this.info = decodeRepoInfo(current.bytes, `${this.storage.description}/repo`);
    this.version = current.version;
  }

  /** The repo info as last read (spec 2). */
  get repoInfo(): RepoInfo {
    if (this.info === null) throw new UnsupportedFeatureError("spec-1 repositories have no repo info file");
    return this.info;
  }

  /** The stored config (serde map) or `null` when default / spec 1. */
  get config(): Record<string, unknown> | null {
    return this.info === null ? null : decodeConfig(this.info.config, `${this.storage.description}/repo`);
  }

  get containers(): VirtualChunkContainer[] {
    return this.specVersion < 2 ? this.spec1Containers : containersOf(this.config);
  }

  /** A spec-1 repository's containers, from its `config.yaml`. */
  private spec1Containers: VirtualChunkContainer[] = [];

  async branches(): Promise<RefInfo[]> {
    if (this.info !== null) return this.info.branches.map((r) => ({ name: r.name, snapshotId: encodeBase32(r.snapshot) }));
    return this.v1Refs("branch");
  }

  async tags(): Promise<RefInfo[]> {
    if (this.info !== null) return this.info.tags.map((r) => ({ name: r.name, snapshotId: encodeBase32(r.snapshot) }));
    return this.v1Refs("tag");
  }

  private async v1Refs(kind: "branch" | "tag"): Promise<RefInfo[]> {
    const out: RefInfo[] = [];
    for (const key of await this.storage.list("refs")) {
      const dir = key.slice("refs/".length);
      if (!dir.startsWith(`${kind}.`)) continue;
      const name = dir.slice(kind.length + 1);
      if (kind === "tag" && (await this.storage.exists(`${key}/ref.json.deleted`))) continue;
      const id = await this.v1Ref(kind, name);
      if (id !== undefined) out.push({ name, snapshotId: id });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async v1Ref(kind: "branch" | "tag", name: string): Promise<string | undefined> {
    const bytes = await this.storage.get(`refs/${kind}.${name}/ref.json`);
    if (bytes === null) return undefined;
    try {
      const id = (JSON.parse(new TextDecoder().decode(bytes)) as { snapshot?: unknown }).snapshot;
      if (typeof id !== "string") throw new Error("no snapshot field");
      snapshotIdFromString(id);
      return id;
    } catch (e) {
      throw new CorruptFileError(`unreadable ${kind} ref ${name}: ${(e as Error).message}`, { file: `refs/${kind}.${name}/ref.json` });
    }
  }

  /** The snapshot id a version spec names (a branch tip by default: `main`). */
  async resolve(spec: VersionSpec = {}): Promise<string> {
    const given = [spec.branch, spec.tag, spec.snapshot].filter((x) => x !== undefined).length;
    if (given > 1) throw new InvalidArgumentError("give only one of branch, tag and snapshot");
    if (spec.snapshot !== undefined) {
      snapshotIdFromString(spec.snapshot);
      if (this.info !== null && !this.info.snapshots.some((s) => encodeBase32(s.id) === spec.snapshot)) {
        throw new NotFoundError(`no snapshot ${spec.snapshot} in ${this.storage.description}`);
      }
      return spec.snapshot;
    }
    const kind = spec.tag !== undefined ? "tag" : "branch";
    const name = spec.tag ?? spec.branch ?? "main";
    const list = kind === "tag" ? await this.tags() : await this.branches();
    const found = list.find((r) => r.name === name);
    if (found === undefined) throw new NotFoundError(`no ${kind} ${JSON.stringify(name)} in ${this.storage.description}`);
    return found.snapshotId;
  }

  snapshot(id: string): Promise<Snapshot> {
    let p = this.snapshots.get(id);
    if (p === undefined) {
      p = (async () => {
        const bytes = await this.storage.get(`snapshots/${id}`);
        if (bytes === null) throw new NotFoundError(`snapshot ${id} is missing from ${this.storage.description}`);
        return decodeSnapshot(bytes, `${this.storage.description}/snapshots/${id}`);
      })();
      this.snapshots.set(id, p);
    }
    return p;
  }

  manifest(id: string): Promise<ManifestFile> {
    let p = this.manifests.get(id);
    if (p === undefined) {
      p = (async () => {
        const bytes = await this.storage.get(`manifests/${id}`);
        if (bytes === null) throw new NotFoundError(`manifest ${id} is missing from ${this.storage.description}`);
        return ManifestFile.decode(bytes, `${this.storage.description}/manifests/${id}`);
      })();
      this.manifests.set(id, p);
    }
    return p;
  }

  /** Bytes of a native chunk object. */
  chunk(id: string, offset: number, length: number): Promise<Uint8Array> {
    return this.storage.getRange(`chunks/${id}`, offset, length);
  }

  /** The commits reachable from a version, newest first. */
  async log(spec: VersionSpec = {}): Promise<SnapshotSummary[]> {
    const start = await this.resolve(spec);
    const file = `${this.storage.description}/repo`;
    if (this.info !== null) {
      return ancestry(this.info, snapshotIdFromString(start)).map((s) => summary(s, file));
    }
    const out: SnapshotSummary[] = [];
    let at: string | null = start;
    while (at !== null) {
      const s: Snapshot = await this.snapshot(at);
      const parent: string | null = s.parentId === null ? null : encodeBase32(s.parentId);
      out.push({ id: at, parentId: parent, message: s.message, writtenAt: new Date(s.flushedAt / 1000), metadata: s.metadata });
      at = parent;
      if (out.length > 1_000_000) throw new CorruptFileError("the snapshot ancestry does not end");
    }
    return out;
  }

  /**
   * Read-modify-write of the `repo` file: `change` builds the new info from the current one
   * (it may throw, e.g. ConflictError); the write only lands if nobody changed `repo` in the
   * meantime, else we re-read and call `change` again.
   */
  async updateRepo(change: (info: RepoInfo) => { info: RepoInfo; update: Pick<RepoUpdate, "type" | "fields"> }): Promise<void> {
    if (this.specVersion < 2) throw new UnsupportedFeatureError("writing to spec-1 Icechunk repositories is not supported");
    for (let attempt = 0; attempt < 100; attempt++) {
      if (attempt > 0) {
        await this.refresh();
        if (attempt > 5) await new Promise((r) => setTimeout(r, Math.min(1000, 5 * 2 ** (attempt - 5)) * Math.random()));
      }
      const current = this.repoInfo;
      if (current.status.availability !== 0) throw new UnsupportedFeatureError("the repository is not online (read-only or offline)");
      const { info, update } = change(current);
      const backupName = backupFileName();
      const next = withUpdate(info, current, update, backupName, this.updatesPerFile());
      const version = await this.storage.putIfMatch(REPO_KEY, encodeRepoInfo(next), this.version, `overwritten/${backupName}`);
      if (version !== null) {
        this.info = next;
        this.version = version;
        if (version === "") await this.refresh();
        return;
      }
    }
    throw new ConflictError(`gave up updating ${this.storage.description}/repo after 100 concurrent changes`);
  }

  private updatesPerFile(): number {
    const n = this.config?.num_updates_per_repo_info_file;
    return typeof n === "number" && n > 0 ? n : UPDATES_PER_FILE;
  }

  async createBranch(name: string, snapshotId: string): Promise<void> {
    validateRefName(name, "branch");
    const id = snapshotIdFromString(snapshotId);
    await this.updateRepo((info) => {
      if (info.branches.some((b) => b.name === name)) throw new ConflictError(`branch ${name} already exists`);
      requireSnapshot(info, id);
      return {
        info: { ...info, branches: [...info.branches, { name, snapshot: id }] },
        update: { type: UpdateType.BranchCreated, fields: [name] },
      };
    });
  }

  async deleteBranch(name: string): Promise<void> {
    if (name === "main") throw new InvalidArgumentError("the main branch cannot be deleted");
    await this.updateRepo((info) => {
      const b = info.branches.find((x) => x.name === name);
      if (b === undefined) throw new NotFoundError(`no branch ${name}`);
      return {
        info: { ...info, branches: info.branches.filter((x) => x.name !== name) },
        update: { type: UpdateType.BranchDeleted, fields: [name, b.snapshot] },
      };
    });
  }

  async createTag(name: string, snapshotId: string): Promise<void> {
    validateRefName(name, "tag");
    const id = snapshotIdFromString(snapshotId);
    await this.updateRepo((info) => {
      if (info.tags.some((t) => t.name === name)) throw new ConflictError(`tag ${name} already exists`);
      if (info.deletedTags.includes(name)) throw new ConflictError(`tag ${name} was deleted; tag names cannot be reused`);
      requireSnapshot(info, id);
      return { info: { ...info, tags: [...info.tags, { name, snapshot: id }] }, update: { type: UpdateType.TagCreated, fields: [name] } };
    });
  }

  async deleteTag(name: string): Promise<void> {
    await this.updateRepo((info) => {
      const t = info.tags.find((x) => x.name === name);
      if (t === undefined) throw new NotFoundError(`no tag ${name}`);
      return {
        info: { ...info, tags: info.tags.filter((x) => x.name !== name), deletedTags: [...info.deletedTags, name] },
        update: { type: UpdateType.TagDeleted, fields: [name, t.snapshot] },
      };
    });
  }

  /** Adds containers to the config (a ConfigChanged update) unless they are already there. */
  async ensureContainers(containers: readonly VirtualChunkContainer[]): Promise<void> {
    const missing = (info: RepoInfo) => {
      const have = containersOf(decodeConfig(info.config, "repo"));
      return containers.filter((c) => !have.some((h) => h.urlPrefix === c.urlPrefix));
    };
    if (missing(this.repoInfo).length === 0) return;
    await this.updateRepo((info) => {
      const config = configWithContainers(decodeConfig(info.config, "repo"), missing(info));
      return { info: { ...info, config: encodeConfig(config) }, update: { type: UpdateType.ConfigChanged, fields: [] } };
    });
  }

  /** Records a new snapshot as the tip of `branch`, if the tip is still `parent`. */
  async commitSnapshot(branch: string, parent: ObjectId12, snapshot: SnapshotInfo, createBranch: boolean): Promise<void> {
    await this.updateRepo((info) => {
      const tip = info.branches.find((b) => b.name === branch);
      if (tip === undefined && !createBranch) throw new NotFoundError(`branch ${branch} was deleted`);
      if (tip !== undefined && !bytesEqual(tip.snapshot, parent)) {
        throw new ConflictError(
          `branch ${branch} moved to ${encodeBase32(tip.snapshot)} while this commit was prepared on ${encodeBase32(parent)}; re-run it on the new tip`,
        );
      }
      const branches =
        tip === undefined
          ? [...info.branches, { name: branch, snapshot: snapshot.id }]
          : info.branches.map((b) => (b.name === branch ? { name: branch, snapshot: snapshot.id } : b));
      return {
        info: { ...info, snapshots: [...info.snapshots, snapshot], branches },
        update: { type: UpdateType.NewCommit, fields: [branch, snapshot.id] },
      };
    });
  }
}

function requireSnapshot(info: RepoInfo, id: ObjectId12): void {
  if (!info.snapshots.some((s) => bytesEqual(s.id, id))) throw new NotFoundError(`no snapshot ${encodeBase32(id)}`);
}

function summary(s: SnapshotInfo, file: string): SnapshotSummary {
  return {
    id: encodeBase32(s.id),
    parentId: s.parentId === null ? null : encodeBase32(s.parentId),
    message: s.message,
    writtenAt: new Date(s.flushedAt / 1000),
    metadata: metadataValues(s.metadata, file),
  };
}

/** `repo.<14-digit (3000-01-01 − now) ms>.<base32 of 12 random bytes>`. */
export function backupFileName(nowMs = Date.now()): string {
  return `repo.${String(BACKUP_EPOCH_MS - nowMs).padStart(14, "0")}.${encodeBase32(randomId(12))}`;
}

/** Current time in µs, strictly after the newest ops-log entry (Icechunk refuses otherwise). */
export function nextTimestamp(info: RepoInfo): number {
  const newest = info.latestUpdates[0]?.updatedAt ?? 0;
  return Math.max(Date.now() * 1000, newest + 1);
}

/**
 * Prepends `update` to the ops log: the previous newest entry gets the backup of the file
 * in which it was newest; entries past `perFile` fall off, reachable via `repo_before_updates`.
 */
function withUpdate(
  info: RepoInfo,
  previous: RepoInfo,
  update: Pick<RepoUpdate, "type" | "fields">,
  backupName: string,
  perFile: number,
): RepoInfo {
  const at = nextTimestamp(previous);
  const [top, ...rest] = previous.latestUpdates;
  const older = top === undefined ? [] : [{ ...top, backupPath: backupName }, ...rest];
  const all: RepoUpdate[] = [{ ...update, updatedAt: at, backupPath: null }, ...older];
  let before = previous.repoBeforeUpdates;
  const kept: RepoUpdate[] = [];
  for (const u of all) {
    if (kept.length >= perFile && u.backupPath !== null) {
      before = u.backupPath;
      break;
    }
    kept.push(u);
  }
  return { ...info, latestUpdates: kept, repoBeforeUpdates: before };
}
