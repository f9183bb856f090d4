/**
 * A byte source: one file (local, HTTP, S3, in memory) read by ranges. Every reader of file
 * bytes (scanners, stores) goes through this interface.
 */

export interface ByteRange {
  offset: number;
  length: number;
}

/** What a source knows about its object, recorded in manifests to detect later changes. */
export interface SourceIdentity {
  size: number;
  etag?: string;
  /** Milliseconds since the epoch. */
  lastModified?: number;
}

export interface ByteSource {
  /** The URL chunk manifests record for this file. */
  readonly url: string;
  /** Size and identity (fetched once, then cached). */
  stat(): Promise<SourceIdentity>;
  /** Reads exactly `length` bytes at `offset`; fails with a tagged error if it cannot. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Reads several ranges. Sources coalesce nearby ranges into fewer requests; the result
   * holds one buffer per requested range, in order.
   */
  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /**
   * Like `readRanges`, but the buffers may be views into memory the source keeps: the
   * caller must not modify them, nor keep them past the source's `close` (or `release`,
   * which may hand the memory to another reader). For readers that copy the bytes
   * elsewhere anyway (a scan feeding its core) and would otherwise make the source copy them.
   */
  viewRanges?(ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /**
   * Fills `target` with the bytes at `offset` (exactly `target.length` of them), for readers
   * that reuse their buffers; sources that can read into caller memory (local files) offer it.
   */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  close?(): Promise<void>;
}
