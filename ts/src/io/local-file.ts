/** Local files (plain paths and `file://` URLs), read with positioned reads. */
import { closeSync, fstatSync, openSync, read as readAsync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { InvalidArgumentError, makeError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { readCoalesced } from "./coalesce.js";

/**
 * Reads up to this size are synchronous. Opening a file takes a handful of small dependent
 * operations (open, stat, a few blocks, close); each asynchronous one is a round trip
 * through libuv's thread pool — shared by every worker thread of the process — that costs
 * more than the read itself from the page cache. Opening a thousand files on two workers
 * spent most of its time waiting for those round trips. Large reads stay asynchronous so
 * the event loop (and decoding) go on while the disk works.
 */
const SYNC_READ_LIMIT = 1024 * 1024;

/**
 * Local reads are cheap per call but not free: ranges a few KiB apart are read as one. The
 * core's own local scans use the same figures (`api::scan_with_reader`).
 */
export const LOCAL_COALESCE = { maxGap: 4096, maxSize: 8 * 1024 * 1024 };

/** The local path of a plain path or `file://` URL. */
export function localPath(input: string): string {
  if (!input.startsWith("file://")) return resolve(input);
  try {
    return fileURLToPath(input);
  } catch (e) {
    // `%E0` and friends: a URL whose path is no UTF-8, from a reference set
    if (e instanceof URIError || e instanceof TypeError) throw new InvalidArgumentError(`not a valid file URL: ${input}`, { file: input });
    throw e;
  }
}

/** Is this local path or `file://` URL an existing directory? */
export function isLocalDirectory(input: string): boolean {
  return statSync(localPath(input), { throwIfNoEntry: false })?.isDirectory() === true;
}

export class LocalFileSource implements ByteSource {
  readonly url: string;
  readonly path: string;
  #fd: number | undefined;
  #identity: SourceIdentity | undefined;

  constructor(input: string) {
    this.path = localPath(input);
    this.url = pathToFileURL(this.path).href;
  }

  private fd(): number {
    if (this.#fd === undefined) {
      try {
        this.#fd = openSync(this.path, "r");
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw makeError(err.code === "ENOENT" ? "NotFound" : "Io", `cannot open ${this.path}: ${err.message}`, {
          file: this.path,
          cause: err,
        });
      }
    }
    return this.#fd;
  }

  async stat(): Promise<SourceIdentity> {
    if (this.#identity === undefined) {
      const s = fstatSync(this.fd());
      this.#identity = { size: s.size, lastModified: Math.floor(s.mtimeMs) };
    }
    return this.#identity;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buf = new Uint8Array(length);
    await this.readInto(offset, buf);
    return buf;
  }

  async readInto(offset: number, buf: Uint8Array): Promise<void> {
    const fd = this.fd();
    const length = buf.length;
    let done = 0;
    while (done < length) {
      const bytesRead =
        length <= SYNC_READ_LIMIT
          ? this.readSync(fd, buf, done, offset)
          : await new Promise<number>((ok, fail) =>
              readAsync(fd, buf, done, length - done, offset + done, (e, n) => (e === null ? ok(n) : fail(this.ioError(e, offset)))),
            );
      if (bytesRead === 0) {
        throw makeError("Io", `unexpected end of file reading ${length} bytes at ${offset}`, { file: this.path, offset });
      }
      done += bytesRead;
    }
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, (o, n) => this.read(o, n), LOCAL_COALESCE, 4);
  }

  async close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  private readSync(fd: number, buf: Uint8Array, done: number, offset: number): number {
    try {
      return readSync(fd, buf, done, buf.length - done, offset + done);
    } catch (e) {
      throw this.ioError(e as NodeJS.ErrnoException, offset);
    }
  }

  private ioError(e: NodeJS.ErrnoException, offset: number) {
    return makeError("Io", `cannot read ${this.path} at ${offset}: ${e.message}`, { file: this.path, offset, cause: e });
  }
}
