/**
 * `merge(datasets)`: the union of their variables (and groups, recursively). A variable in
 * several datasets must be equal in all of them (layout, references or values; attributes
 * aside); otherwise IncompatibleArraysError names it. Dimension lengths must agree.
 * Attributes: the union, the first dataset winning conflicts.
 */
import { IncompatibleArraysError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import { VirtualDataset } from "../virtual-dataset.js";
import type { VirtualVariable } from "../virtual-variable.js";
import { variablesEqual } from "./compat.js";
import { unionSources } from "./concat.js";
import { origins } from "./origin.js";

export interface MergeOptions {
  /** Names of the datasets for messages (default: their source file). */
  origins?: readonly string[];
}

export function merge(datasets: readonly VirtualDataset[], options: MergeOptions = {}): VirtualDataset {
  if (datasets.length === 0) throw new InvalidArgumentError("merge needs at least one dataset");
  if (datasets.length === 1) return datasets[0] as VirtualDataset;
  return mergeGroup(datasets, origins(datasets, options.origins), "");
}

function mergeGroup(datasets: readonly VirtualDataset[], names: readonly string[], prefix: string): VirtualDataset {
  const variables = new Map<string, VirtualVariable>();
  const from = new Map<string, number>();
  datasets.forEach((ds, i) => {
    for (const [name, v] of ds.variables) {
      const seen = variables.get(name);
      if (seen === undefined) {
        variables.set(name, v);
        from.set(name, i);
      } else if (!variablesEqual(seen, v)) {
        throw new IncompatibleArraysError(
          `cannot merge: variable ${prefix}${name} differs between ${names[from.get(name) as number]} and ${names[i]} (${describe(seen)} vs ${describe(v)})`,
          { variable: prefix + name },
        );
      }
    }
  });
  const attrs: Record<string, unknown> = {};
  for (const ds of [...datasets].reverse()) Object.assign(attrs, ds.attrs);
  const coordNames = new Set<string>();
  const declared = new Map<string, number>();
  const dimFrom = new Map<string, number>();
  datasets.forEach((ds, i) => {
    for (const c of ds.coordNames) coordNames.add(c);
    const dims = ds.dims;
    for (const [d, len] of Object.entries(dims)) {
      const seen = declared.get(d);
      if (seen !== undefined && seen !== len) {
        throw new IncompatibleArraysError(
          `cannot merge: dimension ${prefix}${d} has length ${seen} in ${names[dimFrom.get(d) as number]} but ${len} in ${names[i]}`,
        );
      }
      if (seen === undefined) {
        declared.set(d, len);
        dimFrom.set(d, i);
      }
    }
  });
  const groupNames = new Set(datasets.flatMap((ds) => [...ds.groups.keys()]));
  const groups: [string, VirtualDataset][] = [...groupNames].map((g) => {
    const members = datasets.map((ds, i) => [ds.groups.get(g), names[i] as string] as const).filter(([sub]) => sub !== undefined);
    return [
      g,
      mergeGroup(
        members.map(([sub]) => sub as VirtualDataset),
        members.map(([, n]) => n),
        `${prefix}${g}/`,
      ),
    ];
  });
  try {
    return new VirtualDataset({
      variables,
      attrs,
      groups,
      coordNames,
      declaredDims: [...declared].filter(([d]) => datasets.some((ds) => ds.declaredDims.has(d))),
      format: datasets[0]?.format,
      sources: unionSources(datasets),
    });
  } catch (e) {
    if (e instanceof IncompatibleArraysError) throw new IncompatibleArraysError(`cannot merge ${names.join(", ")}: ${e.message}`);
    throw e;
  }
}

function describe(v: VirtualVariable): string {
  return `${v.virtual ? "virtual" : "loaded"} ${v.dtype} (${v.dims.join(", ")}) ${JSON.stringify(v.shape)}`;
}
