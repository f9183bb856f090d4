/** Bytes already in memory (tests, browser `File`/`Blob` contents, generated data). */
import { makeError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";

export class MemorySource implements ByteSource {
  constructor(
    readonly url: string,
    private readonly bytes: Uint8Array,
  ) {}

  async stat(): Promise<SourceIdentity> {
    return { size: this.bytes.length };
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw makeError("Io", `range ${offset}+${length} is outside ${this.bytes.length} bytes`, { file: this.url, offset });
    }
    return this.bytes.subarray(offset, offset + length);
  }

  async readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return Promise.all(ranges.map((r) => this.read(r.offset, r.length)));
  }
}
