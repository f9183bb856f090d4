/**
 * Picks the backend in Node: the native addon when it loads, the wasm module otherwise.
 * `VZARR_BACKEND=native|wasm` forces one (and fails loudly if it cannot load).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { makeError } from "../errors/vzarr-error.js";
import { nativeAddonPath, wasmModulePath } from "./artifacts.js";
import type { BackendKind, Core } from "./core.js";
import { createNativeCore, type NativeAddon } from "./native.js";
import { createWasmCore } from "./wasm.js";

let current: Core | undefined;

function loadNative(): Core {
  const require = createRequire(import.meta.url);
  return createNativeCore(require(nativeAddonPath()) as NativeAddon);
}

function loadWasm(): Core {
  // Synchronous compilation is fine in Node (browsers limit it to tiny modules).
  return createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath())));
}

function requestedKind(): BackendKind | undefined {
  const v = process.env.VZARR_BACKEND;
  if (v === undefined || v === "" || v === "auto") return undefined;
  if (v === "native" || v === "wasm") return v;
  throw makeError("InvalidArgument", `VZARR_BACKEND must be "native" or "wasm", not ${JSON.stringify(v)}`);
}

function load(kind: BackendKind | undefined): Core {
  if (kind === "native") return loadNative();
  if (kind === "wasm") return loadWasm();
  try {
    return loadNative();
  } catch {
    return loadWasm();
  }
}

/** The backend in use, loading it on first use. */
export function currentBackend(): Core {
  current ??= load(requestedKind());
  return current;
}

/**
 * Loads (or switches to) a backend. Without `kind`, honours `VZARR_BACKEND`, else prefers
 * native. Objects made by one backend cannot be used with another.
 */
export async function loadBackend(kind?: BackendKind): Promise<Core> {
  const wanted = kind ?? requestedKind();
  if (current !== undefined && (wanted === undefined || current.kind === wanted)) return current;
  current = load(wanted);
  return current;
}
