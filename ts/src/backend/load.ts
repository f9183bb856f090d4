/**
 * The backend in use. How a backend is loaded depends on the platform: `platform/node.ts`
 * (native addon when it loads, wasm otherwise; synchronous) or `platform/browser.ts` (wasm
 * fetched next to the bundle; asynchronous). The platform registers its loader on import.
 */
import { makeError } from "../errors/vzarr-error.js";
import type { BackendKind, Core } from "./core.js";

export interface BackendLoader {
  /** Loads synchronously, or `undefined` where that is impossible (browsers). */
  loadSync?: (kind: BackendKind | undefined) => Core;
  load: (kind: BackendKind | undefined) => Promise<Core>;
  /** The kind the environment asks for (`VZARR_BACKEND` in Node). */
  requested?: () => BackendKind | undefined;
}

let loader: BackendLoader | undefined;
let current: Core | undefined;

export function setBackendLoader(l: BackendLoader): void {
  loader = l;
}

function need(): BackendLoader {
  if (loader === undefined) {
    throw makeError("Internal", "no platform registered: import vzarr's package entry (Node or browser), not its internal modules");
  }
  return loader;
}

/** The backend in use, loading it on first use where loading can be synchronous. */
export function currentBackend(): Core {
  if (current !== undefined) return current;
  const l = need();
  if (l.loadSync === undefined) {
    throw makeError("InvalidArgument", "the backend is not loaded yet: `await loadBackend()` first");
  }
  current = l.loadSync(l.requested?.());
  return current;
}

/**
 * Loads (or switches to) a backend. Without `kind`, honours the environment's request
 * (`VZARR_BACKEND`), else prefers native. Objects made by one backend cannot be used with
 * another.
 */
export async function loadBackend(kind?: BackendKind): Promise<Core> {
  const l = need();
  const wanted = kind ?? l.requested?.();
  if (current !== undefined && (wanted === undefined || current.kind === wanted)) return current;
  current = await l.load(wanted);
  return current;
}
