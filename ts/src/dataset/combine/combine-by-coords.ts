/**
 * `combineByCoords(datasets)`: works out how datasets fit together from the values of their
 * 1-D dimension coordinates (as xarray's `combine_by_coords`):
 *
 * 1. datasets are grouped by their set of data variables (each group is combined, then the
 *    groups are merged);
 * 2. a dimension is a concat dimension when its coordinate differs between datasets; each
 *    dataset's values must then be strictly monotonic, in one direction for all;
 * 3. datasets are ranked by their first value along each concat dimension (CF times decoded,
 *    so units and calendars may differ between files), which places each one in a grid;
 * 4. consecutive positions must not overlap or repeat values — the error names both files;
 * 5. the grid is joined with `combineNested` (one concat call per row of the grid).
 */
import { IncompatibleArraysError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import type { VirtualDataset } from "../virtual-dataset.js";
import { type CombineOptions, combineNested, type NestedDatasets } from "./combine-nested.js";
import { type Item, variablesEqual } from "./compat.js";
import { type CoordinateKeys, coordinateKeys } from "./coordinate-keys.js";
import { merge } from "./merge.js";
import { originOf } from "./origin.js";
import { releaseUnused } from "./ownership.js";

export function combineByCoords(datasets: readonly VirtualDataset[], options: CombineOptions = {}): VirtualDataset {
  if (datasets.length === 0) throw new InvalidArgumentError("combineByCoords needs at least one dataset");
  const names = new Map(datasets.map((ds, i) => [ds, originOf(ds, i)]));
  const byVariables = new Map<string, VirtualDataset[]>();
  for (const ds of datasets) {
    const key = [...ds.dataVars.keys()].sort().join("\u0000");
    const list = byVariables.get(key);
    if (list === undefined) byVariables.set(key, [ds]);
    else list.push(ds);
  }
  const combined = [...byVariables.values()].map((group) => combineGroup(group, names, options));
  if (combined.length === 1) return combined[0] as VirtualDataset;
  const out = merge(combined, { origins: combined.map((c, i) => names.get(c) ?? `combined group #${i}`) });
  releaseUnused(
    combined.filter((c) => !datasets.includes(c)),
    [out, ...datasets],
  );
  return out;
}

interface Ordering {
  dim: string;
  /** Position of each dataset along `dim`. */
  rank: number[];
  count: number;
}

function combineGroup(
  group: readonly VirtualDataset[],
  names: ReadonlyMap<VirtualDataset, string>,
  options: CombineOptions,
): VirtualDataset {
  if (group.length === 1) return group[0] as VirtualDataset;
  const first = group[0] as VirtualDataset;
  const orderings: Ordering[] = [];
  for (const [dim, v] of first.variables) {
    if (v.dims.length !== 1 || v.dims[0] !== dim) continue;
    const items: Item[] = group.map((ds) => {
      const c = ds.variables.get(dim);
      if (c === undefined) {
        throw new IncompatibleArraysError(
          `cannot combine by coordinates: ${names.get(ds)} has no coordinate ${dim}, ${names.get(first)} has`,
          {
            variable: dim,
          },
        );
      }
      return { v: c, origin: names.get(ds) as string };
    });
    if (items.every((it) => variablesEqual(v, it.v))) continue;
    const keys = coordinateKeys(dim, items);
    if (keys.keys.every((k) => sameKeys(k, keys.keys[0] as Float64Array))) continue;
    orderings.push(order(dim, items, keys));
  }
  if (orderings.length === 0) {
    throw new IncompatibleArraysError(
      `cannot combine by coordinates: ${group.map((ds) => names.get(ds)).join(", ")} have equal dimension coordinates, so nothing says how to order them (use combineNested or merge)`,
    );
  }
  return combineNested(
    grid(group, orderings, names),
    orderings.map((o) => o.dim),
    options,
  );
}

function sameKeys(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i] as number) && Number.isNaN(b[i] as number))) return false;
  return true;
}

function order(dim: string, items: readonly Item[], { keys, show }: CoordinateKeys): Ordering {
  let direction = 0;
  keys.forEach((k, i) => {
    if (k.length === 0)
      throw new IncompatibleArraysError(`cannot combine by coordinates: ${dim} is empty in ${items[i]?.origin}`, { variable: dim });
    for (let j = 1; j < k.length; j++) {
      const step = Math.sign((k[j] as number) - (k[j - 1] as number));
      if (step === 0 || Number.isNaN(step) || (direction !== 0 && step !== direction)) {
        throw new IncompatibleArraysError(
          `cannot combine by coordinates: ${dim} in ${items[i]?.origin} is not strictly monotonic (${show(i, j - 1)} then ${show(i, j)})`,
          { variable: dim },
        );
      }
      direction = step;
    }
  });
  const dir = direction === 0 ? 1 : direction;
  // Dense rank of first values: datasets starting at the same value share a position.
  const firsts = [...new Set(keys.map((k) => k[0] as number))].sort((a, b) => (a - b) * dir);
  const position = new Map(firsts.map((v, p) => [v, p]));
  const rank = keys.map((k) => position.get(k[0] as number) as number);
  // Consecutive positions must not overlap: every dataset at p ends before any at p+1 starts.
  const byRank = firsts.map(() => [] as number[]);
  rank.forEach((r, i) => {
    byRank[r]?.push(i);
  });
  for (let p = 0; p + 1 < byRank.length; p++) {
    for (const i of byRank[p] as number[]) {
      const ki = keys[i] as Float64Array;
      const end = ki[ki.length - 1] as number;
      for (const j of byRank[p + 1] as number[]) {
        const start = (keys[j] as Float64Array)[0] as number;
        if ((start - end) * dir <= 0) {
          throw new IncompatibleArraysError(
            `cannot combine by coordinates: ${dim} ${start === end ? "repeats" : "overlaps"}: ${items[i]?.origin} ends at ${show(i, ki.length - 1)} but ${items[j]?.origin} starts at ${show(j, 0)}`,
            { variable: dim },
          );
        }
      }
    }
  }
  return { dim, rank, count: firsts.length };
}

/** Nested lists (one level per ordering) holding each dataset at its position. */
function grid(
  group: readonly VirtualDataset[],
  orderings: readonly Ordering[],
  names: ReadonlyMap<VirtualDataset, string>,
): NestedDatasets[] {
  const total = orderings.reduce((n, o) => n * o.count, 1);
  const cells = new Array<VirtualDataset | undefined>(total);
  group.forEach((ds, i) => {
    const flat = orderings.reduce((acc, o) => acc * o.count + (o.rank[i] as number), 0);
    const taken = cells[flat];
    if (taken !== undefined) {
      throw new IncompatibleArraysError(
        `cannot combine by coordinates: ${names.get(taken)} and ${names.get(ds)} have the same ${orderings.map((o) => o.dim).join(", ")} values`,
      );
    }
    cells[flat] = ds;
  });
  if (cells.includes(undefined)) {
    throw new IncompatibleArraysError(
      `cannot combine by coordinates: the datasets do not fill a complete grid along ${orderings.map((o) => `${o.dim} (${o.count} positions)`).join(" × ")}`,
    );
  }
  const build = (level: number, offset: number): NestedDatasets[] => {
    const o = orderings[level] as Ordering;
    const stride = orderings.slice(level + 1).reduce((n, x) => n * x.count, 1);
    return Array.from({ length: o.count }, (_, p) =>
      level === orderings.length - 1 ? (cells[offset + p] as VirtualDataset) : build(level + 1, offset + p * stride),
    ) as NestedDatasets[];
  };
  return build(0, 0);
}
