/**
 * Who frees which manifest. Combining shares unchanged variables with its inputs and creates
 * new manifests for joined ones, so after a combine the inputs (or intermediate results)
 * hold some manifests the result uses and some it does not. `releaseUnused` frees the latter.
 */
import type { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { VirtualDataset } from "../virtual-dataset.js";

export function manifestsOf(ds: VirtualDataset, out = new Set<ChunkManifest>()): Set<ChunkManifest> {
  for (const [, v] of ds.walkVariables()) if (v.data instanceof ManifestArray) out.add(v.data.manifest);
  return out;
}

/** Frees the manifests of `datasets` that none of `keep` uses. */
export function releaseUnused(datasets: Iterable<VirtualDataset>, keep: Iterable<VirtualDataset>): void {
  const kept = new Set<ChunkManifest>();
  for (const ds of keep) manifestsOf(ds, kept);
  for (const ds of datasets) for (const m of manifestsOf(ds)) if (!kept.has(m)) m.free();
}
