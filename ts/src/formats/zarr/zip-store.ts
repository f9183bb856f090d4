/**
 * A Zarr store in a zip file (zarr-python's `ZipStore`, `.zarr.zip`), indexed from its
 * central directory: one read of the file's tail (end-of-central-directory record, the
 * zip64 locator and record, usually the directory itself), then the local headers of the
 * entries referenced, read together. References point into the zip file at each entry's
 * data; entries must be stored uncompressed (zarr-python's default), since a compressed
 * entry has no byte range a Zarr reader could decode.
 */
import { CorruptFileError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import type { ByteRange, ByteSource } from "../../io/byte-source.js";
import type { StoreObject, ZarrStore } from "./store.js";

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record (22 bytes) plus the longest comment. */
const TAIL = 22 + 0xffff;
/** Central directories larger than this are read in a second request. */
const MAX_DIRECTORY = 256 << 20;

interface Entry {
  key: string;
  method: number;
  size: number;
  headerOffset: number;
  /** The data's offset in the file, once its local header is read. */
  dataOffset?: number;
}

export class ZipStore implements ZarrStore {
  readonly listable = true;
  readonly #entries: Map<string, Entry>;

  private constructor(
    readonly url: string,
    private readonly source: ByteSource,
    entries: Map<string, Entry>,
  ) {
    this.#entries = entries;
  }

  static async open(source: ByteSource): Promise<ZipStore> {
    const { size } = await source.stat();
    const file = source.url;
    const corrupt = (why: string): never => {
      throw new CorruptFileError(`not a valid zip file: ${why}`, { file });
    };
    const tailStart = Math.max(0, size - TAIL);
    const tail = await source.read(tailStart, size - tailStart);
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) corrupt("no end-of-central-directory record");
    let count = view.getUint16(at + 10, true);
    let dirSize = view.getUint32(at + 12, true);
    let dirOffset = view.getUint32(at + 16, true);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      // zip64: the locator sits just before the end record and points at the zip64 record.
      const loc = at - 20;
      if (loc < 0 || view.getUint32(loc, true) !== EOCD64_LOCATOR) corrupt("a zip64 archive without its locator");
      const recordAt = Number(view.getBigUint64(loc + 8, true));
      const record = recordAt >= tailStart ? tail.subarray(recordAt - tailStart) : await source.read(recordAt, 56);
      const r = new DataView(record.buffer, record.byteOffset, record.byteLength);
      if (record.length < 56 || r.getUint32(0, true) !== EOCD64) corrupt("no zip64 end-of-central-directory record");
      count = Number(r.getBigUint64(32, true));
      dirSize = Number(r.getBigUint64(40, true));
      dirOffset = Number(r.getBigUint64(48, true));
    }
    if (dirOffset + dirSize > size || dirSize > MAX_DIRECTORY || count > dirSize / 46) {
      corrupt(`a central directory of ${count} entries and ${dirSize} bytes at ${dirOffset} in a file of ${size} bytes`);
    }
    const dir =
      dirOffset >= tailStart
        ? tail.subarray(dirOffset - tailStart, dirOffset - tailStart + dirSize)
        : await source.read(dirOffset, dirSize);
    return new ZipStore(source.url.replace(/\/+$/, ""), source, readDirectory(dir, count, corrupt));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    await this.locateData([entry]);
    return (await this.source.readRanges([{ offset: entry.dataOffset as number, length: entry.size }]))[0];
  }

  async list(prefix: string): Promise<StoreObject[]> {
    const found = [...this.#entries.values()].filter((e) => e.key.startsWith(prefix));
    // Listed objects are about to be referenced: their data offsets are needed now.
    await this.locateData(found);
    return found.map((e) => ({ key: e.key, size: e.size }));
  }

  async size(key: string): Promise<number | undefined> {
    return this.#entries.get(key)?.size;
  }

  async readRanges(key: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const entry = this.#entries.get(key);
    if (entry === undefined) throw new CorruptFileError(`no entry ${key} in the zip file`, { file: this.url });
    await this.locateData([entry]);
    const base = entry.dataOffset as number;
    for (const r of ranges) {
      if (r.offset + r.length > entry.size) throw new CorruptFileError(`a read past the end of entry ${key}`, { file: this.url });
    }
    return this.source.readRanges(ranges.map((r) => ({ offset: base + r.offset, length: r.length })));
  }

  locate(key: string): { url: string; offset: number } {
    const entry = this.#entries.get(key);
    if (entry?.dataOffset === undefined) throw new CorruptFileError(`entry ${key} was not located in the zip file`, { file: this.url });
    return { url: this.url, offset: entry.dataOffset };
  }

  close(): Promise<void> {
    return this.source.close?.() ?? Promise.resolve();
  }

  /** Reads the local headers of entries not yet located, together; refuses compressed ones. */
  private async locateData(entries: readonly Entry[]): Promise<void> {
    const todo = entries.filter((e) => e.dataOffset === undefined);
    if (todo.length === 0) return;
    for (const e of todo) {
      if (e.method !== 0) {
        throw new UnsupportedFeatureError(
          `zip entry ${e.key} is compressed (method ${e.method}): only stored entries can be referenced; write the zip without compression`,
          { file: this.url },
        );
      }
    }
    const headers = await this.source.readRanges(todo.map((e) => ({ offset: e.headerOffset, length: 30 })));
    const { size } = await this.source.stat();
    todo.forEach((e, i) => {
      const h = headers[i] as Uint8Array;
      const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
      if (v.getUint32(0, true) !== LOCAL) throw new CorruptFileError(`no local header for zip entry ${e.key}`, { file: this.url });
      const dataOffset = e.headerOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
      if (dataOffset + e.size > size) throw new CorruptFileError(`zip entry ${e.key} extends past the end of the file`, { file: this.url });
      e.dataOffset = dataOffset;
    });
  }
}

function readDirectory(dir: Uint8Array, count: number, corrupt: (why: string) => never): Map<string, Entry> {
  const view = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const decoder = new TextDecoder();
  const entries = new Map<string, Entry>();
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > dir.length || view.getUint32(at, true) !== CENTRAL) corrupt(`central directory entry ${n} is malformed`);
    const method = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 20, true);
    let compressed = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    let headerOffset = view.getUint32(at + 42, true);
    const end = at + 46 + nameLen + extraLen + commentLen;
    if (end > dir.length) corrupt(`central directory entry ${n} runs past the directory`);
    const key = decoder.decode(dir.subarray(at + 46, at + 46 + nameLen));
    // zip64 sizes and offset live in extra field 0x0001, in this order, for the fields at 0xffffffff.
    for (let x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen; ) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let p = x + 4;
        const next = () => {
          if (p + 8 > x + 4 + len) corrupt(`zip64 extra field of entry ${key} is short`);
          const v = Number(view.getBigUint64(p, true));
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (headerOffset === 0xffffffff) headerOffset = next();
      }
      x += 4 + len;
    }
    if (!key.endsWith("/")) entries.set(key, { key, method, size: method === 0 ? size : compressed, headerOffset });
    at = end;
  }
  return entries;
}
