/**
 * A reference set's Zarr v2 hierarchy (metadata documents + per-array chunk columns) as a
 * VirtualDataset tree: groups from `.zgroup` and array parents, dims from
 * `_ARRAY_DIMENSIONS` (or `phony_dim_N`, one per distinct length in a group, as netCDF
 * readers name unnamed dimensions), manifests built from the columns in one call each.
 */
import type { Core } from "../../backend/core.js";
import { MISSING_ID } from "../../backend/core.js";
import { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { VirtualVariable } from "../../dataset/virtual-variable.js";
import { NotFoundError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { ChunkColumns } from "./chunk-columns.js";
import { arrayMetadataFromZarray } from "./zarray.js";

export interface ReferenceHierarchy {
  /** Metadata documents by key (`.zgroup`, `a/.zattrs`, `a/b/.zarray`, …). */
  metadata: ReadonlyMap<string, unknown>;
  /** Array paths (with or without chunk columns). */
  arrays: ReadonlyMap<string, { columns?: ChunkColumns; grid: readonly number[] }>;
  /** Final URL per URL id used in the chunk columns. */
  urls: readonly string[];
}

export interface HierarchyOptions {
  /** Open only this group (`a/b`) and below. */
  group?: string;
  /** Leave these variables out (names or full paths). */
  dropVariables?: readonly string[];
  /** Size of a file, for whole-file (`[url]`) references; needed only when there are some. */
  statSize?: (url: string) => Promise<number>;
  /** Checks the referenced locations before any is touched (stat'ed or read). */
  authorize?: (urls: readonly string[]) => Promise<void>;
  core: Core;
  /** Recorded as the dataset's `format`. */
  format: string;
  /** Named in errors. */
  file?: string;
}

interface GroupNode {
  arrays: string[];
  groups: Map<string, GroupNode>;
}

export async function datasetFromHierarchy(h: ReferenceHierarchy, options: HierarchyOptions): Promise<VirtualDataset> {
  const root = groupTree(h);
  const prefix = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  let node = root;
  for (const part of prefix.split("/").filter((p) => p !== "")) {
    const next = node.groups.get(part);
    if (next === undefined) throw new NotFoundError(`no group ${prefix} in the reference set`, { file: options.file });
    node = next;
  }
  await options.authorize?.(referencedUrls(h));
  const sizes = await wholeFileSizes(h, options);
  const made: ChunkManifest[] = [];
  try {
    return buildGroup(node, prefix === "" ? "" : `${prefix}/`, h, options, sizes, made, true);
  } catch (e) {
    for (const m of made) m.free();
    throw e;
  }
}

function groupTree(h: ReferenceHierarchy): GroupNode {
  const root: GroupNode = { arrays: [], groups: new Map() };
  const ensure = (path: string): GroupNode => {
    let node = root;
    for (const part of path.split("/").filter((p) => p !== "")) {
      let next = node.groups.get(part);
      if (next === undefined) {
        next = { arrays: [], groups: new Map() };
        node.groups.set(part, next);
      }
      node = next;
    }
    return node;
  };
  for (const key of h.metadata.keys()) if (key === ".zgroup" || key.endsWith("/.zgroup")) ensure(key.slice(0, -".zgroup".length));
  for (const path of h.arrays.keys()) {
    if (path === "") throw new UnsupportedFeatureError("the reference set's root is an array; vzarr expects a group of arrays");
    const slash = path.lastIndexOf("/");
    ensure(slash < 0 ? "" : path.slice(0, slash)).arrays.push(path);
  }
  return root;
}

function buildGroup(
  node: GroupNode,
  prefix: string,
  h: ReferenceHierarchy,
  options: HierarchyOptions,
  sizes: ReadonlyMap<number, number>,
  made: ChunkManifest[],
  isRoot: boolean,
): VirtualDataset {
  const drop = new Set(options.dropVariables ?? []);
  const phony = new Map<number, string>();
  const variables: [string, VirtualVariable][] = [];
  for (const path of node.arrays) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (drop.has(name) || drop.has(path)) continue;
    const metadata = arrayMetadataFromZarray(h.metadata.get(`${path}/.zarray`), path, options.file);
    const attrs = { ...objectOrEmpty(h.metadata.get(`${path}/.zattrs`)) };
    const named = attrs._ARRAY_DIMENSIONS;
    delete attrs._ARRAY_DIMENSIONS;
    const dims =
      Array.isArray(named) && named.length === metadata.shape.length && named.every((d) => typeof d === "string")
        ? (named as string[])
        : metadata.shape.map((len) => phonyDim(phony, len));
    const entry = h.arrays.get(path);
    const manifest = manifestOf(entry?.columns, entry?.grid ?? [], h.urls, sizes, options.core);
    made.push(manifest);
    variables.push([name, new VirtualVariable(dims, new ManifestArray(metadata, manifest), attrs)]);
  }
  const groups: [string, VirtualDataset][] = [...node.groups].map(([name, sub]) => [
    name,
    buildGroup(sub, `${prefix}${name}/`, h, options, sizes, made, false),
  ]);
  return new VirtualDataset({
    variables,
    groups,
    attrs: objectOrEmpty(h.metadata.get(`${prefix}.zattrs`)),
    format: isRoot ? options.format : undefined,
  });
}

function phonyDim(names: Map<number, string>, length: number): string {
  let name = names.get(length);
  if (name === undefined) {
    name = `phony_dim_${names.size}`;
    names.set(length, name);
  }
  return name;
}

function objectOrEmpty(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** One manifest from columns: URL ids remapped to a table of the URLs this array uses. */
function manifestOf(
  columns: ChunkColumns | undefined,
  grid: readonly number[],
  urls: readonly string[],
  sizes: ReadonlyMap<number, number>,
  core: Core,
): ChunkManifest {
  if (columns === undefined) return ChunkManifest.empty(grid, core);
  const { ids, offsets, lengths } = columns;
  for (const flat of columns.wholeFile) lengths[flat] = BigInt(sizes.get(ids[flat] as number) ?? 0);
  const table: string[] = [];
  const localByUrl = new Map<string, number>();
  const localById = new Map<number, number>();
  let lastId = -1;
  let lastLocal = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id === MISSING_ID) continue;
    if (id !== lastId) {
      let local = localById.get(id);
      if (local === undefined) {
        const url = urls[id] as string;
        local = localByUrl.get(url);
        if (local === undefined) {
          local = table.length;
          table.push(url);
          localByUrl.set(url, local);
        }
        localById.set(id, local);
      }
      lastId = id;
      lastLocal = local;
    }
    ids[i] = lastLocal;
  }
  const manifest = ChunkManifest.fromArrays({ shape: [...grid], paths: { table, ids }, offsets, lengths }, core);
  try {
    for (const [flat, bytes] of columns.inline) manifest.setInlined(flat, bytes);
  } catch (e) {
    manifest.free();
    throw e;
  }
  return manifest;
}

/** The URLs some chunk of some array refers to. */
function referencedUrls(h: ReferenceHierarchy): string[] {
  const used = new Set<number>();
  for (const a of h.arrays.values()) {
    const ids = a.columns?.ids;
    if (ids === undefined) continue;
    let last = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id !== last && id !== MISSING_ID) used.add(id);
      last = id;
    }
  }
  return [...used].map((id) => h.urls[id] as string);
}

/** Sizes of the files that whole-file references name, by URL id (one stat per file). */
async function wholeFileSizes(h: ReferenceHierarchy, options: HierarchyOptions): Promise<Map<number, number>> {
  const ids = new Set<number>();
  for (const a of h.arrays.values()) for (const flat of a.columns?.wholeFile ?? []) ids.add(a.columns?.ids[flat] as number);
  const sizes = new Map<number, number>();
  if (ids.size === 0) return sizes;
  const stat = options.statSize;
  if (stat === undefined) {
    throw new UnsupportedFeatureError(
      "the reference set has whole-file references ([url]) and no way to learn file sizes was given (option statSize)",
      { file: options.file },
    );
  }
  const list = [...ids];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const id = list[next++] as number;
      sizes.set(id, await stat(h.urls[id] as string));
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, list.length) }, worker));
  return sizes;
}
