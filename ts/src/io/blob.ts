/**
 * A `Blob` or `File` (a file the user picked or dropped in a browser, or any Blob in Node 20)
 * read by ranges. `blob.slice(a, b).arrayBuffer()` reads only that range from disk, so
 * scanning a multi-gigabyte local file in a page never loads it whole. A file of up to
 * 512 MiB is read whole, once, when one request would read most of it anyway.
 */
import { makeError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { coalesce, readCoalesced } from "./coalesce.js";

export interface BlobSourceOptions {
  /**
   * The URL manifests record for this file. Defaults to the file's name (a `File`) or
   * `blob`. Set it to where the file will be served from (`https://…/data.nc`) to write
   * references that others can follow; reads in this page still come from the Blob.
   */
  url?: string;
}

export class BlobSource implements ByteSource {
  readonly url: string;
  /** The whole file, once a request needed most of it. */
  private whole: Promise<Uint8Array> | undefined;

  constructor(
    readonly blob: Blob,
    options: BlobSourceOptions = {},
  ) {
    this.url = options.url ?? nameOf(blob) ?? "blob";
  }

  async stat(): Promise<SourceIdentity> {
    const lastModified = (this.blob as Partial<File>).lastModified;
    return { size: this.blob.size, ...(typeof lastModified === "number" && lastModified > 0 ? { lastModified } : {}) };
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.blob.size) {
      throw makeError("Io", `range ${offset}+${length} is outside ${this.blob.size} bytes`, { file: this.url, offset });
    }
    if (length === 0) return new Uint8Array(0);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.blob.slice(offset, offset + length).arrayBuffer();
    } catch (e) {
      // A File changed or deleted on disk since it was picked fails with NotReadableError.
      throw makeError("Io", `cannot read ${this.url}: ${(e as Error).message}`, { file: this.url, offset, cause: e });
    }
    if (buffer.byteLength !== length) {
      throw makeError("Io", `${this.url}: asked for ${length} bytes at ${offset}, got ${buffer.byteLength}`, { file: this.url, offset });
    }
    return new Uint8Array(buffer);
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    if (this.whole === undefined && this.blob.size <= WHOLE_FILE_LIMIT) {
      const planned = coalesce(ranges, COALESCE).reduce((sum, read) => sum + read.length, 0);
      // A request that would read most of the file (a B-tree level spread over it) reads
      // all of it, once, and keeps it: the next level is spread the same way, and reading
      // the same bytes again costs more than holding them.
      if (planned > this.blob.size / 2) this.whole = this.readWhole();
    }
    if (this.whole !== undefined) {
      const whole = this.whole;
      return whole.then((bytes) => ranges.map((r) => bytes.subarray(r.offset, r.offset + r.length)));
    }
    return readCoalesced(ranges, (o, n) => this.read(o, n), COALESCE, 4);
  }

  private readWhole(): Promise<Uint8Array> {
    const whole = this.read(0, this.blob.size);
    // A failed read is not kept: later requests try again (and fail with their own error).
    whole.catch(() => {
      if (this.whole === whole) this.whole = undefined;
    });
    return whole;
  }
}

// Each read of a File is a round trip to the browser's blob reader (an IPC in Chromium) that
// costs about as much as reading a megabyte more (bench/browser-scan.mjs on a 1M-chunk file:
// 327 reads → 16 took the scan from 290 to ~120 ms), so ranges up to 1 MiB apart are read
// together, as for HTTP.
const COALESCE = { maxGap: 1 << 20, maxSize: 16 << 20 };

/** Files up to this size may be held whole while they are scanned (see `readRanges`). */
const WHOLE_FILE_LIMIT = 512 << 20;

function nameOf(blob: Blob): string | undefined {
  const name = (blob as Partial<File>).name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
