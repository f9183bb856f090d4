/** Names for datasets in error messages: the file they came from, else their position. */
import type { VirtualDataset } from "../virtual-dataset.js";

export function originOf(ds: VirtualDataset, index: number): string {
  const files = [...ds.sources.keys()];
  if (files.length === 1) return displayUrl(files[0] as string);
  if (files.length > 1) return `${displayUrl(files[0] as string)} (+${files.length - 1} more files)`;
  return `dataset #${index}`;
}

/** Local `file://` URLs as paths (how users named them). */
export function displayUrl(url: string): string {
  if (!url.startsWith("file://")) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

export function origins(datasets: readonly VirtualDataset[], given?: readonly string[]): string[] {
  return datasets.map((ds, i) => given?.[i] ?? originOf(ds, i));
}
