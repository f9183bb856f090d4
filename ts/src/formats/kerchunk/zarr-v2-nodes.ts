/**
 * A dataset as the Zarr v2 hierarchy kerchunk writers emit (JSON and Parquet alike): per
 * group `.zgroup` (+ `.zattrs`), per variable `.zarray` + `.zattrs` with
 * `_ARRAY_DIMENSIONS`, and either its manifest or — for loaded variables — the one chunk
 * that holds all its values. Variables Zarr v2 cannot express are skipped with a warning or
 * fail, as the caller chooses.
 */

import { encodeLoaded } from "../../dataset/encode-loaded.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { VzarrError } from "../../errors/vzarr-error.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { toZarray, type Zarray } from "../../metadata/zarr-v2.js";

export interface ZarrV2Options {
  /** What to do with a variable Zarr v2 cannot express: skip it (with a warning) or fail. */
  onUnsupported?: "raise" | "skip";
  warn?: (message: string) => void;
  /** Told of each variable left out (`onUnsupported: "skip"`), for the caller's summary. */
  onSkip?: (path: string, reason: VzarrError) => void;
}

export interface ZarrV2Group {
  kind: "group";
  /** `""` for the root, else `a/b/`. */
  prefix: string;
  attrs: Readonly<Record<string, unknown>>;
}

export interface ZarrV2Array {
  kind: "array";
  /** Full path, `a/b/var`. */
  path: string;
  zarray: Zarray;
  zattrs: Record<string, unknown>;
  /** The chunk references of a virtual variable. */
  array?: ManifestArray;
  /** The single chunk of a loaded variable (its values, encoded). */
  loaded?: Uint8Array;
}

export type ZarrV2Node = ZarrV2Group | ZarrV2Array;

/** Groups and arrays in writing order: each group, then its arrays, then its subgroups. */
export function* zarrV2Nodes(ds: VirtualDataset, options: ZarrV2Options = {}, prefix = ""): Generator<ZarrV2Node> {
  yield { kind: "group", prefix, attrs: ds.attrs };
  for (const [name, v] of ds.variables) {
    const path = `${prefix}${name}`;
    let zarray: Zarray;
    let loaded: Uint8Array | undefined;
    try {
      if (v.data instanceof ManifestArray) zarray = toZarray(v.data.metadata, path);
      else {
        const enc = encodeLoaded(v.data);
        zarray = toZarray(enc.metadata, path);
        if (enc.metadata.dtype === "|O")
          zarray = { ...zarray, dtype: "|O", filters: [{ id: "vlen-utf8" }], compressor: null, fill_value: null };
        loaded = enc.bytes;
      }
    } catch (e) {
      if (options.onUnsupported === "skip" && e instanceof VzarrError) {
        options.warn?.(`skipping ${path}: ${e.message}`);
        options.onSkip?.(path, e);
        continue;
      }
      throw e;
    }
    const zattrs = { ...v.attrs, _ARRAY_DIMENSIONS: [...v.dims] };
    yield v.data instanceof ManifestArray
      ? { kind: "array", path, zarray, zattrs, array: v.data }
      : { kind: "array", path, zarray, zattrs, loaded };
  }
  for (const [name, g] of ds.groups) yield* zarrV2Nodes(g, options, `${prefix}${name}/`);
}

/** The metadata documents of a node, keyed as in a Zarr v2 store. */
export function metadataDocuments(node: ZarrV2Node): [string, unknown][] {
  if (node.kind === "group") {
    const docs: [string, unknown][] = [[`${node.prefix}.zgroup`, { zarr_format: 2 }]];
    if (Object.keys(node.attrs).length > 0) docs.push([`${node.prefix}.zattrs`, node.attrs]);
    return docs;
  }
  return [
    [`${node.path}/.zarray`, node.zarray],
    [`${node.path}/.zattrs`, node.zattrs],
  ];
}

/** The key of the only chunk of a single-chunk array (`0.0.0`, or `0` when 0-d). */
export function singleChunkKey(ndim: number): string {
  return ndim === 0 ? "0" : Array(ndim).fill("0").join(".");
}
