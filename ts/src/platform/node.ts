/**
 * Node platform: loads the native addon (falling back to wasm), reads local files. Imported
 * for its side effects by the Node entry points (package index, CLI, tests).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { nativeAddonPath, wasmModulePath } from "../backend/artifacts.js";
import type { BackendKind, Core } from "../backend/core.js";
import { setBackendLoader } from "../backend/load.js";
import { createNativeCore, type NativeAddon } from "../backend/native.js";
import { createWasmCore } from "../backend/wasm.js";
import { type OpenJpegModule, openJpegDecoder, setJpeg2000Loader } from "../codecs/jpeg2000.js";
import { openWithLocalScan } from "../dataset/open-on-addon-thread.js";
import { registerDirectOpen } from "../dataset/open-virtual-dataset.js";
import { makeError } from "../errors/vzarr-error.js";
import { LocalStore } from "../formats/zarr/local-store.js";
import { registerLocalZarrStore } from "../formats/zarr/open-store.js";
import { setLocationResolver } from "../io/authorize.js";
import { LocalFileSource } from "../io/local-file.js";
import { registerSourceOpener } from "../io/open-source.js";
import { nodeLocationResolver } from "./node-location-resolver.js";
import { withLocalScan } from "./wasm-local-scan.js";

/** The platform the one shipped addon is built for, and this machine's. */
const ADDON_PLATFORM = "linux-x64-gnu (glibc 2.34 or later)";
const thisPlatform = () => `${process.platform}-${process.arch}`;

/** `VZARR_NATIVE_ADDON` points at an addon built elsewhere (a platform package, a local build). */
const addonPath = () => process.env.VZARR_NATIVE_ADDON || nativeAddonPath();

function loadNative(): Core {
  const require = createRequire(import.meta.url);
  try {
    return createNativeCore(require(addonPath()) as NativeAddon);
  } catch (e) {
    throw makeError(
      "UnsupportedFeature",
      `the native addon does not load on ${thisPlatform()} (vzarr ships it for ${ADDON_PLATFORM}): ` +
        `${(e as Error).message.split("\n")[0]}`,
    );
  }
}

/**
 * Falling back to WebAssembly is said once, as a Node warning (`process.on("warning")` in a
 * library; printed to stderr by the CLI), so a user on another platform knows why it is slower.
 */
function warnFallback(reason: unknown): void {
  process.emitWarning(`vzarr is using WebAssembly: ${(reason as Error).message}`, { code: "VZARR_WASM_FALLBACK" });
}

function loadWasm(): Core {
  // Synchronous compilation is fine in Node (browsers limit it to tiny modules).
  return withLocalScan(createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath()))));
}

function requested(): BackendKind | undefined {
  const v = process.env.VZARR_BACKEND;
  if (v === undefined || v === "" || v === "auto") return undefined;
  if (v === "native" || v === "wasm") return v;
  throw makeError("InvalidArgument", `VZARR_BACKEND must be "native" or "wasm", not ${JSON.stringify(v)}`);
}

function loadSync(kind: BackendKind | undefined): Core {
  if (kind === "native") {
    try {
      return loadNative();
    } catch (e) {
      throw makeError("UnsupportedFeature", `VZARR_BACKEND=native: ${(e as Error).message}; unset it (or set wasm) to use WebAssembly`);
    }
  }
  if (kind === "wasm") return loadWasm();
  try {
    return loadNative();
  } catch (e) {
    warnFallback(e);
    return loadWasm();
  }
}

setBackendLoader({ loadSync, load: async (kind) => loadSync(kind), requested });
setJpeg2000Loader(async () => {
  const require = createRequire(import.meta.url);
  const factory = require("@cornerstonejs/codec-openjpeg/decodewasmjs") as (m: object) => Promise<OpenJpegModule>;
  const wasmBinary = readFileSync(require.resolve("@cornerstonejs/codec-openjpeg/decodewasm"));
  // OpenJPEG logs every header it reads; our stdout carries `info --json` and .npy paths.
  const quiet = () => undefined;
  return openJpegDecoder(await factory({ wasmBinary, print: quiet, printErr: quiet }));
});
registerSourceOpener("file", (url) => new LocalFileSource(url));
registerDirectOpen(openWithLocalScan);
registerLocalZarrStore((url) => new LocalStore(url));
setLocationResolver(nodeLocationResolver());
