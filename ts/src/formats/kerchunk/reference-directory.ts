/**
 * Read access to a directory-shaped reference set (kerchunk Parquet) without assuming a
 * file system: local directories, HTTP prefixes, object stores or memory implement it.
 */
export interface ReferenceDirectory {
  /** URL of the directory, ending in `/` (names the set in errors; relative URLs resolve against its parent). */
  readonly url: string;
  /** A file's bytes by path relative to the root, or `undefined` when it does not exist. */
  read(relativePath: string): Promise<Uint8Array | undefined>;
}

/** Files held in memory (tests, browsers). */
export class MemoryDirectory implements ReferenceDirectory {
  constructor(
    readonly url: string,
    readonly files: Map<string, Uint8Array> = new Map(),
  ) {}

  async read(relativePath: string): Promise<Uint8Array | undefined> {
    return this.files.get(relativePath);
  }

  async write(relativePath: string, bytes: Uint8Array): Promise<void> {
    this.files.set(relativePath, bytes.slice());
  }
}
