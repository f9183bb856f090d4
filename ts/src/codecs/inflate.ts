/**
 * zlib / gzip. Node's zlib is native and the fastest decoder at hand, so it is used when
 * present; browsers (and the wasm-only bundle) decode in the core (zlib-rs in wasm, about
 * twice as fast as a JavaScript inflater: bench/codecs.bench.mjs).
 */
import type { Core } from "../backend/core.js";

type NodeZlib = typeof import("node:zlib");

let nodeZlib: NodeZlib | null | undefined;

async function loadNodeZlib(): Promise<NodeZlib | null> {
  if (nodeZlib !== undefined) return nodeZlib;
  const isNode = typeof process !== "undefined" && process.versions?.node !== undefined;
  nodeZlib = isNode ? await import("node:zlib").catch(() => null) : null;
  return nodeZlib;
}

export type DeflateFormat = "zlib" | "gzip";

const CORE_SPECS: Record<DeflateFormat, string> = {
  zlib: JSON.stringify({ name: "numcodecs.zlib", configuration: {} }),
  gzip: JSON.stringify({ name: "numcodecs.gzip", configuration: {} }),
};

/** Decodes one stream; `dtype` and `chunkShape` bound the output (the chunk's size). */
export async function inflate(
  input: Uint8Array,
  format: DeflateFormat,
  core: Core,
  dtype: string,
  chunkShape: readonly number[],
): Promise<Uint8Array> {
  const z = await loadNodeZlib();
  if (z !== null) {
    const expected = chunkShape.reduce((a, b) => a * b, 1) * itemSize(dtype);
    const opts = { chunkSize: Math.max(1024, Math.min(expected + 64, 1 << 30)) };
    const out = format === "zlib" ? z.inflateSync(input, opts) : z.gunzipSync(input, opts);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  return core.codecDecode(CORE_SPECS[format], input, dtype, Float64Array.from(chunkShape));
}

function itemSize(dtype: string): number {
  const n = Number(/\d+$/.exec(dtype)?.[0] ?? "1");
  return Number.isFinite(n) && n > 0 ? n : 1;
}
