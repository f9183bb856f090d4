/**
 * Reading a parser's loadable variables into memory: the variables a `loadableVariables`
 * spec selects, through a pool of sources (the file just opened, reused, or others the
 * manifests point to).
 */
import type { Core } from "../backend/core.js";
import { type LoadableSpec, loadableNames, loadVariables } from "../dataset/load-variables.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { ByteSource } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { SourcePool } from "../store/source-pool.js";
import type { ParserOptions } from "./parser.js";

/** `ds` with the variables the spec selects loaded (freed on failure). */
export async function loadListed(
  ds: VirtualDataset,
  spec: LoadableSpec,
  core: Core,
  open: (url: string) => ByteSource,
): Promise<VirtualDataset> {
  try {
    const names = loadableNames(ds, spec);
    if (names.size === 0) return ds;
    const pool = new SourcePool({ open });
    try {
      return await loadVariables(ds, names, { core, pool });
    } finally {
      await pool.close();
    }
  } catch (e) {
    ds.free();
    throw e;
  }
}

/**
 * For reference sets and stores (kerchunk, Icechunk, Zarr): they keep what they stored
 * loaded or virtual; only an explicit `loadableVariables` list loads more.
 */
export function loadIfRequested(ds: VirtualDataset, options: ParserOptions): Promise<VirtualDataset> {
  if (options.loadableVariables === undefined) return Promise.resolve(ds);
  return loadListed(ds, options.loadableVariables, options.core, (url) => openSource(url));
}
