/**
 * Browser platform: the wasm core, fetched from next to the bundle and compiled
 * asynchronously (browsers refuse synchronous compilation of large modules), and local files
 * as Blobs the page registers. Imported for its side effects by the browser entry. No Node
 * built-ins, no native addon.
 */
import type { BackendKind, Core } from "../backend/core.js";
import { setBackendLoader } from "../backend/load.js";
import { compileWasm, createWasmCore } from "../backend/wasm.js";
import { type OpenJpegModule, openJpegDecoder, setJpeg2000Loader } from "../codecs/jpeg2000.js";
import { makeError, UnsupportedFeatureError } from "../errors/vzarr-error.js";
import type { ByteSource } from "../io/byte-source.js";
import { openSource, registerSourceOpener } from "../io/open-source.js";
import { noLocalFiles } from "./browser-substitutes/no-local-files.js";

/** Where the wasm core comes from: a URL, its bytes, or an already compiled module. */
export type WasmInput = string | URL | BufferSource | WebAssembly.Module;

let wasmInput: WasmInput | undefined;
let loading: Promise<Core> | undefined;

/**
 * Overrides where the wasm core is loaded from (by default `vzarr.wasm` next to the bundle).
 * For bundlers that move assets, or pages that fetch the module themselves. Call it before
 * the first `loadBackend()`.
 */
export function setWasmSource(input: WasmInput): void {
  if (loading !== undefined) throw makeError("InvalidArgument", "the wasm core is already loaded; set its source before first use");
  wasmInput = input;
}

/**
 * What to do when the wasm core is not where the bundle expects it: bundlers (esbuild,
 * Vite's pre-bundling) do not copy `vzarr.wasm` along with the code that names it.
 */
const MOVED_HINT =
  "; a bundler did not copy vzarr.wasm beside the bundle: serve node_modules/vzarr/dist/browser/vzarr.wasm and call setWasmSource(itsUrl) before the first use (README: Bundlers)";

async function compile(input: WasmInput, isDefault: boolean): Promise<WebAssembly.Module> {
  if (input instanceof WebAssembly.Module) return input;
  if (typeof input !== "string" && !(input instanceof URL)) return compileWasm(input);
  const hint = isDefault ? MOVED_HINT : "";
  let res: Response;
  try {
    res = await fetch(input);
  } catch (e) {
    throw makeError("Io", `cannot fetch the wasm core from ${String(input)}: ${(e as Error).message}${hint}`, { cause: e });
  }
  if (!res.ok) throw makeError("Io", `cannot fetch the wasm core from ${String(input)}: HTTP ${res.status}${hint}`);
  const bytes = await res.arrayBuffer();
  // A dev server's HTML fallback page answers 200 for any missing file: say so, not "bad magic".
  if (!isWasm(bytes)) {
    throw makeError(
      "Io",
      `${String(input)} is not WebAssembly (${res.headers.get("content-type") ?? "no content type"})${hint || "; check the URL given to setWasmSource"}`,
    );
  }
  return compileWasm(bytes);
}

function isWasm(bytes: ArrayBuffer): boolean {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return head.length === 4 && head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
}

function loadWasm(): Promise<Core> {
  // Concurrent first calls share one fetch + compile; a failed load may be retried.
  loading ??= compile(wasmInput ?? new URL("vzarr.wasm", import.meta.url), wasmInput === undefined)
    .then(createWasmCore)
    .catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
  return loading;
}

setJpeg2000Loader(async () => {
  const mod = (await import("@cornerstonejs/codec-openjpeg/decodewasmjs")) as { default?: unknown };
  const factory = (mod.default ?? mod) as (m: object) => Promise<OpenJpegModule>;
  const url = new URL("openjpeg-decode.wasm", import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw makeError("Io", `cannot fetch the JPEG 2000 decoder from ${url}: HTTP ${res.status}`);
  const quiet = () => undefined;
  return openJpegDecoder(await factory({ wasmBinary: new Uint8Array(await res.arrayBuffer()), print: quiet, printErr: quiet }));
});

setBackendLoader({
  load: async (kind: BackendKind | undefined) => {
    if (kind === "native") throw new UnsupportedFeatureError("the native backend does not exist in browsers; use wasm");
    return loadWasm();
  },
});

// Sources the page opened itself (Files and Blobs above all), by the URL their manifests
// record: chunk reads of those URLs come from that source, whatever the URL's scheme says.
const opened = new Map<string, ByteSource>();

/** Makes chunk reads of `source.url` in this page come from `source` (a BlobSource, say). */
export function registerSource(source: ByteSource): void {
  opened.set(source.url, source);
}

/** Stops serving `url` from a registered source (lets the page release a File). */
export function forgetSource(url: string): void {
  opened.delete(url);
}

/** A registered source by its URL (without `close`: readers must not close what the page owns), else by scheme. */
export function openBrowserSource(url: string): ByteSource {
  const source = opened.get(url);
  if (source === undefined) return openSource(url);
  return {
    url: source.url,
    stat: () => source.stat(),
    read: (offset, length) => source.read(offset, length),
    readRanges: (ranges) => source.readRanges(ranges),
  };
}

// A bare name (the default URL of a dropped File) that was not registered cannot be read.
registerSourceOpener("file", (url) => {
  if (opened.has(url)) return openBrowserSource(url);
  throw noLocalFiles(`cannot read ${url}`, url);
});
