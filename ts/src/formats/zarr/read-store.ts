/**
 * A Zarr store (v2 or v3, sharded or not) as a VirtualDataset: its groups and arrays, each
 * array's chunks as references to the store's objects, the codecs carried over unchanged.
 */
import type { Core } from "../../backend/core.js";
import { type SkippedVariable, VirtualDataset } from "../../dataset/virtual-dataset.js";
import { VirtualVariable } from "../../dataset/virtual-variable.js";
import { NotFoundError } from "../../errors/vzarr-error.js";
import type { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { arrayManifest } from "./chunk-references.js";
import { readHierarchy, type ZarrArrayNode, type ZarrHierarchy } from "./hierarchy.js";
import type { ZarrStore } from "./store.js";

export interface ReadZarrOptions {
  group?: string;
  dropVariables?: readonly string[];
  core: Core;
}

export async function readZarrStore(store: ZarrStore, options: ReadZarrOptions): Promise<VirtualDataset> {
  const h = await readHierarchy(store);
  const prefix = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix !== "" && !h.groups.has(prefix)) {
    const known = [...h.groups.keys()].filter((g) => g !== "");
    throw new NotFoundError(`no group ${prefix} in ${store.url}${known.length > 0 ? `; groups: ${known.join(", ")}` : ""}`, {
      file: store.url,
    });
  }
  const drop = new Set(options.dropVariables ?? []);
  const made: ChunkManifest[] = [];
  try {
    return await buildGroup(prefix, h, store, options, drop, made, true);
  } catch (e) {
    for (const m of made) m.free();
    throw e;
  }
}

const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const parentOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

async function buildGroup(
  path: string,
  h: ZarrHierarchy,
  store: ZarrStore,
  options: ReadZarrOptions,
  drop: ReadonlySet<string>,
  made: ChunkManifest[],
  isRoot: boolean,
): Promise<VirtualDataset> {
  const arrays: ZarrArrayNode[] = [];
  if (isRoot && path === "" && h.arrays.has("")) arrays.push(h.arrays.get("") as ZarrArrayNode);
  for (const [p, a] of h.arrays) if (p !== "" && parentOf(p) === path) arrays.push(a);
  const phony = new Map<number, string>();
  const variables: [string, VirtualVariable][] = [];
  for (const a of arrays) {
    // A store whose root is an array: the variable is named after the store.
    const name = a.path === "" ? rootArrayName(store.url) : nameOf(a.path);
    if (drop.has(name) || drop.has(a.path)) continue;
    const manifest = await arrayManifest(store, a, options.core);
    made.push(manifest);
    const dims = a.dims ?? a.metadata.shape.map((len) => phonyDim(phony, len));
    variables.push([name, new VirtualVariable(dims, new ManifestArray(a.metadata, manifest), a.attrs)]);
  }
  const groups: [string, VirtualDataset][] = [];
  for (const g of h.groups.keys()) {
    if (g !== "" && g !== path && parentOf(g) === path) groups.push([nameOf(g), await buildGroup(g, h, store, options, drop, made, false)]);
  }
  const skipped = [...h.skipped]
    .filter(([p]) => parentOf(p) === path)
    .map(([p, e]): [string, SkippedVariable] => [nameOf(p), { kind: e.kind, message: e.reason }]);
  return new VirtualDataset({
    variables,
    groups,
    skipped,
    attrs: h.groups.get(path) ?? {},
    format: isRoot ? `zarr${h.zarrFormat}` : undefined,
  });
}

function rootArrayName(url: string): string {
  const base = decodeURIComponent(url.replace(/\/+$/, "").slice(url.replace(/\/+$/, "").lastIndexOf("/") + 1));
  return base.replace(/\.zarr(\.zip)?$/, "") || "data";
}

function phonyDim(names: Map<number, string>, length: number): string {
  let name = names.get(length);
  if (name === undefined) {
    name = `phony_dim_${names.size}`;
    names.set(length, name);
  }
  return name;
}
