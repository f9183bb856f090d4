/**
 * Opening kerchunk reference sets by path or URL (Node: any `openSource` scheme for files,
 * local directories for Parquet), and telling them apart from data files by content.
 */
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import type { ByteSource } from "../../io/byte-source.js";
import { isLocalDirectory } from "../../io/local-file.js";
import { openSource } from "../../io/open-source.js";
import { isLocalInput } from "../../io/url-scheme.js";
import { LocalDirectory } from "./local-directory.js";
import { ZMETADATA } from "./parquet-layout.js";
import { type KerchunkReadOptions, readKerchunkJson } from "./read-json.js";
import type { OpenKerchunkParquetOptions } from "./read-parquet.js";
import { parentUrl } from "./reference-urls.js";

export type ReferenceFormat = "kerchunk-json" | "kerchunk-parquet";

/** Size of the file a URL names, through the same byte sources chunk reads use. */
export async function statSizeOfUrl(url: string): Promise<number> {
  const source = openSource(url);
  try {
    return (await source.stat()).size;
  } finally {
    await source.close?.();
  }
}

/**
 * Relative reference URLs resolve against the reference file's directory unless `baseUrl`
 * says otherwise (fsspec would use the process's working directory; the file's directory
 * keeps a reference set valid when it moves together with its data). Whole-file
 * references are sized with one stat per distinct file.
 */
export async function openKerchunkJson(input: string | ByteSource, options: KerchunkReadOptions = {}): Promise<VirtualDataset> {
  const source = typeof input === "string" ? openSource(input) : input;
  let bytes: Uint8Array;
  try {
    const { size } = await source.stat();
    bytes = await source.read(0, size);
  } finally {
    if (typeof input === "string") await source.close?.();
  }
  return readKerchunkJson(bytes, { baseUrl: parentUrl(source.url), statSize: statSizeOfUrl, file: source.url, ...options });
}

/** A local directory holding a kerchunk Parquet reference set. */
export async function openKerchunkParquetDirectory(path: string, options: OpenKerchunkParquetOptions = {}): Promise<VirtualDataset> {
  // Loaded on use: the Parquet reader and its decompressors (~40 modules) would otherwise
  // load with every openVirtualDataset, in every scan worker.
  const { openKerchunkParquet } = await import("./read-parquet.js");
  return openKerchunkParquet(new LocalDirectory(path), { statSize: statSizeOfUrl, ...options });
}

/**
 * Which reference format `input` is, if any: a local directory with a `.zmetadata` that
 * has `record_size` is Parquet; a file whose text starts like a reference JSON object
 * (`"version"`, `"refs"` or Zarr v2 keys such as `".zgroup"`) is JSON.
 */
export async function detectReferenceFormat(input: string | ByteSource): Promise<ReferenceFormat | undefined> {
  if (typeof input === "string" && isLocalInput(input)) {
    if (isLocalDirectory(input)) {
      const meta = await new LocalDirectory(input).read(ZMETADATA);
      return meta !== undefined && /"record_size"\s*:/.test(new TextDecoder().decode(meta)) ? "kerchunk-parquet" : undefined;
    }
  }
  const source = typeof input === "string" ? openSource(input) : input;
  try {
    const { size } = await source.stat();
    if (size < 2) return undefined;
    const head = new TextDecoder().decode(await source.read(0, Math.min(size, 4096)));
    return looksLikeReferenceJson(head) ? "kerchunk-json" : undefined;
  } catch {
    return undefined;
  } finally {
    if (typeof input === "string") await source.close?.();
  }
}

/** The first bytes of a reference JSON: an object whose early keys are reference-set keys. */
export function looksLikeReferenceJson(head: string): boolean {
  if (!/^\s*\{/.test(head)) return false;
  return /^\s*\{\s*"(version|refs|templates|gen|\.zgroup|\.zattrs|\.zmetadata|[^"]*\/\.z(array|attrs|group)|[^"]*\/\d+(\.\d+)*)"\s*:/.test(
    head,
  );
}
