/**
 * A local HTTP range server that behaves like a distant object store: every request waits a
 * configurable delay before its answer (a round trip), bodies can be held to a bandwidth cap
 * (one shared link), and faults are injected on demand — `503 SlowDown` answers or dropped
 * connections, for the next N requests or with a seeded probability. It counts requests
 * (by method), bytes and connections per object, which is what the tests assert (round trips
 * per format, a regression guard) and what the remote benchmarks report.
 *
 * Plain JavaScript with a declaration file beside it, so that the vitest tests (TypeScript)
 * and the benchmarks (plain Node) start the same server. Files are read by position per
 * request (no whole-file reads, no hashing): its own cost stays far below the delay.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join, normalize } from "node:path";

/** A small seeded generator (mulberry32): fault injection by probability is reproducible. */
function seededRandom(/** @type {number} */ seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SLOW_DOWN_BODY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

/**
 * @param {string} root folder served at `/`
 * @param {import("./latency-server.d.mts").LatencyServerOptions} [options]
 * @returns {Promise<import("./latency-server.d.mts").LatencyServer>}
 */
export async function startLatencyServer(root, options = {}) {
  let delayMs = options.delayMs ?? 0;
  let bytesPerSecond = options.bytesPerSecond ?? 0;
  /** @type {Map<string, { fd: number; size: number; mtimeMs: number; ino: number }>} */
  const files = new Map();
  /** @type {Map<string, import("./latency-server.d.mts").ObjectCounts>} */
  const perObject = new Map();
  const totals = { requests: 0, heads: 0, gets: 0, bytes: 0, connections: 0, faults: 0, peakInFlight: 0 };
  /** Requests received and not yet answered. */
  let inFlight = 0;
  /** @type {import("./latency-server.d.mts").RequestRecord[]} */
  const log = [];
  /** Faults still to inject on the next requests, in order. */
  /** @type {{ kind: "503" | "drop" | "drop-body"; path?: string }[]} */
  const queued = [];
  /** @type {{ kind: "503" | "drop" | "drop-body"; probability: number; random: () => number } | undefined} */
  let random;
  /** When the shared link is free again (bandwidth cap), in performance.now() milliseconds. */
  let linkFreeAt = 0;
  const sockets = new Set();

  const countsOf = (/** @type {string} */ path) => {
    let c = perObject.get(path);
    if (c === undefined) {
      c = { requests: 0, heads: 0, gets: 0, bytes: 0 };
      perObject.set(path, c);
    }
    return c;
  };

  const fileOf = (/** @type {string} */ path) => {
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    let entry = files.get(file);
    // A file replaced or removed since it was opened is served as it is now (tests change files).
    const now = statSync(file, { throwIfNoEntry: false });
    if (entry !== undefined && (now === undefined || now.ino !== entry.ino || now.mtimeMs !== entry.mtimeMs || now.size !== entry.size)) {
      closeSync(entry.fd);
      files.delete(file);
      entry = undefined;
    }
    if (entry === undefined) {
      const fd = openSync(file, "r");
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        throw new Error("not a file");
      }
      entry = { fd, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
      files.set(file, entry);
    }
    return entry;
  };

  /** The fault for this request, if one is due. */
  const faultFor = (/** @type {string} */ path) => {
    const at = queued.findIndex((f) => f.path === undefined || f.path === path);
    if (at >= 0) return queued.splice(at, 1)[0]?.kind;
    if (random !== undefined && random.random() < random.probability) return random.kind;
    return undefined;
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const method = req.method ?? "GET";
    const counts = countsOf(path);
    counts.requests++;
    totals.requests++;
    if (method === "HEAD") {
      counts.heads++;
      totals.heads++;
    } else {
      counts.gets++;
      totals.gets++;
    }
    const range = req.headers.range;
    log.push({ method, path, ...(range === undefined ? {} : { range }) });
    const fault = faultFor(path);
    inFlight++;
    totals.peakInFlight = Math.max(totals.peakInFlight, inFlight);
    res.once("close", () => inFlight--);
    setTimeout(
      () => {
        if (fault !== undefined) totals.faults++;
        if (fault === "drop") {
          req.socket.destroy();
          return;
        }
        if (fault === "503") {
          res.writeHead(503, { "Content-Type": "application/xml", "Content-Length": String(SLOW_DOWN_BODY.length) }).end(SLOW_DOWN_BODY);
          return;
        }
        let entry;
        try {
          entry = fileOf(path);
        } catch {
          res.writeHead(404, { "Content-Length": "0" }).end();
          return;
        }
        let start = 0;
        let end = entry.size - 1;
        let partial = false;
        if (range !== undefined) {
          const m = /^bytes=(\d*)-(\d*)$/.exec(range);
          if (m === null) {
            res.writeHead(416, { "Content-Range": `bytes */${entry.size}` }).end();
            return;
          }
          if (m[1] === "") start = Math.max(0, entry.size - Number(m[2]));
          else {
            start = Number(m[1]);
            end = m[2] === "" ? entry.size - 1 : Math.min(Number(m[2]), entry.size - 1);
          }
          if (start >= entry.size || start > end) {
            res.writeHead(416, { "Content-Range": `bytes */${entry.size}` }).end();
            return;
          }
          partial = true;
        }
        const length = end - start + 1;
        const headers = {
          "Accept-Ranges": "bytes",
          "Content-Length": String(length),
          ETag: `"${entry.size.toString(16)}-${Math.floor(entry.mtimeMs).toString(16)}"`,
          "Last-Modified": new Date(entry.mtimeMs).toUTCString(),
          ...(partial ? { "Content-Range": `bytes ${start}-${end}/${entry.size}` } : {}),
        };
        if (method === "HEAD") {
          res.writeHead(200, headers).end();
          return;
        }
        const body = Buffer.allocUnsafe(length);
        readSync(entry.fd, body, 0, length, start);
        counts.bytes += length;
        totals.bytes += length;
        const send = () => {
          if (fault === "drop-body") {
            // Headers and half the body, then the connection goes: a reset mid-transfer.
            res.writeHead(partial ? 206 : 200, headers);
            res.write(body.subarray(0, length >> 1), () => req.socket.destroy());
            return;
          }
          res.writeHead(partial ? 206 : 200, headers).end(body);
        };
        if (bytesPerSecond > 0) {
          // One shared link: this body goes out after those before it.
          const now = performance.now();
          linkFreeAt = Math.max(linkFreeAt, now) + (length / bytesPerSecond) * 1000;
          setTimeout(send, Math.max(0, linkFreeAt - now));
        } else send();
      },
      Math.max(0, delayMs - (performance.now() - started)),
    );
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket) => {
    totals.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());

  return {
    url: `http://127.0.0.1:${address.port}`,
    totals,
    log,
    counts: (path) => ({ ...countsOf(path.startsWith("/") ? path : `/${path}`) }),
    objects: () => new Map([...perObject].map(([k, v]) => [k, { ...v }])),
    reset() {
      perObject.clear();
      log.length = 0;
      for (const k of /** @type {(keyof typeof totals)[]} */ (Object.keys(totals))) totals[k] = 0;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setBandwidth(bps) {
      bytesPerSecond = bps;
      linkFreeAt = 0;
    },
    failNext(n, kind = "503", path) {
      for (let i = 0; i < n; i++) queued.push({ kind, ...(path === undefined ? {} : { path: path.startsWith("/") ? path : `/${path}` }) });
    },
    failRandomly(probability, seed, kind = "503") {
      random = probability > 0 ? { kind, probability, random: seededRandom(seed) } : undefined;
    },
    clearFaults() {
      queued.length = 0;
      random = undefined;
    },
    async close() {
      for (const s of sockets) /** @type {import("node:net").Socket} */ (s).destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      for (const { fd } of files.values()) closeSync(fd);
      files.clear();
    },
  };
}
