/**
 * `combineNested(nested, concatDims)`: datasets in nested lists, one nesting level per
 * dimension (outermost list = first dimension); `null` for a level merges instead of
 * concatenating. Each level is joined with one call over its whole list.
 */
import { InvalidArgumentError } from "../../errors/vzarr-error.js";
import type { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { VirtualDataset } from "../virtual-dataset.js";
import { type ConcatOptions, concat } from "./concat.js";
import { merge } from "./merge.js";
import { originOf } from "./origin.js";
import { manifestsOf } from "./ownership.js";

export type NestedDatasets = VirtualDataset | readonly NestedDatasets[];

export type CombineOptions = Omit<ConcatOptions, "coordValues" | "coordAttrs" | "origins">;

export function combineNested(
  nested: readonly NestedDatasets[],
  concatDims: string | null | readonly (string | null)[],
  options: CombineOptions = {},
): VirtualDataset {
  const dims = typeof concatDims === "string" || concatDims === null ? [concatDims] : concatDims;
  if (dims.length === 0) throw new InvalidArgumentError("combineNested needs at least one concat dimension (or null to merge)");
  const inputs: VirtualDataset[] = [];
  const names = new Map<VirtualDataset, string>();
  const flatten = (n: NestedDatasets) => {
    if (n instanceof VirtualDataset) {
      names.set(n, originOf(n, inputs.length));
      inputs.push(n);
    } else for (const m of n) flatten(m);
  };
  flatten(nested);
  let held: Set<ChunkManifest> | undefined;
  const inputManifests = () => {
    if (held === undefined) {
      held = new Set();
      for (const ds of inputs) manifestsOf(ds, held);
    }
    return held;
  };
  return combineLevel(nested, dims, 0, names, new Set(inputs), options, inputManifests);
}

function combineLevel(
  list: readonly NestedDatasets[],
  dims: readonly (string | null)[],
  depth: number,
  names: ReadonlyMap<VirtualDataset, string>,
  inputs: ReadonlySet<VirtualDataset>,
  options: CombineOptions,
  inputManifests: () => ReadonlySet<ChunkManifest>,
): VirtualDataset {
  if (list.length === 0) throw new InvalidArgumentError(`combineNested: an empty list at depth ${depth}`);
  const last = depth === dims.length - 1;
  const parts: VirtualDataset[] = list.map((item, i) => {
    if (last) {
      if (!(item instanceof VirtualDataset)) {
        throw new InvalidArgumentError(
          `combineNested: nesting is deeper than the ${dims.length} concat dimension(s) given (item ${i} at depth ${depth})`,
        );
      }
      return item;
    }
    if (item instanceof VirtualDataset) {
      throw new InvalidArgumentError(
        `combineNested: expected a list at depth ${depth} for ${dims.length} concat dimensions, got a dataset`,
      );
    }
    return combineLevel(item as readonly NestedDatasets[], dims, depth + 1, names, inputs, options, inputManifests);
  });
  const dim = dims[depth] as string | null;
  const partNames = parts.map((p, i) => names.get(p) ?? originOf(p, i));
  const out = dim === null ? merge(parts, { origins: partNames }) : concat(parts, dim, { ...options, origins: partNames });
  // Intermediate results are ours: free what neither the joined result nor an input uses.
  const intermediate = parts.filter((p) => !inputs.has(p));
  if (intermediate.length > 0) {
    const keep = manifestsOf(out, new Set(inputManifests()));
    for (const p of intermediate) for (const m of manifestsOf(p)) if (!keep.has(m)) m.free();
  }
  return out;
}
