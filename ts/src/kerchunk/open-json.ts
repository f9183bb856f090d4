/** Opens a kerchunk JSON reference file from a path or URL (Node: any `openSource` scheme). */
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { openSource } from "../io/open-source.js";
import { type KerchunkReadOptions, readKerchunkJson } from "./read-json.js";
import { parentUrl } from "./reference-urls.js";

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
export async function openKerchunkJson(input: string, options: KerchunkReadOptions = {}): Promise<VirtualDataset> {
  const source = openSource(input);
  let bytes: Uint8Array;
  try {
    const { size } = await source.stat();
    bytes = await source.read(0, size);
  } finally {
    await source.close?.();
  }
  return readKerchunkJson(bytes, { baseUrl: parentUrl(source.url), statSize: statSizeOfUrl, file: source.url, ...options });
}
