// A small static server for the explorer page: web/explorer at /, the browser bundle at
// /vzarr/, and an optional data directory at /data/ — with Range requests (the scanner reads
// byte ranges) and ETag/Last-Modified. Only regular files inside a mounted directory are
// served (symlinks are followed only when they stay inside it), and other pages may read them
// only from the origins `--cors` names: by default none, so a page the user visits while
// the server runs cannot read the served files.
//
//   npm run explorer [-- --data DIR] [--port 8080] [--host 127.0.0.1] [--bundle DIR] [--cors ORIGIN]…
import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    data: { type: "string" },
    // Another build of the bundle (tests serve a fresh one from a temp dir).
    bundle: { type: "string", default: join(root, "dist/browser") },
    // Origins whose pages may read the served files (`*`: any page).
    cors: { type: "string", multiple: true, default: [] },
  },
});

const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};
const mounts = [
  { prefix: "/vzarr/", dir: real(resolve(opts.bundle)) ?? resolve(opts.bundle) },
  ...(opts.data === undefined ? [] : [{ prefix: "/data/", dir: real(resolve(opts.data)) ?? resolve(opts.data), listable: true }]),
  { prefix: "/", dir: real(join(root, "web/explorer")) ?? join(root, "web/explorer") },
];

if (!existsSync(join(opts.bundle, "vzarr.js"))) {
  console.error(`${join(opts.bundle, "vzarr.js")} is missing: run \`npm run build\` first`);
  process.exit(1);
}
if (opts.data !== undefined && !statSync(opts.data, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`--data ${opts.data} is not a directory`);
  process.exit(1);
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

// Extensions of files the explorer can open: the shortcut list shows only these.
const DATA_FILE = /\.(nc|nc3|nc4|cdf|netcdf|h5|hdf5|he5|hdf|grib|grib1|grib2|grb|grb1|grb2)$/i;

/** Data files under `dir`, relative, for the explorer's shortcut list (bounded). */
function listFiles(dir, limit = 2000) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (out.length >= limit || e.name.startsWith(".")) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && DATA_FILE.test(e.name)) out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

function resolvePath(urlPath) {
  for (const m of mounts) {
    if (!urlPath.startsWith(m.prefix)) continue;
    const rest = urlPath.slice(m.prefix.length) || (m.prefix === "/" ? "index.html" : "");
    const file = resolve(m.dir, `.${sep}${rest}`);
    // Never serve outside the mounted directory: not through `..` (encoded or not), nor
    // through a symlink that leads out of it.
    const inside = (p) => p === m.dir || p.startsWith(m.dir + sep);
    if (!inside(file)) return { mount: m, file: undefined };
    const target = real(file);
    if (target !== undefined && !inside(target)) return { mount: m, file: undefined };
    return { mount: m, file: target ?? file, rest };
  }
  return { mount: undefined, file: undefined };
}

const server = createServer((req, res) => {
  // CORS only for the origins given: the explorer's own page is same-origin and needs none.
  const origin = req.headers.origin;
  if (origin !== undefined && (opts.cors.includes("*") || opts.cors.includes(origin))) {
    res.setHeader("Access-Control-Allow-Origin", opts.cors.includes("*") ? "*" : origin);
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Allow-Headers", "Range, If-Match");
    res.setHeader("Access-Control-Expose-Headers", "Content-Range, Content-Length, ETag, Last-Modified, Accept-Ranges");
  }
  if (req.method === "OPTIONS") return void res.writeHead(204).end();
  if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
  let url;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
    url.pathname = decodeURIComponent(url.pathname);
  } catch {
    return void res.writeHead(400).end();
  }
  const { mount, file, rest } = resolvePath(url.pathname);
  if (mount?.listable && rest === "" && url.searchParams.has("list")) {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    return void res.end(JSON.stringify(listFiles(mount.dir)));
  }
  const st = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return void res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");

  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  res.setHeader("ETag", etag);
  res.setHeader("Last-Modified", st.mtime.toUTCString());
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("Content-Type", TYPES[extname(file)] ?? "application/octet-stream");
  // The bundle changes with every build: never let the browser use a stale copy.
  res.setHeader("Cache-Control", "no-cache");

  let start = 0;
  let end = st.size - 1;
  let status = 200;
  const range = req.headers.range;
  if (range !== undefined) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m === null || (m[1] === "" && m[2] === "")) return void res.writeHead(416, { "Content-Range": `bytes */${st.size}` }).end();
    if (m[1] === "") start = Math.max(0, st.size - Number(m[2]));
    else {
      start = Number(m[1]);
      end = m[2] === "" ? st.size - 1 : Math.min(Number(m[2]), st.size - 1);
    }
    if (start >= st.size || start > end) return void res.writeHead(416, { "Content-Range": `bytes */${st.size}` }).end();
    status = 206;
    res.setHeader("Content-Range", `bytes ${start}-${end}/${st.size}`);
  }
  res.setHeader("Content-Length", String(st.size === 0 ? 0 : end - start + 1));
  res.writeHead(status);
  if (req.method === "HEAD" || st.size === 0) return void res.end();
  createReadStream(file, { start, end })
    .on("error", () => res.destroy())
    .pipe(res);
});

server.listen(Number(opts.port), opts.host, () => {
  const { port } = server.address();
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  console.log(`vzarr explorer: http://${host}:${port}/`);
  if (opts.data !== undefined) console.log(`serving ${resolve(opts.data)} at http://${host}:${port}/data/`);
});

for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
