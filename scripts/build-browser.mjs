// Builds the browser bundle: dist/browser/vzarr.js (ESM, every dependency bundled, no Node
// built-ins) with the wasm core beside it, lazily loaded codec chunks, type declarations, and
// the explorer page's module. Prints sizes and fails when a budget is exceeded.
//
//   node scripts/build-browser.mjs [--outdir DIR] [--analyze]
//   (run by scripts/build.sh after tsc; tests build a fresh copy into a temp dir; --analyze
//   prints what each output file is made of)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({ options: { outdir: { type: "string" }, analyze: { type: "boolean" } } });
const out = resolve(opts.outdir ?? join(root, "dist/browser"));
const wasm = join(root, "dist/wasm/vzarr.wasm");

// Budgets in raw bytes: measured sizes plus about a third of headroom (docs/ARCHITECTURE.md,
// "Browser build"). initialJs is what a page downloads before its first call (vzarr.js and
// the chunks it imports statically); the rest loads on demand: numcodecs' zstd/blosc/lz4
// (wasm inlined in JS) for files that use them, the Icechunk reader for repositories.
const BUDGETS = {
  initialJs: 800 * 1024,
  allJs: 2560 * 1024,
  wasm: 1792 * 1024,
};

// Modules that only make sense with a local file system are swapped for browser substitutes
// with the same exports (type-checked against the originals) that fail with a tagged error.
const SUBSTITUTES = new Map(
  Object.entries({
    "ts/src/io/local-file.ts": "local-file.ts",
    "ts/src/formats/icechunk/detect.ts": "icechunk-detect.ts",
    "ts/src/formats/icechunk/local-storage.ts": "icechunk-local-storage.ts",
    "ts/src/formats/kerchunk/local-directory.ts": "kerchunk-local-directory.ts",
    "ts/src/formats/kerchunk/to-kerchunk.ts": "to-kerchunk.ts",
  }).map(([from, to]) => [join(root, from), join(root, "ts/src/platform/browser-substitutes", to)]),
);

// Node built-ins a portable module may import, per importer: `codecs/inflate.ts` imports
// node:zlib only when running in Node (the bundle gets a module that fails to load, so that
// import lands in its `.catch` and the core's zlib is used); the others touch local paths only, and
// get substitutes that fail with a tagged error. Any other Node built-in reaching the bundle
// is a bug: the build fails.
const ALLOWED_BUILTINS = {
  "node:zlib": { importers: ["ts/src/codecs/inflate.ts"], stub: { contents: 'throw new Error("zlib is not built into browsers");' } },
  "node:path": { importers: ["ts/src/formats/icechunk/write-dataset.ts"], path: "ts/src/platform/browser-substitutes/path.ts" },
  "node:url": { importers: ["ts/src/formats/icechunk/write-dataset.ts"], path: "ts/src/platform/browser-substitutes/url.ts" },
};

const browserOnly = {
  name: "browser-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
      const substitute = SUBSTITUTES.get(target);
      return substitute === undefined ? undefined : { path: substitute };
    });
    build.onResolve({ filter: /^node:/ }, (args) => {
      const importer = relative(root, args.importer);
      const allowed = ALLOWED_BUILTINS[args.path];
      if (allowed === undefined || !allowed.importers.includes(importer)) {
        return { errors: [{ text: `${args.path} (imported by ${importer}) cannot be part of the browser bundle` }] };
      }
      if (allowed.path !== undefined) return { path: join(root, allowed.path) };
      return { path: args.path.replace(/^node:/, "") + "-unavailable", namespace: "vzarr-stub" };
    });
    // OpenJPEG's emscripten loader requires fs/path only on its Node code path.
    build.onResolve({ filter: /^(fs|path)$/ }, (args) => {
      if (!args.importer.includes("@cornerstonejs/codec-openjpeg")) {
        return { errors: [{ text: `${args.path} (imported by ${relative(root, args.importer)}) cannot be part of the browser bundle` }] };
      }
      return { path: `${args.path}-unused`, namespace: "vzarr-empty" };
    });
    build.onLoad({ filter: /.*/, namespace: "vzarr-empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
    build.onLoad({ filter: /.*/, namespace: "vzarr-stub" }, (args) => {
      const allowed = ALLOWED_BUILTINS[`node:${args.path.replace(/-unavailable$/, "")}`];
      return { contents: allowed.stub.contents, loader: "js" };
    });
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

/** Builds everything; returns the files a page loads before its first call (entry + static imports). */
async function bundle() {
  const lib = await esbuild.build({
    ...common,
    entryPoints: { vzarr: join(root, "ts/src/browser.ts") },
    outdir: out,
    splitting: true,
    chunkNames: "vzarr-[name]-[hash]",
    metafile: true,
    plugins: [browserOnly],
  });
  await esbuild.build({
    ...common,
    entryPoints: { explorer: join(root, "web/explorer/explorer.ts") },
    outdir: out,
    plugins: [browserOnly, libraryAsExternal],
  });
  if (!existsSync(wasm)) throw new Error(`${relative(root, wasm)} is missing: run \`npm run build\` once to build the wasm core`);
  copyFileSync(wasm, join(out, "vzarr.wasm"));
  // OpenJPEG (GRIB JPEG 2000), fetched beside the bundle only when such a field is read.
  copyFileSync(join(root, "node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm"), join(out, "openjpeg-decode.wasm"));
  // Declarations: tsc emits dist/browser.d.ts; the bundle's types point there.
  if (out === join(root, "dist/browser")) writeFileSync(join(out, "vzarr.d.ts"), 'export * from "../browser.js";\n');
  if (opts.analyze) console.error(await esbuild.analyzeMetafile(lib.metafile, { verbose: false }));
  return initialFiles(lib.metafile);
}

function initialFiles(metafile) {
  const outputs = Object.fromEntries(Object.entries(metafile.outputs).map(([path, o]) => [resolve(path), o]));
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of outputs[path]?.imports ?? []) if (i.kind === "import-statement") visit(resolve(i.path));
  };
  visit(join(out, "vzarr.js"));
  return new Set([...seen].map((p) => relative(out, p)));
}

function kib(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}

function report(initial) {
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
    initialJs: sum((r) => initial.has(r.file)),
    allJs: sum((r) => r.file.startsWith("vzarr") && r.file.endsWith(".js")),
    wasm: sum((r) => r.file === "vzarr.wasm"),
  };
  const over = Object.entries(BUDGETS).filter(([k, limit]) => measured[k] > limit);
  for (const [k, limit] of Object.entries(BUDGETS)) {
    console.error(`  budget ${k.padEnd(9)}: ${kib(measured[k])} of ${kib(limit)}`);
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
  const initial = await bundle();
  checkPortable();
  report(initial);
} catch (e) {
  console.error(`[vzarr] browser build failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
