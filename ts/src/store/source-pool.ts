/**
 * Open byte sources by URL, shared by all chunk reads of a store: keeps a bounded number
 * open, enforces the allow-list of URL prefixes, and checks each file against the identity
 * (size, ETag, Last-Modified) recorded when it was indexed.
 */
import { SourceChangedError } from "../errors/vzarr-error.js";
import { authorizeLocation } from "../io/authorize.js";
import type { ByteSource, SourceIdentity } from "../io/byte-source.js";

export interface SourcePoolOptions {
  /** Opens a source for a URL (defaults to `io/open-source.ts`). */
  open: (url: string) => ByteSource;
  /** Only URLs starting with one of these may be read; undefined = anything. */
  allow?: readonly string[];
  /** What each file looked like when indexed; a mismatch fails reads with SourceChanged. */
  expected?: (url: string) => SourceIdentity | undefined;
  /** At most this many sources stay open. */
  maxOpen?: number;
}

export class SourcePool {
  private readonly open = new Map<string, Promise<ByteSource>>();

  constructor(private readonly options: SourcePoolOptions) {}

  /** The source for `url`, opened, allowed and verified. */
  get(url: string): Promise<ByteSource> {
    let s = this.open.get(url);
    if (s !== undefined) {
      // Re-insert to keep the map in least-recently-used order.
      this.open.delete(url);
      this.open.set(url, s);
      return s;
    }
    s = this.openChecked(url);
    s.catch(() => this.open.delete(url));
    this.open.set(url, s);
    this.evict();
    return s;
  }

  private async openChecked(url: string): Promise<ByteSource> {
    const allow = this.options.allow;
    // Compared in canonical form: `..`, %2e and symlink spellings cannot leave a prefix.
    if (allow !== undefined) await authorizeLocation(url, { origin: url, allow });
    const source = this.options.open(url);
    const expected = this.options.expected?.(url);
    if (expected !== undefined) {
      const now = await source.stat();
      const changed: string[] = [];
      if (now.size !== expected.size) changed.push(`size ${expected.size} → ${now.size}`);
      if (expected.etag !== undefined && now.etag !== undefined && now.etag !== expected.etag)
        changed.push(`ETag ${expected.etag} → ${now.etag}`);
      if (expected.lastModified !== undefined && now.lastModified !== undefined && now.lastModified !== expected.lastModified) {
        changed.push(`last modified ${new Date(expected.lastModified).toISOString()} → ${new Date(now.lastModified).toISOString()}`);
      }
      if (changed.length > 0) {
        await source.close?.();
        throw new SourceChangedError(`${url} changed since it was indexed (${changed.join(", ")}); re-index it`, { file: url });
      }
    }
    return source;
  }

  private evict(): void {
    const max = this.options.maxOpen ?? 64;
    while (this.open.size > max) {
      const [oldest, s] = this.open.entries().next().value as [string, Promise<ByteSource>];
      this.open.delete(oldest);
      void s.then((src) => src.close?.()).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((s) => s.then((src) => src.close?.()).catch(() => undefined)));
  }
}
