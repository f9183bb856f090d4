/**
 * The authorization of a reference set's locations (`io/authorize.ts`) as parsers apply it:
 * the policy from where the set was opened and the caller's `allow`, checked against every
 * distinct location the opened dataset's manifests name.
 */
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { authorizeLocations, type ReferencePolicy } from "../io/authorize.js";
import { ManifestArray } from "../manifest/manifest-array.js";
import type { ParserOptions } from "./parser.js";

export function referencePolicy(origin: string, options: Pick<ParserOptions, "allow">): ReferencePolicy {
  return { origin, allow: options.allow };
}

/** Every distinct location the dataset's manifests refer to. */
export function referencedLocations(ds: VirtualDataset): Set<string> {
  const out = new Set<string>();
  for (const [, v] of ds.walkVariables()) {
    if (v.data instanceof ManifestArray) for (const p of v.data.manifest.paths()) out.add(p);
  }
  return out;
}

/** Checks the dataset's locations; frees it and throws NotAllowed when one is refused. */
export async function authorizeDataset(ds: VirtualDataset, policy: ReferencePolicy): Promise<VirtualDataset> {
  try {
    await authorizeLocations(referencedLocations(ds), policy);
    return ds;
  } catch (e) {
    ds.free();
    throw e;
  }
}
