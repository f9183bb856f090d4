/**
 * Where a repository's objects live. Objects with random ids are written once and never
 * change; the only mutable object (`repo`, spec 2) is replaced with a compare-and-swap so
 * two concurrent writers can never both win.
 */

/** An opaque token naming the version of an object that was read (ETag or content). */
export type ObjectVersion = string | Uint8Array;

export interface VersionedObject {
  bytes: Uint8Array;
  version: ObjectVersion;
}

export interface Storage {
  /** Where the repository is (for messages). */
  readonly description: string;
  /** The whole object, or `null` when it does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  /** `length` bytes at `offset`. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** The object and its version, or `null`. */
  getVersioned(key: string): Promise<VersionedObject | null>;
  /** Writes an object that nobody else writes (random-id keys). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /**
   * Replaces `key` only if it is still at `expected` (`null`: only if it does not exist),
   * first copying the current object to `backupKey` when given. Returns the new version, or
   * `null` when the object changed since it was read (the caller re-reads and retries).
   */
  putIfMatch(key: string, bytes: Uint8Array, expected: ObjectVersion | null, backupKey?: string): Promise<ObjectVersion | null>;
  /** Keys under a prefix (relative to the repository root). */
  list(prefix: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  /**
   * Every object under a prefix with its modification time, temporary and lock files
   * included (garbage collection); storages that cannot list this way leave it out.
   */
  listObjects?(prefix: string): Promise<StoredObject[]>;
  /** Removes an object (garbage collection). */
  delete?(key: string): Promise<void>;
}

export interface StoredObject {
  key: string;
  size: number;
  /** Milliseconds since the epoch. */
  lastModified: number;
}
