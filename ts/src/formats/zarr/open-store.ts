/**
 * The Zarr store a URL names: a local directory (registered by the Node platform: browsers
 * have none), an `http(s)://` or `s3://` prefix.
 */
import { UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { isLocalInput } from "../../io/url-scheme.js";
import { PrefixStore } from "./prefix-store.js";
import type { ZarrStore } from "./store.js";

let openLocal: ((url: string) => ZarrStore) | undefined;

export function registerLocalZarrStore(open: (url: string) => ZarrStore): void {
  openLocal = open;
}

export function openZarrStore(url: string): ZarrStore {
  if (!isLocalInput(url)) return new PrefixStore(url);
  if (openLocal === undefined)
    throw new UnsupportedFeatureError(`cannot read local directories in this environment: ${url}`, { file: url });
  return openLocal(url);
}
