/**
 * HTTP(S) byte source: `Range` requests (coalesced), suffix ranges, retries with backoff on
 * 5xx / 429 / network errors / timeouts, and change detection: every response's ETag and
 * Last-Modified must match what `stat()` saw, or the read fails with SourceChanged instead of
 * returning bytes of a different file.
 */
import { makeError, SourceChangedError, VzarrError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { readCoalesced } from "./coalesce.js";
import { backoff, RETRYABLE_STATUS } from "./retry.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch?: FetchLike;
  headers?: Record<string, string>;
  /** Attempts per request (1 = no retry). */
  attempts?: number;
  /** First backoff delay; doubles each retry. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Ranges closer than this are fetched in one request. */
  maxGap?: number;
  /** Requests in flight at once for one file. */
  concurrency?: number;
  /** Called once per HTTP request (tests count them; progress reporting). */
  onRequest?: (info: { method: string; range?: string }) => void;
}

export class HttpSource implements ByteSource {
  #identity: Promise<SourceIdentity> | undefined;

  constructor(
    readonly url: string,
    protected readonly options: HttpOptions = {},
  ) {}

  protected async request(method: "GET" | "HEAD", range?: string): Promise<Response> {
    const attempts = this.options.attempts ?? 4;
    const fetchFn: FetchLike = this.options.fetch ?? ((u, i) => fetch(u, i));
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.options.onRequest?.({ method, range });
      const headers: Record<string, string> = { ...this.options.headers };
      if (range !== undefined) headers.Range = range;
      try {
        const res = await fetchFn(this.url, { method, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000) });
        if (res.ok) return res;
        if (res.status === 404 || res.status === 410) throw makeError("NotFound", `${this.url}: HTTP ${res.status}`, { file: this.url });
        if (res.status === 403 || res.status === 401)
          throw makeError("Io", `${this.url}: access denied (HTTP ${res.status})`, { file: this.url });
        if (res.status === 416)
          throw makeError("CorruptFile", `${this.url}: range ${range} not satisfiable (HTTP 416)`, { file: this.url });
        if (res.status === 412) throw new SourceChangedError(`${this.url} changed since it was indexed (HTTP 412)`, { file: this.url });
        lastError = makeError("Io", `${this.url}: HTTP ${res.status} ${res.statusText}`, { file: this.url });
        await res.body?.cancel();
        if (!RETRYABLE_STATUS.has(res.status)) throw lastError;
      } catch (e) {
        if (e instanceof VzarrError && !(e.kind === "Io" && /HTTP 5\d\d|HTTP 4(08|25|29)/.test(e.message))) throw e;
        lastError = e;
      }
      if (attempt < attempts) await backoff(attempt, this.options.backoffMs ?? 200);
    }
    if (lastError instanceof VzarrError) throw lastError;
    throw makeError("Io", `${this.url}: ${(lastError as Error)?.message ?? "request failed"} after ${attempts} attempts`, {
      file: this.url,
      cause: lastError,
    });
  }

  stat(): Promise<SourceIdentity> {
    this.#identity ??= this.fetchIdentity().catch((e: unknown) => {
      this.#identity = undefined;
      throw e;
    });
    return this.#identity;
  }

  private async fetchIdentity(): Promise<SourceIdentity> {
    let res = await this.request("HEAD").catch(() => undefined);
    let size = Number(res?.headers.get("content-length") ?? Number.NaN);
    if (res === undefined || !Number.isFinite(size)) {
      // Some servers refuse HEAD: ask for one byte and read the total from Content-Range.
      res = await this.request("GET", "bytes=0-0");
      const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1];
      await res.body?.cancel();
      size = Number(total ?? res.headers.get("content-length"));
    }
    if (!Number.isFinite(size)) throw makeError("Io", `${this.url}: the server does not report the size`, { file: this.url });
    return identityOf(res, size);
  }

  /** Fails when a response shows a different object than `stat()` saw. */
  private async checkSame(res: Response): Promise<void> {
    const was = await this.stat();
    const now = identityOf(res, was.size);
    if (was.etag !== undefined && now.etag !== undefined && was.etag !== now.etag) {
      throw new SourceChangedError(`${this.url} changed while being read (ETag ${was.etag} → ${now.etag})`, { file: this.url });
    }
    if (was.lastModified !== undefined && now.lastModified !== undefined && was.lastModified !== now.lastModified) {
      throw new SourceChangedError(`${this.url} changed while being read (Last-Modified differs)`, { file: this.url });
    }
    const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1];
    if (total !== undefined && Number(total) !== was.size) {
      throw new SourceChangedError(`${this.url} changed while being read (size ${was.size} → ${total})`, { file: this.url });
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const range = `bytes=${offset}-${offset + length - 1}`;
    const res = await this.request("GET", range);
    await this.checkSame(res);
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 206) {
      if (body.length !== length)
        throw makeError("Io", `${this.url}: asked for ${length} bytes at ${offset}, got ${body.length}`, { file: this.url, offset });
      return body;
    }
    // 200: the server ignored Range and sent everything.
    if (body.length < offset + length)
      throw makeError("Io", `${this.url}: short response (${body.length} bytes)`, { file: this.url, offset });
    return body.subarray(offset, offset + length);
  }

  /** The last `length` bytes, in one request (`Range: bytes=-n`). */
  async readSuffix(length: number): Promise<Uint8Array> {
    const res = await this.request("GET", `bytes=-${length}`);
    await this.checkSame(res);
    const body = new Uint8Array(await res.arrayBuffer());
    return res.status === 206 ? body : body.subarray(Math.max(0, body.length - length));
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    // A request costs a round trip; reading a gap of up to 1 MiB is cheaper than another one.
    const maxGap = this.options.maxGap ?? 1 << 20;
    return readCoalesced(ranges, (o, n) => this.read(o, n), { maxGap, maxSize: 64 << 20 }, this.options.concurrency ?? 6);
  }
}

function identityOf(res: Response, size: number): SourceIdentity {
  const etag = res.headers.get("etag") ?? undefined;
  const lm = res.headers.get("last-modified");
  const lastModified = lm === null ? undefined : Date.parse(lm);
  return {
    size,
    ...(etag === undefined ? {} : { etag }),
    ...(lastModified === undefined || Number.isNaN(lastModified) ? {} : { lastModified }),
  };
}
