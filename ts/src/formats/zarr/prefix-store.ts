/**
 * Zarr stores under a URL prefix: `http(s)://…` (objects read by URL; no listing — HTTP
 * servers have none to rely on) and `s3://bucket/prefix` (listed with ListObjectsV2).
 */
import { InvalidArgumentError, VzarrError } from "../../errors/vzarr-error.js";
import type { ByteRange } from "../../io/byte-source.js";
import { openSource } from "../../io/open-source.js";
import { schemeOf } from "../../io/url-scheme.js";
import { S3Storage } from "../icechunk/s3-storage.js";
import { keyUrl, type StoreObject, type ZarrStore } from "./store.js";

export class PrefixStore implements ZarrStore {
  readonly url: string;
  readonly listable: boolean;
  readonly #s3: S3Storage | undefined;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, "");
    const scheme = schemeOf(this.url);
    if (scheme !== "http" && scheme !== "https" && scheme !== "s3") {
      throw new InvalidArgumentError(`a Zarr store prefix must be an http(s):// or s3:// URL, not ${url}`);
    }
    this.#s3 = scheme === "s3" ? new S3Storage(this.url) : undefined;
    this.listable = this.#s3 !== undefined;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const source = openSource(keyUrl(this.url, key));
    try {
      const { size } = await source.stat();
      return await source.read(0, size);
    } catch (e) {
      if (e instanceof VzarrError && e.kind === "NotFound") return undefined;
      throw e;
    } finally {
      await source.close?.();
    }
  }

  list(prefix: string): Promise<StoreObject[]> {
    if (this.#s3 === undefined) throw new InvalidArgumentError(`${this.url}: HTTP stores cannot be listed`);
    return this.#s3.listObjects(prefix);
  }

  async size(key: string): Promise<number | undefined> {
    const source = openSource(keyUrl(this.url, key));
    try {
      return (await source.stat()).size;
    } catch (e) {
      if (e instanceof VzarrError && e.kind === "NotFound") return undefined;
      throw e;
    } finally {
      await source.close?.();
    }
  }

  async readRanges(key: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const source = openSource(keyUrl(this.url, key));
    try {
      return await source.readRanges(ranges);
    } finally {
      await source.close?.();
    }
  }

  locate(key: string): { url: string; offset: number } {
    return { url: keyUrl(this.url, key), offset: 0 };
  }
}
