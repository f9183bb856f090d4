/**
 * `loadableVariables`: variables whose values are read now (through the store's read path)
 * and held in memory as `LoadedArray`s — by default the 1-D dimension coordinates, as
 * VirtualiZarr, so that combining can order files by them and outputs carry them inline.
 */
import type { Core } from "../backend/core.js";
import { NotFoundError } from "../errors/vzarr-error.js";
import { readVariable } from "../store/read-variable.js";
import type { SourcePool } from "../store/source-pool.js";
import { LoadedArray } from "./loaded-array.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

/** Which variables to load: the default (1-D dimension coordinates), none (`[]`), or a list. */
export type LoadableSpec = readonly string[] | undefined;

/**
 * The default loads dimension coordinates no larger than this: a coordinate of billions of
 * points (an unallocated placeholder, a huge index) stays virtual instead of filling memory.
 */
export const DEFAULT_LOAD_LIMIT_BYTES = 64 * 1024 * 1024;

function decodedBytes(v: VirtualVariable): number {
  const item = Number(/\d+$/.exec(v.dtype)?.[0] ?? "8");
  return v.shape.reduce((a, b) => a * b, 1) * item;
}

/** A variable named like its only dimension (xarray's index variables). */
export function isDimensionCoordinate(name: string, v: VirtualVariable): boolean {
  return v.dims.length === 1 && v.dims[0] === name;
}

/** Names (full paths) the spec selects in a dataset tree; unknown listed names are an error. */
export function loadableNames(ds: VirtualDataset, spec: LoadableSpec): Set<string> {
  const out = new Set<string>();
  if (spec === undefined) {
    for (const [path, v] of ds.walkVariables()) {
      const small = decodedBytes(v) <= DEFAULT_LOAD_LIMIT_BYTES;
      if (isDimensionCoordinate(path.split("/").pop() as string, v) && v.virtual && small) out.add(path);
    }
    return out;
  }
  const all = new Map([...ds.walkVariables()].map(([path, v]) => [path, v]));
  for (const name of spec) {
    const path = name.replace(/^\/+/, "");
    if (!all.has(path)) throw new NotFoundError(`loadable variable ${name} is not in the dataset`, { variable: name });
    if ((all.get(path) as VirtualVariable).virtual) out.add(path);
  }
  return out;
}

/**
 * A dataset in which the selected virtual variables hold their values. Manifests of loaded
 * variables are freed; everything else is shared with `ds`.
 */
export async function loadVariables(
  ds: VirtualDataset,
  names: ReadonlySet<string>,
  ctx: { core: Core; pool: SourcePool },
): Promise<VirtualDataset> {
  if (names.size === 0) return ds;
  return loadGroup(ds, "", names, ctx);
}

async function loadGroup(
  ds: VirtualDataset,
  prefix: string,
  names: ReadonlySet<string>,
  ctx: { core: Core; pool: SourcePool },
): Promise<VirtualDataset> {
  const variables: [string, VirtualVariable][] = [];
  for (const [name, v] of ds.variables) {
    const path = prefix + name;
    if (!names.has(path)) {
      variables.push([name, v]);
      continue;
    }
    const r = await readVariable(v, undefined, { core: ctx.core, pool: ctx.pool, variable: path });
    const values = r.data;
    variables.push([name, v.withData(new LoadedArray({ ...v.metadata, dtype: r.dtype }, values))]);
    v.free();
  }
  const groups: [string, VirtualDataset][] = [];
  for (const [name, g] of ds.groups) groups.push([name, await loadGroup(g, `${prefix}${name}/`, names, ctx)]);
  return ds.with({ variables, groups });
}
