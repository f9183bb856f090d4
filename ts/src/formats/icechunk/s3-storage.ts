/**
 * A repository in an S3 (or S3-compatible) bucket, with SigV4-signed `fetch` (aws4fetch:
 * WebCrypto, so browsers too). The `repo` swap uses S3's conditional writes: the backup
 * is a server-side copy with `x-amz-copy-source-if-match`, the new file a PUT with
 * `If-Match: <etag>` (`If-None-Match: *` on creation); HTTP 412 means someone else won.
 */
import { AwsClient } from "aws4fetch";
import { InvalidArgumentError, IoError, NotFoundError } from "../../errors/vzarr-error.js";
import { backoff, RETRYABLE_STATUS } from "../../io/retry.js";
import type { ObjectVersion, Storage, StoredObject, VersionedObject } from "./storage.js";

/** Attempts at a request S3 answers with a retryable status (see `request`). */
const RETRIES = 3;

export interface S3StorageOptions {
  region?: string;
  /** e.g. `http://127.0.0.1:9000` (path-style addressing); default AWS virtual-hosted style. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Unsigned requests (public buckets, reading only). */
  anonymous?: boolean;
  fetch?: typeof fetch;
}

function env(name: string): string | undefined {
  return typeof process !== "undefined" ? process.env?.[name] : undefined;
}

export class S3Storage implements Storage {
  readonly description: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly base: string;
  private readonly client: AwsClient | undefined;
  private readonly fetcher: typeof fetch;

  constructor(url: string, options: S3StorageOptions = {}) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (m === null) throw new InvalidArgumentError(`not an s3://bucket/prefix URL: ${url}`);
    this.bucket = m[1] as string;
    this.prefix = (m[2] as string).replace(/\/+$/, "");
    this.description = url;
    const region = options.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
    const endpoint = (options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL"))?.replace(/\/+$/, "");
    this.base = endpoint !== undefined ? `${endpoint}/${this.bucket}` : `https://${this.bucket}.s3.${region}.amazonaws.com`;
    const accessKeyId = options.accessKeyId ?? env("AWS_ACCESS_KEY_ID");
    const secretAccessKey = options.secretAccessKey ?? env("AWS_SECRET_ACCESS_KEY");
    this.client =
      options.anonymous === true || accessKeyId === undefined || secretAccessKey === undefined
        ? undefined
        : new AwsClient({
            accessKeyId,
            secretAccessKey,
            sessionToken: options.sessionToken ?? env("AWS_SESSION_TOKEN"),
            region,
            service: "s3",
          });
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private keyPath(key: string): string {
    const full = this.prefix === "" ? key : `${this.prefix}/${key}`;
    return full.split("/").map(encodeURIComponent).join("/");
  }

  /**
   * One request; a retryable answer (500, 503, throttling: `io/retry.ts`) is repeated, as S3
   * asks clients to, when repeating the request cannot change its outcome: reads, listings,
   * and copies to a backup key. A conditional PUT is not: if the first attempt landed, a
   * repeat would see its own write as a conflict.
   */
  private async request(
    method: string,
    key: string | null,
    init: { headers?: Record<string, string>; body?: Uint8Array; query?: string; idempotent?: boolean } = {},
  ): Promise<Response> {
    const idempotent = init.idempotent ?? (method === "GET" || method === "HEAD");
    for (let attempt = 1; ; attempt++) {
      const res = await this.requestOnce(method, key, init);
      if (!idempotent || !RETRYABLE_STATUS.has(res.status) || attempt === RETRIES) return res;
      await res.body?.cancel();
      await backoff(attempt, 100);
    }
  }

  private async requestOnce(
    method: string,
    key: string | null,
    init: { headers?: Record<string, string>; body?: Uint8Array; query?: string },
  ): Promise<Response> {
    const url = `${this.base}/${key === null ? "" : this.keyPath(key)}${init.query ?? ""}`;
    const req: RequestInit = { method, headers: init.headers ?? {} };
    if (init.body !== undefined) req.body = new Blob([init.body as Uint8Array<ArrayBuffer>]);
    try {
      if (this.client === undefined) return await this.fetcher(url, req);
      const signed = await this.client.sign(url, req);
      return await this.fetcher(signed);
    } catch (e) {
      throw new IoError(`S3 ${method} ${url} failed: ${(e as Error).message}`, { file: url, cause: e });
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text().catch(() => "");
    const msg = `S3 ${what} in ${this.description}: HTTP ${res.status} ${text.slice(0, 200)}`;
    throw res.status === 404 ? new NotFoundError(msg) : new IoError(msg);
  }

  async get(key: string): Promise<Uint8Array | null> {
    return (await this.getVersioned(key))?.bytes ?? null;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const res = await this.request("GET", key, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
    if (!res.ok) return this.fail(res, `GET ${key}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length !== length) throw new IoError(`S3 returned ${bytes.length} bytes of ${key}, wanted ${length}`);
    return bytes;
  }

  async getVersioned(key: string): Promise<VersionedObject | null> {
    const res = await this.request("GET", key);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) return this.fail(res, `GET ${key}`);
    return { bytes: new Uint8Array(await res.arrayBuffer()), version: res.headers.get("etag") ?? "" };
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const res = await this.request("PUT", key, { body: bytes });
    if (!res.ok) return this.fail(res, `PUT ${key}`);
    await res.body?.cancel();
  }

  async putIfMatch(key: string, bytes: Uint8Array, expected: ObjectVersion | null, backupKey?: string): Promise<ObjectVersion | null> {
    if (expected !== null && typeof expected !== "string") throw new InvalidArgumentError("S3 versions are ETags");
    if (backupKey !== undefined && expected !== null) {
      const source = `/${this.bucket}/${this.keyPath(key)}`;
      const copy = await this.request("PUT", backupKey, {
        headers: { "x-amz-copy-source": source, "x-amz-copy-source-if-match": expected },
        idempotent: true,
      });
      // 412: the object changed; 409: a concurrent conditional request on it (S3's
      // ConditionalRequestConflict) — either way another writer is updating it.
      if (copy.status === 412 || copy.status === 409) {
        await copy.body?.cancel();
        return null;
      }
      if (!copy.ok) return this.fail(copy, `COPY ${key} to ${backupKey}`);
      await copy.body?.cancel();
    }
    const condition: Record<string, string> = expected === null ? { "if-none-match": "*" } : { "if-match": expected };
    const res = await this.request("PUT", key, { body: bytes, headers: condition });
    // 412: precondition failed; 409: a concurrent conditional write is in progress.
    if (res.status === 412 || res.status === 409) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) return this.fail(res, `PUT ${key}`);
    await res.body?.cancel();
    const etag = res.headers.get("etag");
    // Without an ETag in the answer, the next update re-reads the object first.
    return etag ?? "";
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(`${prefix}/`)).map((o) => o.key.slice(prefix.length + 1));
  }

  /**
   * Every object whose key (relative to this storage's prefix) starts with `prefix`, with
   * its size: ListObjectsV2, page by page.
   */
  async listObjects(prefix: string): Promise<StoredObject[]> {
    const base = this.prefix === "" ? "" : `${this.prefix}/`;
    const full = `${base}${prefix}`;
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const query = `?list-type=2&prefix=${encodeURIComponent(full)}${token === undefined ? "" : `&continuation-token=${encodeURIComponent(token)}`}`;
      const res = await this.request("GET", null, { query });
      if (!res.ok) return this.fail(res, `LIST ${prefix}`);
      const xml = await res.text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const entry = m[1] as string;
        const key = unescapeXml(/<Key>([^<]*)<\/Key>/.exec(entry)?.[1] ?? "");
        const size = Number(/<Size>(\d+)<\/Size>/.exec(entry)?.[1] ?? Number.NaN);
        if (!key.startsWith(base) || !Number.isSafeInteger(size))
          throw new IoError(`S3 LIST ${prefix} in ${this.description}: a malformed entry`);
        const lastModified = Date.parse(/<LastModified>([^<]*)<\/LastModified>/.exec(entry)?.[1] ?? "");
        out.push({ key: key.slice(base.length), size, lastModified: Number.isNaN(lastModified) ? 0 : lastModified });
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? unescapeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? "")
        : undefined;
    } while (token !== undefined && token !== "");
    return out;
  }

  async delete(key: string): Promise<void> {
    const res = await this.request("DELETE", key, { idempotent: true });
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) return this.fail(res, `DELETE ${key}`);
  }

  async exists(key: string): Promise<boolean> {
    const res = await this.request("HEAD", key);
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) return this.fail(res, `HEAD ${key}`);
    return true;
  }
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
