/**
 * A minimal local HTTP range server that counts requests: positioned reads of just the
 * requested range (test/helpers/range-server.ts reads whole files and hashes them for ETags
 * on every request — right for tests, too slow to time readers against).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createServer } from "node:http";
import { join, normalize } from "node:path";

/** @param {string} root */
export async function startCountingServer(root) {
  /** @type {Map<string, { fd: number; size: number }>} */
  const open = new Map();
  const counter = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    counter.requests++;
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    let entry = open.get(file);
    try {
      if (entry === undefined) {
        const fd = openSync(file, "r");
        entry = { fd, size: fstatSync(fd).size };
        open.set(file, entry);
      }
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] !== "" ? Math.min(Number(m[2]), entry.size - 1) : entry.size - 1;
    if (start > end) {
      res.writeHead(416, { "Content-Range": `bytes */${entry.size}` }).end();
      return;
    }
    const body = Buffer.allocUnsafe(end - start + 1);
    readSync(entry.fd, body, 0, body.length, start);
    counter.bytes += body.length;
    res.writeHead(m ? 206 : 200, {
      "Accept-Ranges": "bytes",
      "Content-Length": String(body.length),
      ...(m ? { "Content-Range": `bytes ${start}-${end}/${entry.size}` } : {}),
    });
    if (req.method === "HEAD") res.end();
    else res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}/`,
    counter,
    async close() {
      for (const { fd } of open.values()) closeSync(fd);
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
