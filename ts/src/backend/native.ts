/**
 * The Core over the N-API addon (`crates/vzarr-node`). The addon's exports already have the
 * Core's shape; this wrapper only turns the addon's `vzarr:{json}` error messages into tagged
 * error classes.
 */
import { errorFromCoreJson, makeError } from "../errors/vzarr-error.js";
import type { Core } from "./core.js";

/** What the addon exports (structurally the Core minus `kind`). */
export type NativeAddon = Omit<Core, "kind"> & Required<Pick<Core, "scanLocalFile">>;

const MARKER = "vzarr:";

function rethrow(e: unknown): never {
  if (e instanceof Error && e.message.startsWith(MARKER)) {
    throw errorFromCoreJson(e.message.slice(MARKER.length));
  }
  // Argument conversion failures from napi (wrong JS types) are caller bugs.
  if (e instanceof Error) {
    throw makeError("InvalidArgument", e.message, { cause: e });
  }
  throw e;
}

function guard<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return f(...args);
    } catch (e) {
      rethrow(e);
    }
  };
}

export function createNativeCore(addon: NativeAddon): Core {
  return {
    kind: "native",
    version: guard(() => addon.version()),
    manifestFromColumns: guard((shape, table, ids, offsets, lengths) => addon.manifestFromColumns(shape, table, ids, offsets, lengths)),
    manifestEmpty: guard((shape) => addon.manifestEmpty(shape)),
    manifestFree: guard((h) => addon.manifestFree(h)),
    manifestLiveCount: guard(() => addon.manifestLiveCount()),
    manifestShape: guard((h) => addon.manifestShape(h)),
    manifestEntry: guard((h, i) => addon.manifestEntry(h, i)),
    manifestColumns: guard((h) => addon.manifestColumns(h)),
    manifestPaths: guard((h) => addon.manifestPaths(h)),
    manifestInlined: guard((h) => addon.manifestInlined(h)),
    manifestSetInlined: guard((h, i, b) => addon.manifestSetInlined(h, i, b)),
    manifestConcat: guard((hs, axis) => addon.manifestConcat(hs, axis)),
    manifestStack: guard((hs, axis) => addon.manifestStack(hs, axis)),
    manifestBroadcast: guard((h, shape) => addon.manifestBroadcast(h, shape)),
    manifestSlice: guard((h, starts, stops) => addon.manifestSlice(h, starts, stops)),
    manifestMapPaths: guard((h, table) => addon.manifestMapPaths(h, table)),
    manifestEquals: guard((a, b) => addon.manifestEquals(a, b)),
    manifestStats: guard((h) => addon.manifestStats(h)),
    scanOpen: guard((url, size, format, options) => addon.scanOpen(url, size, format, options)),
    scanAdvance: guard((h) => addon.scanAdvance(h)),
    scanFeed: guard((h, offset, bytes) => addon.scanFeed(h, offset, bytes)),
    scanFinish: guard((h) => addon.scanFinish(h)),
    scanFree: guard((h) => addon.scanFree(h)),
    scanLocalFile: (path, url, format, options) => addon.scanLocalFile(path, url, format, options).catch(rethrow),
    codecDecode: guard((codec, input, dtype, shape) => addon.codecDecode(codec, input, dtype, shape)),
    codecSupported: guard(() => addon.codecSupported()),
    gribJpeg2000Codestream: guard((m) => addon.gribJpeg2000Codestream(m)),
    gribDecodeSamples: guard((m, s, dtype, shape) => addon.gribDecodeSamples(m, s, dtype, shape)),
  } satisfies Core;
}
