/**
 * HTTP(S) byte source: `Range` requests (coalesced), suffix ranges, retries with backoff and
 * jitter on 5xx / 429 / SlowDown / timeouts / dropped connections (a body cut off mid-transfer
 * included), and change detection: every response's ETag and Last-Modified must match what
 * the first one showed, or the read fails with SourceChanged instead of returning bytes of a
 * different file.
 *
 * Round trips are what remote files cost, so the first request of a source is a speculative
 * GET of the file's first bytes (`firstRead`) rather than a HEAD: its Content-Range gives the
 * size, and its bytes — where every format's metadata starts — serve the reads that follow.
 * A small file is opened in one request.
 */
import { makeError, SourceChangedError, VzarrError } from "../errors/vzarr-error.js";
import type { ByteRange, ByteSource, SourceIdentity } from "./byte-source.js";
import { readCoalesced } from "./coalesce.js";
import { backoff, RETRYABLE_STATUS } from "./retry.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch?: FetchLike;
  headers?: Record<string, string>;
  /** Attempts per request (1 = no retry; default 5). */
  attempts?: number;
  /** First backoff delay (default 100 ms); doubles each retry, with jitter. */
  backoffMs?: number;
  /** A request (its body included) taking longer than this is abandoned and retried. */
  timeoutMs?: number;
  /** Ranges closer than this are fetched in one request. */
  maxGap?: number;
  /** Requests in flight at once for one file. */
  concurrency?: number;
  /**
   * Bytes the first request reads from the start of the file, learning its size on the way
   * (0: a HEAD instead). Default: `firstReadFor(url)`.
   */
  firstRead?: number;
  /** Called once per HTTP request, retries included (tests count them; progress reporting). */
  onRequest?: (info: { method: string; range?: string }) => void;
}

/** A request's answer with its body read: retries cover the body too. */
interface Answer {
  res: Response;
  body: Uint8Array;
}

/**
 * Where a transport may leave a response's whole body as bytes (`platform/node-http-transport.ts`
 * does): read from there, a response costs no stream machinery — a third of the CPU of a
 * small request with Node's `Response`.
 */
export const RAW_BODY: unique symbol = Symbol.for("vzarr.http.rawBody");

/** The body of a response, from `RAW_BODY` when the transport left it there. */
async function bodyBytes(res: Response): Promise<Uint8Array> {
  const raw = (res as Response & { [RAW_BODY]?: Uint8Array })[RAW_BODY];
  return raw ?? new Uint8Array(await res.arrayBuffer());
}

let transport: FetchLike = (u, i) => fetch(u, i);

/** The platform's transport (read at call time, so sources made before `setDefaultFetch` use it too). */
export const defaultFetch: FetchLike = (u, i) => transport(u, i);

/**
 * The transport HTTP sources use when not given one: the platform sets it (Node: keep-alive
 * connection pools per host, `platform/node-http-transport.ts`); elsewhere the global fetch.
 */
export function setDefaultFetch(f: FetchLike): void {
  transport = f;
}

/**
 * The speculative first read for a file, sized for its format as its name tells: GRIB files
 * are walked message by message from the start (`read-ahead.ts` then widens sequential reads),
 * so more of them is useful at once; HDF5 / netCDF / TIFF metadata written by the usual
 * libraries sits in the first tens of KiB.
 */
export function firstReadFor(url: string): number {
  const path = url.replace(/[?#].*$/, "").toLowerCase();
  return /\.(grib2?|grb2?|gb2)$/.test(path) ? 1 << 20 : 64 << 10;
}

export class HttpSource implements ByteSource {
  #identity: Promise<SourceIdentity> | undefined;
  /** The first bytes of the file, from the first request. */
  #head: Uint8Array | undefined;

  constructor(
    readonly url: string,
    protected readonly options: HttpOptions = {},
  ) {}

  /** One request, retried as the policy says, its body read. */
  protected async request(method: "GET" | "HEAD", range?: string): Promise<Answer> {
    const attempts = Math.max(1, this.options.attempts ?? 5);
    const fetchFn: FetchLike = this.options.fetch ?? defaultFetch;
    let last = "no answer";
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.options.onRequest?.({ method, range });
      const headers: Record<string, string> = { ...this.options.headers };
      if (range !== undefined) headers.Range = range;
      try {
        const signal = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
        const res = await fetchFn(this.url, { method, headers, signal });
        if (res.ok) {
          const body = method === "HEAD" ? new Uint8Array(0) : await bodyBytes(res);
          return { res, body };
        }
        const detail = await errorDetail(res);
        this.throwFinal(res.status, detail, range);
        last = `HTTP ${res.status}${detail === "" ? "" : ` ${detail}`}`;
      } catch (e) {
        if (e instanceof VzarrError) throw e;
        lastError = e;
        last = describeFailure(e);
      }
      if (attempt < attempts) await backoff(attempt, this.options.backoffMs ?? 100);
    }
    throw makeError("Io", `${this.url}: gave up after ${attempts} attempts (last: ${last})`, { file: this.url, cause: lastError });
  }

  /** Statuses no retry changes become their tagged errors at once. */
  private throwFinal(status: number, detail: string, range: string | undefined): void {
    if (RETRYABLE_STATUS.has(status)) return;
    if (status === 404 || status === 410) throw makeError("NotFound", `${this.url}: HTTP ${status}`, { file: this.url });
    if (status === 403 || status === 401) throw makeError("Io", `${this.url}: access denied (HTTP ${status})`, { file: this.url });
    if (status === 416) throw makeError("CorruptFile", `${this.url}: range ${range} not satisfiable (HTTP 416)`, { file: this.url });
    if (status === 412) throw new SourceChangedError(`${this.url} changed since it was indexed (HTTP 412)`, { file: this.url });
    throw makeError("Io", `${this.url}: HTTP ${status}${detail === "" ? "" : ` ${detail}`}`, { file: this.url });
  }

  stat(): Promise<SourceIdentity> {
    this.#identity ??= this.fetchIdentity().catch((e: unknown) => {
      this.#identity = undefined;
      throw e;
    });
    return this.#identity;
  }

  private async fetchIdentity(): Promise<SourceIdentity> {
    const first = this.options.firstRead ?? firstReadFor(this.url);
    if (first > 0) {
      const answer = await this.request("GET", `bytes=0-${first - 1}`).catch((e: unknown) => {
        // An empty file cannot satisfy any range: its size comes from a HEAD.
        if (e instanceof VzarrError && e.kind === "CorruptFile" && /HTTP 416/.test(e.message)) return undefined;
        throw e;
      });
      if (answer !== undefined) {
        const { res, body } = answer;
        const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1];
        // 206 with the total, or 200: the server ignored Range and sent the whole file.
        const size = total !== undefined ? Number(total) : res.status === 200 ? body.length : Number.NaN;
        if (Number.isFinite(size)) {
          this.#head = body;
          return identityOf(res, size);
        }
      }
    }
    let res = (await this.request("HEAD").catch(() => undefined))?.res;
    let size = Number(res?.headers.get("content-length") ?? Number.NaN);
    if (res === undefined || !Number.isFinite(size)) {
      // Some servers refuse HEAD: ask for one byte and read the total from Content-Range.
      res = (await this.request("GET", "bytes=0-0")).res;
      const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1];
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
    await this.stat();
    const head = this.#head;
    if (head !== undefined && offset + length <= head.length) return head.slice(offset, offset + length);
    const range = `bytes=${offset}-${offset + length - 1}`;
    const { res, body } = await this.request("GET", range);
    await this.checkSame(res);
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
    const { res, body } = await this.request("GET", `bytes=-${length}`);
    await this.checkSame(res);
    return res.status === 206 ? body : body.subarray(Math.max(0, body.length - length));
  }

  readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    // A request costs a round trip; reading a gap of up to 1 MiB is cheaper than another one.
    const maxGap = this.options.maxGap ?? 1 << 20;
    return readCoalesced(ranges, (o, n) => this.read(o, n), { maxGap, maxSize: 64 << 20 }, this.options.concurrency ?? 6);
  }
}

/** What an error answer says: S3's `<Code>` (SlowDown, InternalError) or the status text. */
async function errorDetail(res: Response): Promise<string> {
  let text = "";
  try {
    text = new TextDecoder().decode((await bodyBytes(res)).subarray(0, 4096));
  } catch {
    // The body is only for the message.
  }
  return /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1] ?? res.statusText;
}

/** A failed request without an answer, for the final error: timeout, reset, refused. */
function describeFailure(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return "timed out";
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (e as { code?: string }).code;
    return code !== undefined ? `connection failed (${code})` : e.message;
  }
  return String(e);
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
