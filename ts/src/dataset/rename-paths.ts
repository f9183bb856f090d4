/**
 * `renamePaths`: the dataset with every chunk reference's file location rewritten — the
 * files moved (local → s3://, a bucket → its HTTPS mirror), as VirtualiZarr's
 * `rename_paths`. The manifests are new (the core maps each distinct path once); loaded
 * variables are shared. A renamed file keeps only its recorded size: a copy has its own
 * modification time and (on another store) ETag, so only the size can still be checked.
 */
import type { SourceIdentity } from "../io/byte-source.js";
import { ManifestArray } from "../manifest/manifest-array.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

export type PathRename = ((path: string) => string) | ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function asFunction(rename: PathRename): (path: string) => string {
  if (typeof rename === "function") return rename;
  if (rename instanceof Map) return (p) => (rename as ReadonlyMap<string, string>).get(p) ?? p;
  return (p) => (rename as Readonly<Record<string, string>>)[p] ?? p;
}

export function renamePaths(ds: VirtualDataset, rename: PathRename): VirtualDataset {
  const f = asFunction(rename);
  const made: VirtualVariable[] = [];
  try {
    return renameGroup(ds, f, made);
  } catch (e) {
    for (const v of made) v.free();
    throw e;
  }
}

function renameGroup(ds: VirtualDataset, f: (path: string) => string, made: VirtualVariable[]): VirtualDataset {
  const variables: [string, VirtualVariable][] = [...ds.variables].map(([name, v]) => {
    if (!(v.data instanceof ManifestArray)) return [name, v];
    const moved = v.withData(new ManifestArray(v.data.metadata, v.data.manifest.renamePaths(f)));
    made.push(moved);
    return [name, moved];
  });
  const groups: [string, VirtualDataset][] = [...ds.groups].map(([name, g]) => [name, renameGroup(g, f, made)]);
  const sources: [string, SourceIdentity][] = [...ds.sources].map(([url, id]) => {
    const to = f(url);
    return [to, to === url ? id : { size: id.size }];
  });
  return ds.with({ variables, groups, sources });
}
