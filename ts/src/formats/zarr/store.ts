/**
 * A Zarr store as the Zarr parser reads it: metadata documents by key, the objects under the
 * store with their sizes (when the store can be listed), byte ranges of one object (shard
 * indexes), and where a reference to an object points (a URL and the object's offset in it:
 * 0 for a directory or prefix store, the entry's data offset inside a `.zarr.zip`).
 */
import type { ByteRange } from "../../io/byte-source.js";

export interface StoreObject {
  key: string;
  size: number;
}

export interface ZarrStore {
  /** The store's root URL, without a trailing slash (named in errors, the dataset's file). */
  readonly url: string;
  /** Whether `list` can enumerate objects (local directories, S3, zip files; not plain HTTP). */
  readonly listable: boolean;
  /** A metadata document's bytes; undefined when the store has no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every object whose key starts with `prefix` (`""` for all), with its size. */
  list(prefix: string): Promise<StoreObject[]>;
  /** The size of one object, or undefined when it is absent. */
  size(key: string): Promise<number | undefined>;
  /** Ranges of one object. */
  readRanges(key: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /** Where references to `key` point. */
  locate(key: string): { url: string; offset: number };
  close?(): Promise<void>;
}

/** Joins a store root URL and a key. */
export function keyUrl(root: string, key: string): string {
  return key === "" ? root : `${root}/${key}`;
}
