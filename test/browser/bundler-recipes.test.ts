/**
 * The README's esbuild and Vite recipes in headless Chromium: an app importing `vzarr` bundled by
 * esbuild (the package resolved through its `browser` export condition, as an installed
 * dependency) reads the same values as Node once `vzarr.wasm` comes through the `file`
 * loader and `setWasmSource`; without that step the error says what to do (`setWasmSource`)
 * instead of a bare HTTP 404.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArray } from "../../ts/src/store/read-array.js";
import { core } from "../helpers/backend.js";
import { type Chromium, hasChromium, launchChromium } from "../helpers/chromium.js";
import { buildBundle } from "../helpers/explorer-server.js";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { type RangeServer, startRangeServer } from "../helpers/range-server.js";

const project = mkdtempSync(join(tmpdir(), "vzarr-esbuild-app-"));
const FILE = join(fixtures, "netcdf3", "classic.nc");

// The app a user writes (README "Bundlers"); `recipe` adds the two lines for the wasm core.
const app = (recipe: boolean) => `
import { openVirtualDataset, readArray${recipe ? ", setWasmSource" : ""} } from "vzarr";
${recipe ? 'import wasmUrl from "vzarr/browser/vzarr.wasm";\nsetWasmSource(new URL(wasmUrl, import.meta.url));' : ""}
window.run = async (url) => {
  try {
    const ds = await openVirtualDataset(url);
    try {
      const { data, shape } = await readArray(ds, "fixed_f4");
      return { values: Array.from(data), shape };
    } finally {
      ds.free();
    }
  } catch (e) {
    return { error: String(e && e.message) };
  }
};
`;

let bundle: Awaited<ReturnType<typeof buildBundle>>;
let server: RangeServer;
let browser: Chromium;

async function bundleApp(name: string, recipe: boolean): Promise<void> {
  const src = join(project, `${name}.js`);
  writeFileSync(src, app(recipe));
  // The README's command: esbuild app.js --bundle --format=esm --loader:.wasm=file --outdir=public
  await build({
    entryPoints: [src],
    bundle: true,
    format: "esm",
    platform: "browser",
    loader: { ".wasm": "file" },
    outdir: join(project, "public", name),
    absWorkingDir: project,
    logLevel: "silent",
  });
  writeFileSync(
    join(project, "public", name, "index.html"),
    `<!doctype html><link rel="icon" href="data:,"><script type="module" src="./${name}.js"></script>\n`,
  );
}

/**
 * The Vite recipe: `vite build` of an app importing `vzarr/browser/vzarr.wasm?url`. Vite is
 * here as vitest's own dependency (the version vitest pins), used through its API.
 */
async function viteApp(): Promise<void> {
  const root = join(project, "vite-app");
  mkdirSync(root);
  writeFileSync(
    join(root, "index.html"),
    '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>\n',
  );
  writeFileSync(
    join(root, "main.js"),
    app(false).replace(
      'import { openVirtualDataset, readArray } from "vzarr";',
      'import { openVirtualDataset, readArray, setWasmSource } from "vzarr";\nimport wasmUrl from "vzarr/browser/vzarr.wasm?url";\nsetWasmSource(wasmUrl);',
    ),
  );
  const vite = await import("vite");
  await vite.build({
    root,
    base: "./",
    configFile: false,
    logLevel: "silent",
    build: { outDir: join(project, "public", "vite"), emptyOutDir: true },
  });
}

beforeAll(async () => {
  if (!hasChromium) return;
  bundle = await buildBundle();
  // vzarr as an installed dependency: its package.json and dist/browser, nothing else.
  const pkg = join(project, "node_modules", "vzarr");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  copyFileSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  cpSync(bundle.dir, join(pkg, "dist", "browser"), { recursive: true });
  await bundleApp("plain", false);
  await bundleApp("recipe", true);
  // A dev server answering every unknown path with its index page (HTML, status 200).
  await bundleApp("fallback", false);
  writeFileSync(join(project, "public", "fallback", "vzarr.wasm"), "<!doctype html><title>app</title>\n");
  await viteApp();
  mkdirSync(join(project, "public", "data"));
  copyFileSync(FILE, join(project, "public", "data", "classic.nc"));
  [server, browser] = await Promise.all([startRangeServer(join(project, "public"), { pages: true }), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
  bundle?.remove();
  rmSync(project, { recursive: true, force: true });
});

async function runPage(name: string): Promise<{ values?: number[]; shape?: number[]; error?: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/${name}/index.html`);
    await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === "function");
    return await page.evaluate(
      (url) => (window as unknown as { run(u: string): Promise<never> }).run(url),
      `${server.url}/data/classic.nc`,
    );
  } finally {
    await page.close();
  }
}

describe.skipIf(!hasChromium)("esbuild and Vite recipes (README: Bundlers)", () => {
  it("without the recipe, the missing vzarr.wasm is an error naming setWasmSource", async () => {
    const out = await runPage("plain");
    expect(out.error).toMatch(/cannot fetch the wasm core from .*\/plain\/vzarr\.wasm: HTTP 404/);
    expect(out.error).toContain("setWasmSource");
  }, 60_000);

  it("with the file loader and setWasmSource, the bundled app reads what Node reads", async () => {
    const out = await runPage("recipe");
    expect(out.error).toBeUndefined();
    const want = await readArray(FILE, "fixed_f4", undefined, { core });
    expect(out.shape).toEqual(want.shape);
    expect(out.values).toEqual(Array.from(want.data as Float32Array));
  }, 60_000);

  it("vite build with the ?url import and setWasmSource: the app reads what Node reads", async () => {
    const out = await runPage("vite");
    expect(out.error).toBeUndefined();
    const want = await readArray(FILE, "fixed_f4", undefined, { core });
    expect(out.values).toEqual(Array.from(want.data as Float32Array));
  }, 60_000);

  it("an HTML page served where vzarr.wasm should be is named as such, with the same advice", async () => {
    const out = await runPage("fallback");
    expect(out.error).toMatch(/\/fallback\/vzarr\.wasm is not WebAssembly .*setWasmSource/);
  }, 60_000);
});
