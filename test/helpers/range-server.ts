/**
 * A local HTTP server for tests: serves a directory with Range (incl. suffix) requests,
 * HEAD, ETag and Last-Modified, counts requests, and can inject failures.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

export interface RangeServer {
  url: string;
  requests: { method: string; path: string; range?: string }[];
  /** Fail the next `n` requests with this status. */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

/** Content types for pages served with `{ pages: true }` (module scripts need a JS type). */
const PAGE_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
};

export async function startRangeServer(root: string, options: { cors?: boolean; pages?: boolean } = {}): Promise<RangeServer> {
  const requests: RangeServer["requests"] = [];
  let failures = 0;
  let failStatus = 503;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push({ method: req.method ?? "GET", path, range: req.headers.range });
    if (options.cors) {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Headers", "Range");
      res.setHeader("Access-Control-Expose-Headers", "Content-Range, Content-Length, ETag, Last-Modified");
      if (req.method === "OPTIONS") {
        res.writeHead(204).end();
        return;
      }
    }
    if (failures > 0) {
      failures--;
      res.writeHead(failStatus).end("injected failure");
      return;
    }
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    let bytes: Buffer;
    let mtime: Date;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error("not a file");
      bytes = readFileSync(file);
      mtime = st.mtime;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
    res.setHeader("ETag", etag);
    res.setHeader("Last-Modified", mtime.toUTCString());
    res.setHeader("Accept-Ranges", "bytes");
    const type = options.pages ? PAGE_TYPES[extname(file)] : undefined;
    if (type !== undefined) res.setHeader("Content-Type", type);
    const range = req.headers.range;
    let start = 0;
    let end = bytes.length - 1;
    let status = 200;
    if (range !== undefined) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range);
      if (m === null) {
        res.writeHead(416).end();
        return;
      }
      if (m[1] === "") {
        start = Math.max(0, bytes.length - Number(m[2]));
      } else {
        start = Number(m[1]);
        end = m[2] === "" ? bytes.length - 1 : Math.min(Number(m[2]), bytes.length - 1);
      }
      if (start >= bytes.length || start > end) {
        res.writeHead(416, { "Content-Range": `bytes */${bytes.length}` }).end();
        return;
      }
      status = 206;
      res.setHeader("Content-Range", `bytes ${start}-${end}/${bytes.length}`);
    }
    res.setHeader("Content-Length", String(end - start + 1));
    res.writeHead(status);
    res.end(req.method === "HEAD" ? undefined : bytes.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
