// Builds the browser bundle: dist/browser/vzarr.js (ESM, every dependency bundled, no Node
// built-ins) with the wasm core beside it, lazily loaded codec chunks, type declarations, and
// the explorer page's module. Prints sizes and fails when a budget is exceeded.
//
//   node scripts/build-browser.mjs [--outdir DIR]   (run by scripts/build.sh after tsc; tests
//                                                  build a fresh copy into a temp dir)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({ options: { outdir: { type: "string" } } });
const out = resolve(opts.outdir ?? join(root, "dist/browser"));
const wasm = join(root, "dist/wasm/vzarr.wasm");

// Budgets in raw bytes, from measured sizes plus headroom (docs/ARCHITECTURE.md, "Browser
// build"). The entry is what every page downloads before the first scan; codec chunks
// (numcodecs' zstd/blosc/lz4 as wasm-in-JS) load only when a file uses those codecs.
const BUDGETS = {
  entry: 512 * 1024,
  allJs: 2 * 1024 * 1024,
  wasm: 1280 * 1024,
};

// `codecs/inflate.ts` imports node:zlib only when running in Node; the bundle gets a module
// that fails to load instead, so that import lands in its `.catch` and fflate is used. Any
// other Node built-in reaching the bundle is a bug: fail the build.
const noNodeBuiltins = {
  name: "no-node-builtins",
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => {
      if (args.path === "node:zlib") return { path: "zlib-unavailable", namespace: "vzarr-stub" };
      return { errors: [{ text: `${args.path} (imported by ${relative(root, args.importer)}) cannot be part of the browser bundle` }] };
    });
    build.onLoad({ filter: /.*/, namespace: "vzarr-stub" }, () => ({
      contents: 'throw new Error("zlib is not built into browsers");',
      loader: "js",
    }));
  },
};

// The explorer imports the library by its source path (for type checking); in the build that
// import becomes the bundle next to it, so the page and any script share one wasm core.
const libraryAsExternal = {
  name: "library-as-external",
  setup(build) {
    build.onResolve({ filter: /ts\/src\/browser\.js$/ }, () => ({ path: "./vzarr.js", external: true }));
  },
};

const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
  // Browsers have no `process`; dependencies that test NODE_ENV get the production path.
  define: { "process.env.NODE_ENV": '"production"' },
};

function clean() {
  // Replace a previous build, never an unrelated directory someone passed by mistake.
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, "vzarr.js"))) {
    throw new Error(`${out} is not empty and holds no previous bundle: refusing to delete it`);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}

async function bundle() {
  await esbuild.build({
    ...common,
    entryPoints: { vzarr: join(root, "ts/src/browser.ts") },
    outdir: out,
    splitting: true,
    chunkNames: "vzarr-[name]-[hash]",
    plugins: [noNodeBuiltins],
  });
  await esbuild.build({
    ...common,
    entryPoints: { explorer: join(root, "web/explorer/explorer.ts") },
    outdir: out,
    plugins: [noNodeBuiltins, libraryAsExternal],
  });
  if (!existsSync(wasm)) throw new Error(`${relative(root, wasm)} is missing: run \`npm run build\` once to build the wasm core`);
  copyFileSync(wasm, join(out, "vzarr.wasm"));
  // Declarations: tsc emits dist/browser.d.ts; the bundle's types point there.
  if (out === join(root, "dist/browser")) writeFileSync(join(out, "vzarr.d.ts"), 'export * from "../browser.js";\n');
}

function kib(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}

function report() {
  const files = readdirSync(out).filter((f) => f.endsWith(".js") || f.endsWith(".wasm"));
  const sizes = files.map((f) => {
    const bytes = readFileSync(join(out, f));
    return { file: f, raw: statSync(join(out, f)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const rows = sizes.sort((a, b) => a.file.localeCompare(b.file));
  const width = Math.max(...rows.map((r) => r.file.length));
  console.error(`[vzarr] browser bundle (${relative(process.cwd(), out) || "."}):`);
  for (const r of rows) console.error(`  ${r.file.padEnd(width)}  ${kib(r.raw).padStart(11)} raw  ${kib(r.gzip).padStart(11)} gzip`);
  const sum = (pred) => rows.filter(pred).reduce((a, r) => a + r.raw, 0);
  const measured = {
    entry: sum((r) => r.file === "vzarr.js"),
    allJs: sum((r) => r.file.startsWith("vzarr") && r.file.endsWith(".js")),
    wasm: sum((r) => r.file === "vzarr.wasm"),
  };
  const over = Object.entries(BUDGETS).filter(([k, limit]) => measured[k] > limit);
  for (const [k, limit] of Object.entries(BUDGETS)) {
    console.error(`  budget ${k.padEnd(5)}: ${kib(measured[k])} of ${kib(limit)}`);
  }
  if (over.length > 0) {
    throw new Error(`browser size budget exceeded: ${over.map(([k, l]) => `${k} ${kib(measured[k])} > ${kib(l)}`).join(", ")}`);
  }
}

// Nothing in the bundle may name a Node built-in or call require(): scanned, not assumed.
function checkPortable() {
  for (const f of readdirSync(out).filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(out, f), "utf8");
    const hit = /\bnode:[a-z_/]+|\brequire\(/.exec(text);
    if (hit !== null) throw new Error(`${f} contains ${JSON.stringify(hit[0])}: it would not load in a browser`);
  }
}

try {
  clean();
  await bundle();
  checkPortable();
  report();
} catch (e) {
  console.error(`[vzarr] browser build failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
