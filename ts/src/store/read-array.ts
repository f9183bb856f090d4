/**
 * `readArray`: raw stored values of one variable (a typed array, C order) from a legacy file,
 * a store, or a VirtualDataset — `vzarr cat` as a function.
 */
import type { Core } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { ByteSource, SourceIdentity } from "../io/byte-source.js";
import { openSource } from "../io/open-source.js";
import { decodeCf } from "./decode-cf.js";
import { type ReadData, type ReadResult, readVariable } from "./read-variable.js";
import type { Selection } from "./selection.js";
import { SourcePool } from "./source-pool.js";
import { VirtualStore } from "./virtual-store.js";

export interface ReadArrayOptions {
  core?: Core;
  /**
   * Only read chunks from locations under these prefixes (canonical form: `..`, encodings and
   * symlinks resolved); also applied to the reference set opened from `input`.
   */
  allow?: readonly string[];
  /** Opens byte sources for chunk URLs (defaults to local/http/s3 by scheme). */
  openSource?: (url: string) => ByteSource;
  /** Identity of each file when indexed; reads fail with SourceChanged on mismatch. */
  expected?: (url: string) => SourceIdentity | undefined;
  /** Open options when `input` is a path or URL. */
  group?: string;
  /**
   * Values as xarray shows them by default (`vzarr cat --decode`): `_FillValue` /
   * `missing_value` masked as NaN, `scale_factor` / `add_offset` applied. Default: stored values.
   */
  decode?: boolean;
}

/** The variable at `path` (`group/sub/var`) of a dataset tree. */
export function findVariable(ds: VirtualDataset, path: string) {
  const parts = path.replace(/^\/+/, "").split("/");
  const name = parts.pop() as string;
  const file = ds.sources.size === 1 ? [...ds.sources.keys()][0] : undefined;
  return ds.group(parts.join("/")).variable(name, { path: [...parts, name].join("/"), file });
}

/**
 * Values of `variable` from a file or store path/URL, a VirtualDataset, or a VirtualStore
 * (from `openStore`), with an optional NumPy-like selection. Name the typed array the
 * variable's dtype gives to get `data` typed so (`readArray<Float32Array>(…)` for `<f4`,
 * `<Float64Array>` with `decode: true`); unchecked, as a cast.
 */
export async function readArray<T extends ReadData = ReadData>(
  input: string | VirtualDataset | VirtualStore,
  variable: string,
  selection?: Selection,
  options: ReadArrayOptions = {},
): Promise<ReadResult<T>> {
  const core = options.core ?? currentBackend();
  const owned = typeof input === "string";
  const ds = owned
    ? await openVirtualDataset(input, { core, group: options.group, loadableVariables: [], allow: options.allow })
    : input instanceof VirtualStore
      ? input.dataset
      : input;
  const pool = new SourcePool({
    open: options.openSource ?? openSource,
    allow: options.allow,
    expected: options.expected ?? ((url) => ds.sources.get(url)),
  });
  try {
    const v = findVariable(ds, variable);
    const raw = await readVariable(v, selection, { core, pool, variable });
    return (options.decode === true ? decodeCf(raw, v.attrs) : raw) as ReadResult<T>;
  } finally {
    await pool.close();
    if (owned) ds.free();
  }
}
