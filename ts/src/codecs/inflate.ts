/**
 * zlib / gzip / raw deflate. Node's zlib is native and several times faster than any JS
 * inflater, so it is used when present; browsers (and the wasm-only bundle) use fflate.
 */
type NodeZlib = typeof import("node:zlib");

let nodeZlib: NodeZlib | null | undefined;

async function loadNodeZlib(): Promise<NodeZlib | null> {
  if (nodeZlib !== undefined) return nodeZlib;
  const isNode = typeof process !== "undefined" && process.versions?.node !== undefined;
  nodeZlib = isNode ? await import("node:zlib").catch(() => null) : null;
  return nodeZlib;
}

export type DeflateFormat = "zlib" | "gzip" | "raw";

export async function inflate(input: Uint8Array, format: DeflateFormat, expectedSize?: number): Promise<Uint8Array> {
  const z = await loadNodeZlib();
  if (z !== null) {
    const opts = expectedSize === undefined ? {} : { chunkSize: Math.max(1024, Math.min(expectedSize + 64, 1 << 30)) };
    const out =
      format === "zlib" ? z.inflateSync(input, opts) : format === "gzip" ? z.gunzipSync(input, opts) : z.inflateRawSync(input, opts);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  // Loaded only where it is used (fflate's Node build takes ~15 ms to load, for nothing).
  const { gunzipSync, inflateSync, unzlibSync } = await import("fflate");
  const out = expectedSize === undefined ? undefined : new Uint8Array(expectedSize);
  return format === "zlib" ? unzlibSync(input, { out }) : format === "gzip" ? gunzipSync(input, { out }) : inflateSync(input, { out });
}
