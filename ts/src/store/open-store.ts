/**
 * `openStore`: a zarrita-compatible read store over anything vzarr opens — a netCDF/HDF5/GRIB
 * file virtualized on the fly, a kerchunk or Icechunk store, or an in-memory VirtualDataset.
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { registerZarritaCodecs } from "../codecs/zarrita.js";
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { ByteSource, SourceIdentity } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { SourcePool } from "./source-pool.js";
import { VirtualStore } from "./virtual-store.js";

export interface OpenStoreOptions {
  core?: Core;
  group?: string;
  /** Only read chunks from URLs with these prefixes. */
  allow?: readonly string[];
  openSource?: (url: string) => ByteSource;
  expected?: (url: string) => SourceIdentity | undefined;
}

export async function openStore(input: string | VirtualDataset, options: OpenStoreOptions = {}): Promise<VirtualStore> {
  const core = options.core ?? currentBackend();
  await registerZarritaCodecs(core);
  const ds =
    typeof input === "string"
      ? await openVirtualDataset(input, { core, group: options.group, loadableVariables: [], allow: options.allow })
      : input;
  const pool = new SourcePool({
    open: options.openSource ?? openSource,
    allow: options.allow,
    expected: options.expected ?? ((url) => ds.sources.get(url)),
  });
  return new VirtualStore(ds, pool);
}
