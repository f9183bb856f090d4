/** Local files (plain paths and `file://` URLs), read with positioned reads. */
import { type FileHandle, open } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { readCoalesced } from "./coalesce.js";

/** The local path of a plain path or `file://` URL. */
export function localPath(input: string): string {
  return input.startsWith("file://") ? fileURLToPath(input) : resolve(input);
}

export class LocalFileSource implements ByteSource {
  readonly url: string;
  readonly path: string;
  #handle: Promise<FileHandle> | undefined;
  #identity: SourceIdentity | undefined;

  constructor(input: string) {
    this.path = localPath(input);
    this.url = pathToFileURL(this.path).href;
  }

  private handle(): Promise<FileHandle> {
    this.#handle ??= open(this.path, "r").catch((e: NodeJS.ErrnoException) => {
      this.#handle = undefined;
      throw makeError(e.code === "ENOENT" ? "NotFound" : "Io", `cannot open ${this.path}: ${e.message}`, { file: this.path, cause: e });
    });
    return this.#handle;
  }

  async stat(): Promise<SourceIdentity> {
    if (this.#identity === undefined) {
      const s = await (await this.handle()).stat();
      this.#identity = { size: s.size, lastModified: Math.floor(s.mtimeMs) };
    }
    return this.#identity;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const fh = await this.handle();
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw makeError("Io", `unexpected end of file reading ${length} bytes at ${offset}`, { file: this.path, offset });
      }
      done += bytesRead;
    }
    return buf;
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    // Local reads are cheap per call but not free: merge ranges a few KiB apart.
    return readCoalesced(ranges, (o, n) => this.read(o, n), { maxGap: 4096, maxSize: 8 * 1024 * 1024 }, 4);
  }

  async close(): Promise<void> {
    const h = this.#handle;
    this.#handle = undefined;
    if (h !== undefined) await (await h).close();
  }
}
