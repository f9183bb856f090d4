/**
 * Garbage collection (`vzarr repo gc`, as Icechunk's `garbage_collect`): removes what no
 * snapshot of the repository's history refers to — snapshot, manifest, chunk and transaction
 * files a writer wrote before it was killed or lost a conflict — plus temporary files and
 * locks their holders left behind. History is kept whole (no snapshot is expired), and only
 * objects older than a grace period are removed, so a commit under way (whose files are
 * written before the branch moves) is never touched.
 */
import { InvalidArgumentError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { encodeBase32 } from "./ids.js";
import { IcechunkRepository } from "./repository.js";
import type { Storage } from "./storage.js";

export interface GcOptions {
  /** Keep objects modified within this many milliseconds (default one hour). */
  graceMs?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** "Now", for tests. */
  now?: number;
  /** Whether a lock's holder has exited (platform: a pid check on this host). */
  holderIsGone?: (lock: string) => boolean;
}

export interface GcResult {
  /** Keys removed (or that would be, with `dryRun`). */
  removed: string[];
  bytes: number;
  /** Unreferenced objects kept because they are younger than the grace period. */
  young: number;
  /** Snapshots in the history (all kept). */
  snapshots: number;
}

const COLLECTED = ["snapshots/", "manifests/", "chunks/", "transactions/"];

export async function garbageCollect(location: string | Storage, options: GcOptions = {}): Promise<GcResult> {
  const repo = await IcechunkRepository.open(location);
  const storage = repo.storage;
  if (storage.listObjects === undefined || storage.delete === undefined) {
    throw new UnsupportedFeatureError(`garbage collection needs a storage that can list and delete (${storage.description})`);
  }
  const graceMs = options.graceMs ?? 3_600_000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new InvalidArgumentError("the grace period must be a non-negative duration");
  const cutoff = (options.now ?? Date.now()) - graceMs;

  // Every snapshot of the history: the repo file's list (spec 2), or the refs' ancestry (spec 1).
  const snapshotIds = new Set<string>();
  if (repo.specVersion >= 2) {
    for (const s of repo.repoInfo.snapshots) snapshotIds.add(encodeBase32(s.id));
  } else {
    const heads = [...(await repo.branches()), ...(await repo.tags())].map((r) => r.snapshotId);
    for (let id of heads) {
      while (!snapshotIds.has(id)) {
        snapshotIds.add(id);
        const parent = (await repo.snapshot(id)).parentId;
        if (parent === null) break;
        id = encodeBase32(parent);
      }
    }
  }
  const keep = new Set<string>();
  for (const id of snapshotIds) {
    keep.add(`snapshots/${id}`);
    keep.add(`transactions/${id}`);
    const snapshot = await repo.snapshot(id);
    for (const f of snapshot.manifestFiles) {
      const mid = encodeBase32(f.id);
      if (keep.has(`manifests/${mid}`)) continue;
      keep.add(`manifests/${mid}`);
      const manifest = await repo.manifest(mid);
      for (const node of snapshot.nodes) {
        if (node.array === null) continue;
        manifest.forEachRef(node.id, (ref) => {
          if (ref.kind === "native" && ref.chunkId !== undefined) keep.add(`chunks/${encodeBase32(ref.chunkId)}`);
        });
      }
    }
  }

  const result: GcResult = { removed: [], bytes: 0, young: 0, snapshots: snapshotIds.size };
  for (const object of await storage.listObjects("")) {
    const { key } = object;
    const temporary = key.includes(".tmp-");
    const lock = key.endsWith(".lock");
    const collectable = COLLECTED.some((p) => key.startsWith(p)) && !keep.has(key);
    if (!temporary && !lock && !collectable) continue;
    if (lock) {
      const holder = await storage.get(key).catch(() => null);
      const gone = holder !== null && options.holderIsGone?.(new TextDecoder().decode(holder)) === true;
      if (!gone && object.lastModified > cutoff) {
        result.young++;
        continue;
      }
    } else if (object.lastModified > cutoff) {
      result.young++;
      continue;
    }
    result.removed.push(key);
    result.bytes += object.size;
    if (options.dryRun !== true) await storage.delete(key);
  }
  result.removed.sort();
  return result;
}
