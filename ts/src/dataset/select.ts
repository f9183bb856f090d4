/**
 * Selecting parts of a dataset without reading chunks: `dropVariables` and chunk-aligned
 * `isel` (index ranges per dimension whose ends fall on chunk boundaries of every virtual
 * variable that has the dimension; loaded variables are sliced in memory).
 */
import { InvalidArgumentError, VzarrError } from "../errors/vzarr-error.js";
import type { ManifestArray } from "../manifest/manifest-array.js";
import { type AxisSelection, normalizeAxis } from "../store/selection.js";
import { LoadedArray } from "./loaded-array.js";
import { sliceLoaded } from "./loaded-ops.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

/** Per dimension: `[start, stop]` (either may be null; negative counts from the end) or `{start, stop}`. */
export type DimSelection = Readonly<Record<string, Exclude<AxisSelection, number>>>;

/** The dataset without the named variables (names in this group, or full paths into groups). */
export function dropVariables(ds: VirtualDataset, names: readonly string[], prefix = ""): VirtualDataset {
  const drop = new Set(names.map((n) => n.replace(/^\/+/, "")));
  const variables = [...ds.variables].filter(([name]) => !drop.has(prefix + name) && !(prefix === "" && drop.has(name)));
  const groups = [...ds.groups].map(([name, g]) => [name, dropVariables(g, names, `${prefix}${name}/`)] as [string, VirtualDataset]);
  const kept = new Set(variables.map(([n]) => n));
  return ds.with({ variables, groups, coordNames: [...ds.coordNames].filter((n) => kept.has(n)) });
}

/** Chunk-aligned selection of index ranges per dimension, applied in every group. */
export function isel(ds: VirtualDataset, selection: DimSelection): VirtualDataset {
  const dims = { ...ds.dims };
  for (const [dim, sel] of Object.entries(selection)) {
    if (typeof sel === "number") throw new InvalidArgumentError(`isel takes index ranges; use [${sel}, ${sel + 1}] for dimension ${dim}`);
    if (dims[dim] === undefined && !hasDim(ds, dim)) throw new InvalidArgumentError(`isel: no dimension ${dim}`);
  }
  return iselGroup(ds, selection, "");
}

function hasDim(ds: VirtualDataset, dim: string): boolean {
  return dim in ds.dims || [...ds.groups.values()].some((g) => hasDim(g, dim));
}

function rangeFor(selection: DimSelection, dim: string, length: number): [number, number] | undefined {
  const sel = selection[dim];
  if (sel === undefined) return undefined;
  const r = normalizeAxis(sel, length, 0);
  if (r.step !== 1) throw new InvalidArgumentError(`isel on ${dim}: a step (${r.step}) cannot be expressed with whole chunks`);
  return [r.start, r.stop];
}

function iselGroup(ds: VirtualDataset, selection: DimSelection, prefix: string): VirtualDataset {
  const variables: [string, VirtualVariable][] = [];
  for (const [name, v] of ds.variables) {
    const ranges = v.dims.map((d, a) => rangeFor(selection, d, v.shape[a] as number) ?? ([0, v.shape[a] as number] as [number, number]));
    if (ranges.every(([s, e], a) => s === 0 && e === v.shape[a])) {
      variables.push([name, v]);
      continue;
    }
    variables.push([name, v.withData(sliceData(v, ranges, prefix + name))]);
  }
  const declaredDims = [...ds.declaredDims].map(([d, len]) => {
    const r = rangeFor(selection, d, len);
    return [d, r === undefined ? len : r[1] - r[0]] as [string, number];
  });
  const groups = [...ds.groups].map(([name, g]) => [name, iselGroup(g, selection, `${prefix}${name}/`)] as [string, VirtualDataset]);
  return ds.with({ variables, groups, declaredDims });
}

function sliceData(v: VirtualVariable, ranges: [number, number][], path: string): ManifestArray | LoadedArray {
  if (v.data instanceof LoadedArray) return sliceLoaded(v.data, ranges);
  try {
    return (v.data as ManifestArray).slice(ranges);
  } catch (e) {
    if (e instanceof VzarrError) {
      throw new InvalidArgumentError(`isel: ${e.message}; chunk boundaries of ${path} are where virtual data can be cut`, {
        variable: path,
      });
    }
    throw e;
  }
}
