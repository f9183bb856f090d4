/** The backend under test (chosen by VZARR_BACKEND, as in production) and both backends for parity checks. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { nativeAddonPath, wasmModulePath } from "../../ts/src/backend/artifacts.js";
import type { Core } from "../../ts/src/backend/core.js";
import { currentBackend } from "../../ts/src/backend/load.js";
import { createNativeCore, type NativeAddon } from "../../ts/src/backend/native.js";
import { createWasmCore } from "../../ts/src/backend/wasm.js";

export const core: Core = currentBackend();

export function bothBackends(): Core[] {
  const require = createRequire(import.meta.url);
  return [
    createNativeCore(require(nativeAddonPath()) as NativeAddon),
    createWasmCore(new WebAssembly.Module(readFileSync(wasmModulePath()))),
  ];
}

/** A small seeded PRNG (mulberry32) so randomized tests are repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
