/**
 * A repository in a local directory.
 *
 * Icechunk's own local backend disables conditional updates ("not safe for concurrent
 * commits"). We make the `repo` swap safe among vzarr writers with a lock file taken by
 * exclusive create (`O_EXCL`): under the lock the current file is re-read and compared
 * byte for byte with what the writer started from (its "ETag"), the old file is copied
 * to its backup name, and the new one is moved in with an atomic rename, so readers see
 * either the old or the new file, never a partial one. A lock older than `staleLockMs`
 * (a crashed writer) is broken.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IoError, makeError } from "../../errors/vzarr-error.js";
import type { ObjectVersion, Storage, StoredObject, VersionedObject } from "./storage.js";

/** Whether a lock (`pid host token`) was taken by a process on this host that has exited. */
export function holderIsGone(lock: string): boolean {
  const [pid, host] = lock.split(" ");
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export interface LocalStorageOptions {
  /** Give up waiting for another writer's lock after this long. Default 30 s. */
  lockTimeoutMs?: number;
  /** Consider a lock abandoned after this long. Default 60 s. */
  staleLockMs?: number;
}

export class LocalStorage implements Storage {
  readonly root: string;
  readonly description: string;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(path: string, options: LocalStorageOptions = {}) {
    this.root = path.startsWith("file://") ? fileURLToPath(path) : resolve(path);
    this.description = this.root;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.staleLockMs = options.staleLockMs ?? 60_000;
  }

  private path(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  private fail(e: unknown, key: string): never {
    const err = e as NodeJS.ErrnoException;
    throw makeError(err.code === "ENOENT" ? "NotFound" : "Io", `cannot access ${key} in ${this.root}: ${err.message}`, {
      file: this.path(key),
      cause: e,
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      return this.fail(e, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.path(key), "r");
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw new IoError(`${key} ends before byte ${offset + length}`, { file: this.path(key), offset });
        done += bytesRead;
      }
      return buf;
    } catch (e) {
      if (e instanceof IoError) throw e;
      return this.fail(e, key);
    } finally {
      await fh?.close();
    }
  }

  async getVersioned(key: string): Promise<VersionedObject | null> {
    const bytes = await this.get(key);
    return bytes === null ? null : { bytes, version: bytes };
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    try {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: a reader never sees a partial object.
      const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (e) {
      this.fail(e, key);
    }
  }

  async putIfMatch(key: string, bytes: Uint8Array, expected: ObjectVersion | null, backupKey?: string): Promise<ObjectVersion | null> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true }).catch((e) => this.fail(e, key));
    const release = await this.lock(`${path}.lock`);
    try {
      const current = await this.get(key);
      if (!sameVersion(current, expected)) return null;
      if (backupKey !== undefined && current !== null) {
        const backup = this.path(backupKey);
        await mkdir(dirname(backup), { recursive: true });
        await writeFile(backup, current, { flag: "wx" });
      }
      const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
      return bytes;
    } catch (e) {
      if (e instanceof IoError) throw e;
      return this.fail(e, key);
    } finally {
      await release();
    }
  }

  /**
   * Takes the lock file by exclusive create; returns its release function. The lock names
   * its holder (`pid host token`): a lock whose holder is a process on this host that no
   * longer runs (a writer killed with -9) is broken at once; one from another host (a shared
   * filesystem) when it is older than `staleLockMs` — it is held only for the instant of a
   * compare-and-swap, so a healthy holder never gets near that age.
   */
  private async lock(lockPath: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.lockTimeoutMs;
    const token = `${process.pid} ${hostname()} ${randomBytes(8).toString("hex")}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lockPath, token, { flag: "wx" });
        return async () => {
          // Only remove our own lock (a stale-lock breaker may have replaced it).
          const held = await readFile(lockPath, "utf8").catch(() => "");
          if (held === token) await unlink(lockPath).catch(() => undefined);
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST")
          throw new IoError(`cannot create lock ${lockPath}: ${(e as Error).message}`, { cause: e });
      }
      const held = await readFile(lockPath, "utf8").catch(() => undefined);
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (held !== undefined && (holderIsGone(held) || age > this.staleLockMs)) {
        // Break it only if it is still the lock judged stale (not a new holder's).
        const again = await readFile(lockPath, "utf8").catch(() => undefined);
        if (again === held) await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new IoError(`timed out waiting for the repository lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt * 2) * (0.5 + Math.random())));
    }
  }

  async listObjects(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = async (dir: string, rel: string) => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw e;
      }
      for (const entry of entries) {
        const key = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(join(dir, entry.name), key);
        else if (entry.isFile()) {
          const s = await stat(join(dir, entry.name)).catch(() => undefined);
          if (s !== undefined) out.push({ key, size: s.size, lastModified: s.mtimeMs });
        }
      }
    };
    await walk(this.path(prefix), prefix).catch((e: unknown) => this.fail(e, prefix));
    return out;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.path(key)).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.fail(e, key);
    });
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(prefix));
      return names.filter((n) => !n.includes(".tmp-") && !n.endsWith(".lock")).map((n) => `${prefix}/${n}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      return this.fail(e, prefix);
    }
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }
}

function sameVersion(current: Uint8Array | null, expected: ObjectVersion | null): boolean {
  if (expected === null) return current === null;
  if (current === null || typeof expected === "string") return false;
  return Buffer.compare(current, expected) === 0;
}
