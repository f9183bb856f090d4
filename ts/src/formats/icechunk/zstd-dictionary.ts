/**
 * zstd decompression with a dictionary, for Icechunk's compressed virtual-chunk locations
 * (Rust writers use them in manifests with ≥ 1000 virtual refs). `fzstd` (used for whole
 * files) has no dictionary support, so this loads the zstd reference library compiled to
 * WebAssembly (`@bokuweb/zstd-wasm`, Node and browsers) on first use.
 */
import { CorruptFileError } from "../../errors/vzarr-error.js";

type ZstdWasm = typeof import("@bokuweb/zstd-wasm");

let loading: Promise<ZstdWasm> | undefined;

async function load(): Promise<ZstdWasm> {
  loading ??= import("@bokuweb/zstd-wasm").then(async (m) => {
    await m.init();
    return m;
  });
  return loading;
}

/** Icechunk caps a decompressed location at 1024 bytes. */
const MAX_LOCATION = 1024;

/** A decoder of locations compressed with `dictionary`. */
export async function locationDecoder(dictionary: Uint8Array, file: string): Promise<(compressed: Uint8Array) => string> {
  const zstd = await load();
  const dctx = zstd.createDCtx();
  const utf8 = new TextDecoder();
  return (compressed) => {
    let out: Uint8Array;
    try {
      out = zstd.decompressUsingDict(dctx, compressed, dictionary, { defaultHeapSize: MAX_LOCATION });
    } catch (e) {
      throw new CorruptFileError(`cannot decompress a chunk location: ${(e as Error).message}`, { file, cause: e });
    }
    if (out.length > MAX_LOCATION) throw new CorruptFileError("a compressed chunk location is longer than 1024 bytes", { file });
    return utf8.decode(out);
  };
}
